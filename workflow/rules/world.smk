# The embedded AmbientWorld: raw videos and labelled image sets in official layouts.


rule world_videos:
    output:
        manifest=f"{WORLD}/videos.csv",
        bad=f"{WORLD}/bad_videos.csv",
        videos=directory(f"{WORLD}/videos"),
        groundtruth=directory(f"{WORLD}/groundtruth"),
        summary=f"{WORLD}/world.json",
    log:
        f"{LOGS}/world/videos.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=config["ingest"]["audio_rate"],
    script:
        "../scripts/world_videos.py"


rule world_voc:
    output:
        directory(f"{WORLD}/VOC2007"),
    log:
        f"{LOGS}/world/voc.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=config["ingest"]["audio_rate"],
        part="voc",
    script:
        "../scripts/world_images.py"


rule world_sun:
    output:
        directory(f"{WORLD}/SUN397"),
    log:
        f"{LOGS}/world/sun.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["world"]["n_workers"]
    params:
        world=config["world"],
        seed=config["seed"],
        audio_rate=config["ingest"]["audio_rate"],
        part="sun",
    script:
        "../scripts/world_images.py"
