# Labels the pretext CNNs learn, per corpus: k-means clusters (of the texture or of another
# feature, e.g. MFCC), binary codes, spectrum codes, texton clusters and, on the world, its
# object/scene labels.


rule split_frames:
    input:
        f"{CORPUS}/ingest/index.csv",
    output:
        f"{CORPUS}/labels/split.csv",
    log:
        f"{CORPUS_LOGS}/labels/split.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        test_fraction=config["labels"]["test_fraction"],
        seed=config["seed"],
    script:
        "../scripts/split_frames.py"


rule cluster_labels:
    input:
        split=f"{CORPUS}/labels/split.csv",
        features=f"{CORPUS}/features/sound.npz",
    output:
        table=f"{CORPUS}/labels/clusters_k{{k}}.csv",
        model=f"{CORPUS}/labels/clusters_k{{k}}.npz",
        summary=f"{CORPUS}/labels/clusters_k{{k}}.json",
    log:
        f"{CORPUS_LOGS}/labels/clusters_k{{k}}.log",
    wildcard_constraints:
        k=r"\d+",
    conda:
        "../../envs/soundsight.yaml"
    params:
        labels=config["labels"],
        seed=config["seed"],
    script:
        "../scripts/cluster_labels.py"


# k-means labels of another feature than the texture (e.g. MFCC), clustered the same way
rule feature_cluster_labels:
    input:
        split=f"{CORPUS}/labels/split.csv",
        features=f"{CORPUS}/features/sound.npz",
    output:
        table=f"{CORPUS}/labels/clusters_{{feature}}_k{{k}}.csv",
        model=f"{CORPUS}/labels/clusters_{{feature}}_k{{k}}.npz",
        summary=f"{CORPUS}/labels/clusters_{{feature}}_k{{k}}.json",
    log:
        f"{CORPUS_LOGS}/labels/clusters_{{feature}}_k{{k}}.log",
    wildcard_constraints:
        feature=one_of([f for f in config["features"]["names"] if f != "texture"]),
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
        split=f"{CORPUS}/labels/split.csv",
        features=f"{CORPUS}/features/sound.npz",
    output:
        table=f"{CORPUS}/labels/codes_{{target}}.csv",
        model=f"{CORPUS}/labels/codes_{{target}}.npz",
        summary=f"{CORPUS}/labels/codes_{{target}}.json",
    log:
        f"{CORPUS_LOGS}/labels/codes_{{target}}.log",
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
        split=f"{CORPUS}/labels/split.csv",
        features=f"{CORPUS}/features/sound.npz",
    output:
        f"{CORPUS}/labels/scaling_effect.json",
    log:
        f"{CORPUS_LOGS}/labels/scaling_effect.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        labels=config["labels"],
        seed=config["seed"],
    script:
        "../scripts/scaling_effect.py"


rule texton_labels:
    input:
        split=f"{CORPUS}/labels/split.csv",
        index=f"{CORPUS}/ingest/index.csv",
        shards=lambda w: shard_dirs(w.corpus),
    output:
        table=f"{CORPUS}/labels/textons_k{{k}}.csv",
        model=f"{CORPUS}/labels/textons_k{{k}}.npz",
        summary=f"{CORPUS}/labels/textons_k{{k}}.json",
    log:
        f"{CORPUS_LOGS}/labels/textons_k{{k}}.log",
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
        split=f"{CORPUS}/labels/split.csv",
        index=f"{CORPUS}/ingest/index.csv",
        groundtruth=f"{CORPUS}/world/groundtruth",
    output:
        objects=f"{CORPUS}/labels/world_objects.csv",
        scene=f"{CORPUS}/labels/world_scene.csv",
    log:
        f"{CORPUS_LOGS}/labels/world_targets.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/world_targets.py"


rule annotation_labels:
    input:
        split=f"{CORPUS}/labels/split.csv",
        index=f"{CORPUS}/ingest/index.csv",
    output:
        table=f"{CORPUS}/labels/annotations.csv",
        vocab=f"{CORPUS}/labels/annotations_vocab.json",
    log:
        f"{CORPUS_LOGS}/labels/annotations.log",
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/annotation_labels.py"
