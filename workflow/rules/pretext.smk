# Pretext CNNs (Owens et al. §3.2) and the initialisation baselines of Table 2.


rule train_pretext:
    input:
        unpack(task_frames),
        labels=lambda w: train_task(w.model)["labels"],
    output:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        metrics=f"{R}/models/{{model}}/metrics.json",
        heldout=f"{R}/models/{{model}}/heldout.npz",
    log:
        f"{LOGS}/models/{{model}}.log",
    wildcard_constraints:
        model="|".join(pretext_models()),
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    resources:
        gpu=1,
    params:
        pretext=config["pretext"],
        seed=config["seed"],
        task=lambda w: train_task(w.model),
    script:
        "../scripts/train_pretext.py"


rule init_baseline:
    input:
        unpack(init_frames),
    output:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        metrics=f"{R}/models/{{model}}/metrics.json",
    log:
        f"{LOGS}/models/{{model}}.log",
    wildcard_constraints:
        model="|".join(init_models()),
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    params:
        pretext=lambda w: init_pretext(w.model),
        method=lambda w: MODELS[w.model].targets,
        seed=config["seed"],
        num_outputs=lambda w: MODELS[w.model].n_classes,
    script:
        "../scripts/init_baseline.py"


rule avc_pairs:
    input:
        heldout=f"{R}/models/{{model}}/heldout.npz",
        split=lambda w: train_task(w.model)["labels"],
    output:
        pairs=f"{R}/models/{{model}}/avc.npz",
    log:
        f"{LOGS}/models/{{model}}.avc.log",
    wildcard_constraints:
        model=one_of(avc_models()),
    conda:
        "../../envs/soundsight.yaml"
    script:
        "../scripts/avc_pairs.py"
