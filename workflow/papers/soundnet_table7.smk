# SoundNet: Table 7 (multi-modal recognition): the corpus's held-out videos classified by scene
# from the student's sound features, the teachers' vision features, and both. Inputs:
# soundnet_common.smk (soundnet_multimodal_inputs); the logic: soundsight.papers.soundnet.


rule soundnet_multimodal_features:
    input:
        **soundnet_multimodal_inputs(),
    output:
        features=f"{R}/probes/{soundnet_tables.SOUNDNET8}/multimodal_features.npz",
        summary=f"{R}/probes/{soundnet_tables.SOUNDNET8}/multimodal_features.json",
    log:
        f"{LOGS}/probes/{soundnet_tables.SOUNDNET8}_multimodal_features.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        soundnet=config["soundnet"],
        short_side=config["ingest"]["short_side"],
        jpeg_quality=config["ingest"]["jpeg_quality"],
        device=config["probes"]["device"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_multimodal_features.py"


rule soundnet_table7:
    input:
        features=rules.soundnet_multimodal_features.output.features,
    output:
        summary=f"{R}/probes/{soundnet_tables.SOUNDNET8}/multimodal.json",
        clips=f"{R}/probes/{soundnet_tables.SOUNDNET8}/multimodal.npz",
        csv=f"{R}/tables/soundnet/table7.csv",
        md=report(
            f"{R}/tables/soundnet/table7.md",
            caption="../report/soundnet/table7.rst",
            category="SoundNet",
            labels={"table": "table7"},
        ),
        provenance=f"{R}/tables/soundnet/table7.provenance.json",
    log:
        f"{LOGS}/tables/soundnet_table7.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        table7=config["soundnet"]["table7"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_table7.py"
