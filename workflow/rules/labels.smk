# Sound labels the pretext CNNs learn: k-means clusters, binary codes, spectrum codes.


rule split_frames:
    input:
        f"{R}/ingest/index.csv",
    output:
        f"{R}/labels/split.csv",
    log:
        f"{LOGS}/labels/split.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        test_fraction=config["labels"]["test_fraction"],
        seed=config["seed"],
    script:
        "../scripts/split_frames.py"


rule cluster_labels:
    input:
        split=f"{R}/labels/split.csv",
        features=f"{R}/features/sound.npz",
    output:
        table=f"{R}/labels/clusters_k{{k}}.csv",
        model=f"{R}/labels/clusters_k{{k}}.npz",
        summary=f"{R}/labels/clusters_k{{k}}.json",
    log:
        f"{LOGS}/labels/clusters_k{{k}}.log",
    wildcard_constraints:
        k=r"\d+",
    conda:
        "../../envs/soundsight.yaml"
    params:
        labels=config["labels"],
        seed=config["seed"],
    script:
        "../scripts/cluster_labels.py"


rule code_labels:
    input:
        split=f"{R}/labels/split.csv",
        features=f"{R}/features/sound.npz",
    output:
        table=f"{R}/labels/codes_{{target}}.csv",
        model=f"{R}/labels/codes_{{target}}.npz",
        summary=f"{R}/labels/codes_{{target}}.json",
    log:
        f"{LOGS}/labels/codes_{{target}}.log",
    wildcard_constraints:
        target="binary|spectrum",
    conda:
        "../../envs/soundsight.yaml"
    params:
        labels=config["labels"],
        seed=config["seed"],
    script:
        "../scripts/code_labels.py"


rule scaling_effect:
    input:
        split=f"{R}/labels/split.csv",
        features=f"{R}/features/sound.npz",
    output:
        f"{R}/labels/scaling_effect.json",
    log:
        f"{LOGS}/labels/scaling_effect.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        labels=config["labels"],
        seed=config["seed"],
    script:
        "../scripts/scaling_effect.py"


rule texton_labels:
    input:
        split=f"{R}/labels/split.csv",
        index=f"{R}/ingest/index.csv",
        shards=shard_dirs(),
    output:
        table=f"{R}/labels/textons_k{{k}}.csv",
        model=f"{R}/labels/textons_k{{k}}.npz",
        summary=f"{R}/labels/textons_k{{k}}.json",
    log:
        f"{LOGS}/labels/textons_k{{k}}.log",
    wildcard_constraints:
        k=r"\d+",
    conda:
        "../../envs/soundsight.yaml"
    params:
        n_textons=config["pretext"]["texton_k"],
        seed=config["seed"],
    script:
        "../scripts/texton_labels.py"


rule world_targets:
    input:
        split=f"{R}/labels/split.csv",
        index=f"{R}/ingest/index.csv",
        groundtruth=f"{WORLD}/groundtruth",
    output:
        objects=f"{R}/labels/world_objects.csv",
        scene=f"{R}/labels/world_scene.csv",
    log:
        f"{LOGS}/labels/world_targets.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/world_targets.py"


rule annotation_labels:
    input:
        split=f"{R}/labels/split.csv",
        index=f"{R}/ingest/index.csv",
    output:
        table=f"{R}/labels/annotations.csv",
        vocab=f"{R}/labels/annotations_vocab.json",
    log:
        f"{LOGS}/labels/annotations.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/annotation_labels.py"
