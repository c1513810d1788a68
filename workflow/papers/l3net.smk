# L3-Net: Table 1 (AVC accuracy, from the correspondence models' held-out pairs), Table 2 (sound
# classification, from the audio-stream probes of rule probe_avc_audio) and the claims audit.
# Which models: l3net_common.smk; the models: config/models.tsv (paper `l3net`).


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    l3net_table1,
    l3net_table2,


rule l3net_table1:
    input:
        metrics=avc_files(l3net_models(), "metrics.json"),
    output:
        csv=f"{R}/tables/l3net/table1.csv",
        md=report(
            f"{R}/tables/l3net/table1.md",
            caption="../report/l3net/table1.rst",
            category="L3-Net",
            labels={"table": "Table 1"},
        ),
        provenance=f"{R}/tables/l3net/table1.provenance.json",
    log:
        f"{LOGS}/tables/l3net_table1.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=l3net_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_table1.py"


rule l3net_table2:
    input:
        summaries=l3net_audio_probes("json"),
    output:
        csv=f"{R}/tables/l3net/table2.csv",
        md=report(
            f"{R}/tables/l3net/table2.md",
            caption="../report/l3net/table2.rst",
            category="L3-Net",
            labels={"table": "Table 2"},
        ),
        provenance=f"{R}/tables/l3net/table2.provenance.json",
    log:
        f"{LOGS}/tables/l3net_table2.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=l3net_table2_models(),
        probe=config["avc"]["audio_probe"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_table2.py"


rule audit_l3net:
    input:
        pairs=avc_files(l3net_models(), "avc.npz"),
        heldout=avc_files(l3net_models(), "heldout.npz"),
        metrics=avc_files(l3net_models(), "metrics.json"),
        clips=l3net_audio_probes("npz"),
    output:
        csv=f"{R}/audit/l3net.csv",
        md=report(
            f"{R}/audit/l3net.md",
            caption="../report/l3net/audit.rst",
            category="L3-Net",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/l3net.provenance.json",
    log:
        f"{LOGS}/audit/l3net.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=l3net_models(),
        table2_models=l3net_table2_models(),
        n_boot=config["audit"]["bootstrap"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_l3net.py"
