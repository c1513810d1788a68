# Linear SVM probes of frozen layers on VOC2007 and SUN397 (Owens et al. §5.1); clip probes of
# audio layers on ESC-50 / DCASE 2013 (a waveform net's layers; a multi-stream net's audio stream).


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


rule probe_avc_audio:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        root=lambda w: audio_probe_root(w.dataset),
    output:
        summary=f"{R}/probes/{{model}}/{{dataset}}_avc_audio.json",
        clips=f"{R}/probes/{{model}}/{{dataset}}_avc_audio.npz",
    log:
        f"{LOGS}/probes/{{model}}_{{dataset}}_avc_audio.log",
    wildcard_constraints:
        dataset="esc50|dcase2013",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        probe=config["avc"]["audio_probe"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/probe_avc_audio.py"
