# Figures and remaining tables of Owens et al. 2018 built from the data already in the DAG.


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
