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
