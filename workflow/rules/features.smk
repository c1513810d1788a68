# Per-frame audio features of every corpus: 502-d sound textures and 32-d cochlear spectra.


rule audio_features:
    input:
        f"{CORPUS}/ingest/shards/{{shard}}",
    output:
        f"{CORPUS}/features/shards/{{shard}}.npz",
    log:
        f"{CORPUS_LOGS}/features/{{shard}}.log",
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
        index=f"{CORPUS}/ingest/index.csv",
        shards=lambda w: feature_shards(w.corpus),
    output:
        f"{CORPUS}/features/sound.npz",
    log:
        f"{CORPUS_LOGS}/features/merge.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/merge_features.py"
