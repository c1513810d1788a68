# Linear SVM probes of frozen layers on VOC2007 and SUN397 (Owens et al. §5.1).


rule probe_voc:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        voc=voc_root(),
    output:
        summary=f"{R}/probes/{{model}}/voc.json",
        scores=f"{R}/probes/{{model}}/voc_scores.npz",
    log:
        f"{LOGS}/probes/{{model}}_voc.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        probes=config["probes"],
        seed=config["seed"],
    script:
        "../scripts/probe_voc.py"


rule probe_sun:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        sun=sun_root(),
    output:
        summary=f"{R}/probes/{{model}}/sun.json",
        predictions=f"{R}/probes/{{model}}/sun_predictions.npz",
    log:
        f"{LOGS}/probes/{{model}}_sun.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        probes=config["probes"],
        seed=config["seed"],
    script:
        "../scripts/probe_sun.py"


rule probe_audio_layers:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        root=lambda w: audio_probe_root(w.dataset),
    output:
        summary=f"{R}/probes/{{model}}/{{dataset}}_layers.json",
        clips=f"{R}/probes/{{model}}/{{dataset}}_layers.npz",
    log:
        f"{LOGS}/probes/{{model}}_{{dataset}}_layers.log",
    wildcard_constraints:
        dataset="esc50|dcase2013",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        layers=config["soundnet"]["probe_layers"],
        cost=config["soundnet"]["probe_cost"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/probe_audio_layers.py"
