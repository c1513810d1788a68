# Objects that Sound: the AVC comparison (AVE / L3 x shortcut prevention on / off) and the claims
# audit. Which models: objects_sound_common.smk; the models: config/models.tsv.


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    objects_sound_avc,


rule objects_sound_avc:
    input:
        metrics=avc_files(objects_sound_models(), "metrics.json"),
    output:
        csv=f"{R}/tables/objects_sound/avc.csv",
        md=report(
            f"{R}/tables/objects_sound/avc.md",
            caption="../report/objects_sound/avc.rst",
            category="Objects that Sound",
            labels={"table": "AVC comparison"},
        ),
        provenance=f"{R}/tables/objects_sound/avc.provenance.json",
    log:
        f"{LOGS}/tables/objects_sound_avc.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=objects_sound_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/objects_sound_avc.py"


rule audit_objects_sound:
    input:
        pairs=avc_files(objects_sound_models(), "avc.npz"),
        heldout=avc_files(objects_sound_models(), "heldout.npz"),
        metrics=avc_files(objects_sound_models(), "metrics.json"),
    output:
        csv=f"{R}/audit/objects_sound.csv",
        md=report(
            f"{R}/audit/objects_sound.md",
            caption="../report/objects_sound/audit.rst",
            category="Objects that Sound",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/objects_sound.provenance.json",
    log:
        f"{LOGS}/audit/objects_sound.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=objects_sound_models(),
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_objects_sound.py"
