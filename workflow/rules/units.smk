# What the networks learn to detect: conv5 unit selectivity (Owens et al. §4, Zhou et al. 2015).


rule units_frames:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        index=f"{VIDEOS}/ingest/index.csv",
        split=f"{VIDEOS}/labels/split.csv",
        groundtruth=f"{VIDEOS}/world/groundtruth",
    output:
        labels=f"{R}/units/{{model}}/labels.csv",
        top=f"{R}/units/{{model}}/top.npz",
        table1_row=f"{R}/units/{{model}}/table1_row.json",
        png=report(
            f"{R}/figures/owens2018/units/{{model}}_top5.png",
            caption="../report/fig5.rst",
            category="Owens et al. 2018",
            subcategory="Figs. 5/8/14: top responses per unit",
            labels={"figure": "Figs. 5/8/14", "model": "{model}"},
        ),
        pdf=f"{R}/figures/owens2018/units/{{model}}_top5.pdf",
    log:
        f"{LOGS}/units/{{model}}.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    params:
        units=config["units"],
        device=config["probes"]["device"],
        batch_size=config["probes"]["batch_size"],
        seed=config["seed"],
    script:
        "../scripts/units_frames.py"


rule units_stills:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        voc=voc_root(),
    output:
        labels=f"{R}/units/{{model}}/stills_labels.csv",
        top=f"{R}/units/{{model}}/stills_top.npz",
    log:
        f"{LOGS}/units/{{model}}_stills.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    params:
        units=config["units"],
        device=config["probes"]["device"],
        batch_size=config["probes"]["batch_size"],
    script:
        "../scripts/units_stills.py"


rule unit_galleries:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        top=f"{R}/units/{{model}}/top.npz",
        index=f"{VIDEOS}/ingest/index.csv",
        split=f"{VIDEOS}/labels/split.csv",
    output:
        directory(f"{R}/units/{{model}}/gallery"),
    log:
        f"{LOGS}/units/{{model}}_gallery.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        units=config["units"],
        batch_size=config["probes"]["batch_size"],
    script:
        "../scripts/unit_galleries.py"


rule units_human:
    input:
        sheets=lambda w: config["units"]["human_sheets"][w.model],
    output:
        f"{R}/units/{{model}}/human_labels.csv",
    log:
        f"{LOGS}/units/{{model}}_human.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        threshold=config["units"]["threshold"],
    script:
        "../scripts/units_human.py"
