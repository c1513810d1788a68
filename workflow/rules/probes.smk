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
