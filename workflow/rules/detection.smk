# Table 3: Fast R-CNN detection fine-tuned from each model (Owens et al. §5.1).


rule detect:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        voc=voc_root(),
    output:
        summary=f"{R}/detection/{{model}}/detection.json",
        detections=f"{R}/detection/{{model}}/detections.csv",
    log:
        f"{LOGS}/detection/{{model}}.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        detection=config["detection"],
        seed=config["seed"],
        device=config["pretext"]["device"],
    script:
        "../scripts/detect.py"


rule table3:
    input:
        expand(
            f"{R}/detection/{{model}}/detection.json",
            model=available(config["detection"]["models"], "detection.models"),
        ),
    output:
        csv=f"{R}/tables/owens2018/table3.csv",
        md=report(
            f"{R}/tables/owens2018/table3.md",
            caption="../report/table3.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 3"},
        ),
        provenance=f"{R}/tables/owens2018/table3.provenance.json",
    log:
        f"{LOGS}/tables/table3.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=available(config["detection"]["models"], "detection.models"),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table3.py"
