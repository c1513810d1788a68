# Opt-in downloads of the real datasets, checksum-verified; never part of the default target.
#   snakemake --cores 1 download --configfile my_downloads.yaml   (download.datasets: [...])


localrules:
    download,
    download_archive,


rule download:
    input:
        expand(
            f"{DOWNLOADS}/.soundsight/{{archive}}.json",
            archive=config["download"]["datasets"],
        ),


rule download_archive:
    output:
        f"{DOWNLOADS}/.soundsight/{{archive}}.json",
    log:
        f"{LOGS}/download/{{archive}}.log",
    wildcard_constraints:
        archive="|".join(archive_names()),
    conda:
        "../../envs/soundsight.yaml"
    params:
        allow_unpinned=config["download"]["allow_unpinned"],
    script:
        "../scripts/download_archive.py"
