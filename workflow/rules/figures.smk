# Figures and remaining tables of Owens et al. 2018 built from the data already in the DAG.


rule fig2_texture_example:
    input:
        index=f"{R}/ingest/index.csv",
        features=f"{R}/features/sound.npz",
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
        index=f"{R}/ingest/index.csv",
        features=f"{R}/features/sound.npz",
        table=f"{R}/labels/clusters_k{K0}.csv",
        model=f"{R}/labels/clusters_k{K0}.npz",
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
