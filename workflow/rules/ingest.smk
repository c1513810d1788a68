# Ingest: raw videos -> sampled frames (JPEG), the audio window around each, whole tracks; sharded.


rule ingest_shard:
    input:
        source=video_source(),
    output:
        directory(f"{R}/ingest/shards/{{shard}}"),
    log:
        f"{LOGS}/ingest/{{shard}}.log",
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
        expand(f"{R}/ingest/shards/{{shard}}", shard=shard_ids()),
    output:
        index=f"{R}/ingest/index.csv",
        tracks=f"{R}/ingest/tracks.csv",
        rejects=f"{R}/ingest/rejects.csv",
        summary=f"{R}/ingest/ingest_summary.json",
    log:
        f"{LOGS}/ingest/merge.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        n_input=n_input_videos(),
    script:
        "../scripts/ingest_merge.py"
