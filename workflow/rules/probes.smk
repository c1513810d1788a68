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


# Pool4 embeddings of both streams of a correspondence model on the labelled clips (L3-Net
# Table 4, unit preference, Fig. 10; soundsight.probes.avc_embeddings)
rule avc_embeddings:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        manifest=kinetics_manifest(),
    output:
        embeddings=f"{R}/embeddings/{{model}}/kinetics_sounds.npz",
        summary=f"{R}/embeddings/{{model}}/kinetics_sounds.json",
        rejects=f"{R}/embeddings/{{model}}/kinetics_sounds_rejected.csv",
    log:
        f"{LOGS}/embeddings/{{model}}_kinetics_sounds.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        clusters=config["avc"]["clusters"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/avc_embeddings.py"


# k-means NMI and unit preference of a model's embeddings (soundsight.eval.clusters); the
# random-assignment baseline is the folder `random_assignment`, over the same clips as `l3`
ruleorder: nmi_random_assignment > nmi_clusters


rule nmi_clusters:
    input:
        embeddings=f"{R}/embeddings/{{model}}/kinetics_sounds.npz",
    output:
        clusters=f"{R}/nmi/{{model}}/nmi.npz",
        summary=f"{R}/nmi/{{model}}/nmi.json",
    log:
        f"{LOGS}/nmi/{{model}}.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        clusters=config["avc"]["clusters"],
        random=False,
        seed=config["seed"],
    script:
        "../scripts/nmi_clusters.py"


rule nmi_random_assignment:
    input:
        embeddings=f"{R}/embeddings/l3/kinetics_sounds.npz",
    output:
        clusters=f"{R}/nmi/random_assignment/nmi.npz",
        summary=f"{R}/nmi/random_assignment/nmi.json",
    log:
        f"{LOGS}/nmi/random_assignment.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        clusters=config["avc"]["clusters"],
        random=True,
        seed=config["seed"],
    script:
        "../scripts/nmi_clusters.py"


# A softmax linear layer on a two-stream model's frozen vision subnet, SUN-style scenes (L3-Net
# Table 3; soundsight.probes.linear); per-image correctness in the SUN probes' format
rule probe_avc_image:
    input:
        model=f"{R}/models/{{model}}/model.pt",
        spec=f"{R}/models/{{model}}/model.json",
        sun=sun_root(),
    output:
        summary=f"{R}/linear/{{model}}/sun.json",
        predictions=f"{R}/linear/{{model}}/sun_predictions.npz",
    log:
        f"{LOGS}/linear/{{model}}_sun.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        probe=config["avc"]["image_probe"],
        train_per_class=config["probes"]["sun_train_per_class"],
        device=config["probes"]["device"],
        seed=config["seed"],
    script:
        "../scripts/probe_avc_image.py"
