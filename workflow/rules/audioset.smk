# The AudioSet analogue (Owens et al. §6, Figs. 12/13): a second corpus, made, ingested and
# clustered by the same rules as the first; everything it makes lives under results/audioset/.


use rule world_videos as audioset_world_videos with:
    output:
        manifest=f"{AS}/world/videos.csv",
        bad=f"{AS}/world/bad_videos.csv",
        videos=directory(f"{AS}/world/videos"),
        groundtruth=directory(f"{AS}/world/groundtruth"),
        summary=f"{AS}/world/world.json",
    log:
        f"{LOGS}/audioset/world_videos.log",
    params:
        world=audioset_world(config),
        seed=config["seed"] + config["audioset"]["seed_offset"],
        audio_rate=config["ingest"]["audio_rate"],


use rule ingest_shard as audioset_ingest_shard with:
    input:
        source=video_source("audioset"),
    output:
        directory(f"{AS}/ingest/shards/{{shard}}"),
    log:
        f"{LOGS}/audioset/ingest/{{shard}}.log",


use rule ingest_merge as audioset_ingest_merge with:
    input:
        shard_dirs(AS),
    output:
        index=f"{AS}/ingest/index.csv",
        tracks=f"{AS}/ingest/tracks.csv",
        rejects=f"{AS}/ingest/rejects.csv",
        summary=f"{AS}/ingest/ingest_summary.json",
    log:
        f"{LOGS}/audioset/ingest/merge.log",
    params:
        n_input=n_input_videos("audioset"),


use rule audio_features as audioset_audio_features with:
    input:
        f"{AS}/ingest/shards/{{shard}}",
    output:
        f"{AS}/features/shards/{{shard}}.npz",
    log:
        f"{LOGS}/audioset/features/{{shard}}.log",


use rule merge_features as audioset_merge_features with:
    input:
        index=f"{AS}/ingest/index.csv",
        shards=expand(
            f"{AS}/features/shards/{{shard}}.npz", shard=shard_ids("audioset")
        ),
    output:
        f"{AS}/features/sound.npz",
    log:
        f"{LOGS}/audioset/features/merge.log",


use rule split_frames as audioset_split_frames with:
    input:
        f"{AS}/ingest/index.csv",
    output:
        f"{AS}/labels/split.csv",
    log:
        f"{LOGS}/audioset/labels/split.log",


use rule cluster_labels as audioset_cluster_labels with:
    input:
        split=f"{AS}/labels/split.csv",
        features=f"{AS}/features/sound.npz",
    output:
        table=f"{AS}/labels/clusters_k{{k}}.csv",
        model=f"{AS}/labels/clusters_k{{k}}.npz",
        summary=f"{AS}/labels/clusters_k{{k}}.json",
    log:
        f"{LOGS}/audioset/labels/clusters_k{{k}}.log",


rule fig12_13_audioset_units:
    input:
        labels=expand(f"{R}/units/{{model}}/labels.csv", model=fig12_models()),
        top=f"{R}/units/audioset_cluster/top.npz",
        spec=f"{R}/models/audioset_cluster/model.json",
        model=f"{R}/models/audioset_cluster/model.pt",
        index=f"{R}/ingest/index.csv",
        split=f"{R}/labels/split.csv",
    output:
        fig12=report(
            f"{R}/figures/owens2018/fig12_audioset_detector_histograms.png",
            caption="../report/fig12.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 12"},
        ),
        fig13=report(
            f"{R}/figures/owens2018/fig13_audioset_instrument_units.png",
            caption="../report/fig13.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 13"},
        ),
        summary=f"{R}/figures/owens2018/fig12_13_summary.json",
    log:
        f"{LOGS}/figures/fig12_13.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=fig12_models(),
        units=config["units"],
        seed=config["seed"],
    script:
        "../scripts/fig12_13_audioset_units.py"
