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
