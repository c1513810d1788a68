# Ingest: raw videos -> sampled frames (JPEG), the audio window around each, whole tracks; sharded,
# for every video corpus (results/corpora/<corpus>/ingest/).


rule ingest_shard:
    input:
        source=lambda w: video_source(w.corpus),
    output:
        directory(f"{CORPUS}/ingest/shards/{{shard}}"),
    log:
        f"{CORPUS_LOGS}/ingest/{{shard}}.log",
    wildcard_constraints:
        shard=r"\d{5}",
    conda:
        "../../envs/soundsight.yaml"
    params:
        ingest=config["ingest"],
        seed=config["seed"],
    script:
        "../scripts/ingest_shard.py"


rule ingest_merge:
    input:
        lambda w: shard_dirs(w.corpus),
    output:
        index=f"{CORPUS}/ingest/index.csv",
        tracks=f"{CORPUS}/ingest/tracks.csv",
        rejects=f"{CORPUS}/ingest/rejects.csv",
        summary=f"{CORPUS}/ingest/ingest_summary.json",
    log:
        f"{CORPUS_LOGS}/ingest/merge.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        n_input=lambda w: n_input_videos(w.corpus),
    script:
        "../scripts/ingest_merge.py"
