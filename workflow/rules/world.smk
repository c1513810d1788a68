# The embedded AmbientWorld: each world corpus's raw videos (results/corpora/<corpus>/world/) and
# the labelled image sets in official layouts (results/world/).


rule world_videos:
    output:
        manifest=f"{CORPUS}/world/videos.csv",
        bad=f"{CORPUS}/world/bad_videos.csv",
        videos=directory(f"{CORPUS}/world/videos"),
        groundtruth=directory(f"{CORPUS}/world/groundtruth"),
        summary=f"{CORPUS}/world/world.json",
    log:
        f"{CORPUS_LOGS}/world_videos.log",
    wildcard_constraints:
        corpus=one_of(corpus_names(world_only=True)),
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=lambda w: CORPORA[w.corpus].world,
        seed=lambda w: CORPORA[w.corpus].world_seed,
        audio_rate=config["ingest"]["audio_rate"],
    script:
        "../scripts/world_videos.py"


rule world_voc:
    output:
        directory(f"{WORLD}/VOC2007"),
    log:
        f"{LOGS}/world/voc.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=config["ingest"]["audio_rate"],
        part="voc",
    script:
        "../scripts/world_images.py"


rule world_sun:
    output:
        directory(f"{WORLD}/SUN397"),
    log:
        f"{LOGS}/world/sun.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=config["ingest"]["audio_rate"],
        part="sun",
    script:
        "../scripts/world_images.py"
