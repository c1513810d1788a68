# Per-frame audio features: 502-d sound textures and 32-d cochlear spectra.


rule audio_features:
    input:
        f"{R}/ingest/shards/{{shard}}",
    output:
        f"{R}/features/shards/{{shard}}.npz",
    log:
        f"{LOGS}/features/{{shard}}.log",
    wildcard_constraints:
        shard=r"\d{5}",
    conda:
        "../../envs/soundsight.yaml"
    params:
        features=config["features"],
    script:
        "../scripts/audio_features.py"


rule merge_features:
    input:
        index=f"{R}/ingest/index.csv",
        shards=expand(f"{R}/features/shards/{{shard}}.npz", shard=shard_ids()),
    output:
        f"{R}/features/sound.npz",
    log:
        f"{LOGS}/features/merge.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/merge_features.py"
