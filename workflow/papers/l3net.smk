# L3-Net: Table 1 (AVC accuracy, from the correspondence models' held-out pairs), Table 2 (sound
# classification, from the audio-stream probes of rule probe_avc_audio), Table 3 (image
# classification, from the vision-stream probes of rule probe_avc_image), Table 4 (NMI), the
# unit-preference counts and Fig. 10 (t-SNE), from the clips' embeddings of rules avc_embeddings
# and nmi_clusters, and the claims audit.
# Which models: l3net_common.smk; the models: config/models.tsv (paper `l3net`).


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    l3net_table1,
    l3net_table2,
    l3net_table3,
    l3net_table4,
    l3net_units,


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


rule l3net_table3:
    input:
        summaries=l3net_image_probes("json"),
    output:
        csv=f"{R}/tables/l3net/table3.csv",
        md=report(
            f"{R}/tables/l3net/table3.md",
            caption="../report/l3net/table3.rst",
            category="L3-Net",
            labels={"table": "Table 3"},
        ),
        provenance=f"{R}/tables/l3net/table3.provenance.json",
    log:
        f"{LOGS}/tables/l3net_table3.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=l3net_table3_models(),
        probe=config["avc"]["image_probe"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_table3.py"


rule l3net_table4:
    input:
        summaries=l3net_nmi("json"),
    output:
        csv=f"{R}/tables/l3net/table4.csv",
        md=report(
            f"{R}/tables/l3net/table4.md",
            caption="../report/l3net/table4.rst",
            category="L3-Net",
            labels={"table": "Table 4"},
        ),
        provenance=f"{R}/tables/l3net/table4.provenance.json",
    log:
        f"{LOGS}/tables/l3net_table4.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=l3net_table4_models(),
        table="table4",
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_clusters_table.py"


rule l3net_units:
    input:
        summaries=l3net_nmi("json"),
    output:
        csv=f"{R}/tables/l3net/units.csv",
        md=report(
            f"{R}/tables/l3net/units.md",
            caption="../report/l3net/units.rst",
            category="L3-Net",
            labels={"table": "Unit preference"},
        ),
        provenance=f"{R}/tables/l3net/units.provenance.json",
    log:
        f"{LOGS}/tables/l3net_units.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=[m for m in l3net_table4_models() if m != "random_assignment"],
        table="units",
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_clusters_table.py"


rule l3net_fig10:
    input:
        embeddings=l3net_embeddings(),
    output:
        png=report(
            f"{R}/figures/l3net/fig10.png",
            caption="../report/l3net/fig10.rst",
            category="L3-Net",
            labels={"figure": "Fig. 10"},
        ),
        pdf=f"{R}/figures/l3net/fig10.pdf",
        csv=f"{R}/figures/l3net/fig10.csv",
        provenance=f"{R}/figures/l3net/fig10.provenance.json",
    log:
        f"{LOGS}/figures/l3net_fig10.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        clusters=config["avc"]["clusters"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_fig10.py"


# Figs. 3-8: a few pool4 units of each subnet, their top-5 clips with the unit's conv4_2 map
rule l3net_unit_maps:
    input:
        model=f"{R}/models/l3/model.pt",
        spec=f"{R}/models/l3/model.json",
        embeddings=f"{R}/embeddings/l3/kinetics_sounds.npz",
        manifest=kinetics_manifest(),
    output:
        vision=report(
            f"{R}/figures/l3net/units_vision.png",
            caption="../report/l3net/unit_maps.rst",
            category="L3-Net",
            labels={"figure": "Figs. 3-8 (vision units)"},
        ),
        audio=report(
            f"{R}/figures/l3net/units_audio.png",
            caption="../report/l3net/unit_maps.rst",
            category="L3-Net",
            labels={"figure": "Figs. 3-8 (audio units)"},
        ),
        pdfs=[f"{R}/figures/l3net/units_{s}.pdf" for s in ("vision", "audio")],
        csv=f"{R}/figures/l3net/units.csv",
        provenance=f"{R}/figures/l3net/units.provenance.json",
    log:
        f"{LOGS}/figures/l3net_unit_maps.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        clusters=config["avc"]["clusters"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/l3net_unit_maps.py"


rule audit_l3net:
    input:
        pairs=avc_files(l3net_models(), "avc.npz"),
        heldout=avc_files(l3net_models(), "heldout.npz"),
        metrics=avc_files(l3net_models(), "metrics.json"),
        clips=l3net_audio_probes("npz"),
        images=l3net_image_probes("npz"),
        nmi=l3net_nmi("npz"),
        embeddings=l3net_embeddings(),
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
