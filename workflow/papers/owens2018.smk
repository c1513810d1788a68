# Owens et al. 2018: the paper's aggregate rules (tables, figures, the claims audit). Which
# models each shows is declared in owens2018_common.smk; what a model is, in config/models.tsv.


# Tables and figures made from small summaries run on the submitting host under a cluster
# executor (seconds at any scale; a cluster job would spend longer queueing and starting).
localrules:
    table1,
    table2,
    table3,
    table4,
    table5,
    fig11_cluster_sweep,


rule table2:
    input:
        voc=expand(f"{R}/probes/{{model}}/voc.json", model=table2_models()),
        sun=expand(f"{R}/probes/{{model}}/sun.json", model=table2_models()),
    output:
        csv=f"{R}/tables/owens2018/table2.csv",
        md=report(
            f"{R}/tables/owens2018/table2.md",
            caption="../report/table2.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 2"},
        ),
        provenance=f"{R}/tables/owens2018/table2.provenance.json",
    log:
        f"{LOGS}/tables/table2.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=table2_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table2.py"


rule audit_owens2018:
    input:
        voc=expand(f"{R}/probes/{{model}}/voc_scores.npz", model=audit_voc_models()),
        sun=expand(f"{R}/probes/{{model}}/sun_predictions.npz", model=table2_models()),
        unit_labels=expand(f"{R}/units/{{model}}/labels.csv", model=audit_unit_models()),
        cluster=f"{R}/tables/owens2018/cluster_predictions.npz",
        summary=f"{R}/tables/owens2018/cluster_accuracy.json",
        heldout=heldout_files(owens2018_checked_models()),
        metrics=heldout_files(owens2018_checked_models(), "metrics.json"),
    output:
        csv=f"{R}/audit/owens2018.csv",
        md=report(
            f"{R}/audit/owens2018.md",
            caption="../report/audit_owens2018.rst",
            category="Owens et al. 2018",
            labels={"table": "Claims audit"},
        ),
        provenance=f"{R}/audit/owens2018.provenance.json",
    log:
        f"{LOGS}/audit/owens2018.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        n_boot=config["audit"]["bootstrap"],
        pretext_models=owens2018_checked_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/audit_owens2018.py"


rule fig2_texture_example:
    input:
        index=f"{VIDEOS}/ingest/index.csv",
        features=f"{VIDEOS}/features/sound.npz",
    output:
        png=report(
            f"{R}/figures/owens2018/fig2_texture_example.png",
            caption="../report/fig2.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 2"},
        ),
        pdf=f"{R}/figures/owens2018/fig2_texture_example.pdf",
        summary=f"{R}/figures/owens2018/fig2_texture_example.json",
    log:
        f"{LOGS}/figures/fig2.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        seed=config["seed"],
    script:
        "../scripts/fig2_texture_example.py"


rule fig3_audio_clusters:
    input:
        index=f"{VIDEOS}/ingest/index.csv",
        features=f"{VIDEOS}/features/sound.npz",
        table=f"{VIDEOS}/labels/clusters_k{K0}.csv",
        model=f"{VIDEOS}/labels/clusters_k{K0}.npz",
    output:
        png=report(
            f"{R}/figures/owens2018/fig3_audio_clusters.png",
            caption="../report/fig3.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 3"},
        ),
        pdf=f"{R}/figures/owens2018/fig3_audio_clusters.pdf",
        summary=f"{R}/figures/owens2018/fig3_audio_clusters.json",
    log:
        f"{LOGS}/figures/fig3.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        seed=config["seed"],
        n_clusters=min(5, K0),
    script:
        "../scripts/fig3_audio_clusters.py"


rule table4:
    input:
        voc=expand(f"{R}/probes/{{model}}/voc.json", model=table2_models()),
        audio_class=f"{R}/probes/sound_cluster_cam/voc_audio_class.json",
    output:
        csv=f"{R}/tables/owens2018/table4.csv",
        md=report(
            f"{R}/tables/owens2018/table4.md",
            caption="../report/table4.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 4"},
        ),
        provenance=f"{R}/tables/owens2018/table4.provenance.json",
    log:
        f"{LOGS}/tables/table4.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=table2_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table4.py"


rule cam_figures:
    input:
        model=f"{R}/models/sound_cluster_cam/model.pt",
        spec=f"{R}/models/sound_cluster_cam/model.json",
        index=f"{VIDEOS}/ingest/index.csv",
        split=f"{VIDEOS}/labels/split.csv",
    output:
        fig9=report(
            f"{R}/figures/owens2018/fig9_cam_two_categories.png",
            caption="../report/fig9.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 9"},
        ),
        fig10=report(
            f"{R}/figures/owens2018/fig10_cam_categories.png",
            caption="../report/fig10.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 10"},
        ),
        summary=f"{R}/figures/owens2018/cam_figures.json",
    log:
        f"{LOGS}/figures/cam.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    params:
        device=config["probes"]["device"],
        batch_size=config["probes"]["batch_size"],
    script:
        "../scripts/cam_figures.py"


rule probe_audio_class:
    input:
        model=f"{R}/models/sound_cluster_cam/model.pt",
        spec=f"{R}/models/sound_cluster_cam/model.json",
        voc=voc_root(),
    output:
        summary=f"{R}/probes/sound_cluster_cam/voc_audio_class.json",
        scores=f"{R}/probes/sound_cluster_cam/voc_audio_class_scores.npz",
    log:
        f"{LOGS}/probes/sound_cluster_cam_audio_class.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: 2
    params:
        probes=config["probes"],
        seed=config["seed"],
    script:
        "../scripts/probe_audio_class.py"


rule fig11_cluster_sweep:
    input:
        expand(f"{R}/probes/sweep_k{{k}}/voc.json", k=config["figure11"]["k"]),
    output:
        png=report(
            f"{R}/figures/owens2018/fig11_map_vs_clusters.png",
            caption="../report/fig11.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 11"},
        ),
        csv=f"{R}/figures/owens2018/fig11_map_vs_clusters.csv",
    log:
        f"{LOGS}/figures/fig11.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        k=config["figure11"]["k"],
        layer=config["figure11"]["layer"],
    script:
        "../scripts/fig11_cluster_sweep.py"


rule table5:
    input:
        expand(f"{R}/probes/{{model}}/voc.json", model=table5_rows()),
    output:
        csv=f"{R}/tables/owens2018/table5.csv",
        md=report(
            f"{R}/tables/owens2018/table5.md",
            caption="../report/table5.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 5"},
        ),
        provenance=f"{R}/tables/owens2018/table5.provenance.json",
    log:
        f"{LOGS}/tables/table5.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        rows=table5_rows(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table5.py"


# Figs. 12/13 (§6): the Cluster model of the second, AudioSet-like corpus (`audioset_cluster`
# in the model sheet); its units are labelled on the first corpus's held-out frames.
rule fig12_13_audioset_units:
    input:
        labels=expand(f"{R}/units/{{model}}/labels.csv", model=fig12_models()),
        top=f"{R}/units/audioset_cluster/top.npz",
        spec=f"{R}/models/audioset_cluster/model.json",
        model=f"{R}/models/audioset_cluster/model.pt",
        index=f"{VIDEOS}/ingest/index.csv",
        split=f"{VIDEOS}/labels/split.csv",
    output:
        fig12=report(
            f"{R}/figures/owens2018/fig12_audioset_detector_histograms.png",
            caption="../report/fig12.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 12"},
        ),
        fig13=report(
            f"{R}/figures/owens2018/fig13_audioset_instrument_units.png",
            caption="../report/fig13.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 13"},
        ),
        summary=f"{R}/figures/owens2018/fig12_13_summary.json",
    log:
        f"{LOGS}/figures/fig12_13.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=fig12_models(),
        units=config["units"],
        seed=config["seed"],
    script:
        "../scripts/fig12_13_audioset_units.py"


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


rule unit_figures:
    input:
        top=expand(
            f"{R}/units/{{model}}/top.npz",
            model=available(config["units"]["models"], "units.models"),
        ),
        labels=expand(
            f"{R}/units/{{model}}/labels.csv",
            model=available(config["units"]["models"], "units.models"),
        ),
        stills=expand(
            f"{R}/units/{{model}}/stills_labels.csv",
            model=available(config["units"]["models"], "units.models"),
        ),
    output:
        fig4=report(
            f"{R}/figures/owens2018/fig4_detectors_vs_threshold.png",
            caption="../report/fig4.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 4"},
        ),
        fig6=report(
            f"{R}/figures/owens2018/fig6_detector_histograms.png",
            caption="../report/fig6.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 6"},
        ),
        fig7=report(
            f"{R}/figures/owens2018/fig7_detector_histograms_stills.png",
            caption="../report/fig7.rst",
            category="Owens et al. 2018",
            labels={"figure": "Fig. 7"},
        ),
    log:
        f"{LOGS}/figures/units.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=available(config["units"]["models"], "units.models"),
    script:
        "../scripts/unit_figures.py"


rule table1:
    input:
        rows=expand(f"{R}/units/{{model}}/table1_row.json", model=table1_models()),
    output:
        csv=f"{R}/tables/owens2018/table1.csv",
        md=report(
            f"{R}/tables/owens2018/table1.md",
            caption="../report/table1.rst",
            category="Owens et al. 2018",
            labels={"table": "Table 1"},
        ),
        provenance=f"{R}/tables/owens2018/table1.provenance.json",
    log:
        f"{LOGS}/tables/table1.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        models=table1_models(),
        config=config,
        seed=config["seed"],
    script:
        "../scripts/table1.py"


rule cluster_accuracy:
    input:
        model=f"{R}/models/sound_cluster/model.pt",
        spec=f"{R}/models/sound_cluster/model.json",
        labels=f"{VIDEOS}/labels/clusters_k{K0}.csv",
        index=f"{VIDEOS}/ingest/index.csv",
        shards=shard_dirs("videos"),
    output:
        summary=f"{R}/tables/owens2018/cluster_accuracy.json",
        predictions=f"{R}/tables/owens2018/cluster_predictions.npz",
    log:
        f"{LOGS}/tables/cluster_accuracy.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        pretext=config["pretext"],
        seed=config["seed"],
        k=K0,
    script:
        "../scripts/cluster_accuracy.py"
