# SoundNet baselines computed on the probe sets: SoundNet-8 / SoundNet-5 trained from scratch on
# each ESC-50 fold's training recordings (Table 5, Scratch Init) and the SVM-MFCC baseline
# (Tables 3 and 4). Read by Tables 3-5 and the audit (soundnet.smk).


rule probe_scratch:
    input:
        root=audio_probe_root("esc50"),
    output:
        summary=report(
            f"{R}/probes/scratch/{{arch}}/esc50.json",
            caption="../report/soundnet/scratch.rst",
            category="SoundNet",
            labels={"baseline": "scratch", "model": "{arch}"},
        ),
        clips=f"{R}/probes/scratch/{{arch}}/esc50.npz",
        provenance=f"{R}/probes/scratch/{{arch}}/esc50.provenance.json",
    log:
        f"{LOGS}/probes/scratch_{{arch}}_esc50.log",
    wildcard_constraints:
        arch="soundnet8|soundnet5",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2  # the 30-minute budget's 2 cores: training is most of the rule's time
    params:
        scratch=config["soundnet"]["baselines"]["scratch"],
        width=config["soundnet"]["width"],
        lr=config["soundnet"]["lr"],
        cost=config["soundnet"]["probe_cost"],
        device=config["probes"]["device"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/probe_scratch.py"


rule probe_mfcc:
    input:
        root=lambda w: audio_probe_root(w.dataset),
    output:
        summary=report(
            f"{R}/probes/mfcc_svm/{{dataset}}.json",
            caption="../report/soundnet/mfcc.rst",
            category="SoundNet",
            labels={"baseline": "SVM-MFCC", "dataset": "{dataset}"},
        ),
        clips=f"{R}/probes/mfcc_svm/{{dataset}}.npz",
        provenance=f"{R}/probes/mfcc_svm/{{dataset}}.provenance.json",
    log:
        f"{LOGS}/probes/mfcc_svm_{{dataset}}.log",
    wildcard_constraints:
        dataset="esc50|dcase2013",
    conda:
        "../../envs/soundsight.yaml"
    params:
        mfcc=config["soundnet"]["baselines"]["mfcc"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/probe_mfcc.py"
