# SoundNet: Fig. 3 (confusions of the ESC-50 and DCASE 2013 probes), Fig. 4 (t-SNE of conv7
# features of the ESC-50 recordings), Fig. 5 (conv1 filters and their spectra) of the sheet's
# soundnet8. Which model and which sets: soundnet_common.smk.
SOUNDNET_FIGS = f"{R}/figures/soundnet"
SOUNDNET_FIG_MODEL = f"{R}/models/{soundnet_tables.SOUNDNET8}"
# the probe outputs <dataset>_layers.{json,npz} of Fig. 3
SOUNDNET_FIG_PROBES = f"{R}/probes/{soundnet_tables.SOUNDNET8}"
SOUNDNET_FIG_CFG = config["soundnet"]["figures"]


# Figs. 3 and 5 read small files (probe arrays, a small checkpoint): run on the submitting host.
localrules:
    soundnet_fig3,
    soundnet_fig5,


rule soundnet_fig3:
    input:
        clips=[f"{SOUNDNET_FIG_PROBES}/{d}_layers.npz" for d in SOUNDNET_FIGURE_SETS],
        summaries=[
            f"{SOUNDNET_FIG_PROBES}/{d}_layers.json" for d in SOUNDNET_FIGURE_SETS
        ],
        roots=[audio_probe_root(d) for d in SOUNDNET_FIGURE_SETS],
    output:
        png=report(
            f"{SOUNDNET_FIGS}/fig3_confusion.png",
            caption="../report/soundnet/fig3.rst",
            category="SoundNet",
            labels={"figure": "Fig. 3"},
        ),
        pdf=f"{SOUNDNET_FIGS}/fig3_confusion.pdf",
        csv=f"{SOUNDNET_FIGS}/fig3_confusion.csv",
        provenance=f"{SOUNDNET_FIGS}/fig3_confusion.provenance.json",
    log:
        f"{LOGS}/figures/soundnet_fig3.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        datasets=list(SOUNDNET_FIGURE_SETS),
        layer=config["soundnet"]["table_layer"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_fig3.py"


rule soundnet_fig4:
    input:
        model=f"{SOUNDNET_FIG_MODEL}/model.pt",
        spec=f"{SOUNDNET_FIG_MODEL}/model.json",
        root=audio_probe_root("esc50"),
    output:
        png=report(
            f"{SOUNDNET_FIGS}/fig4_tsne.png",
            caption="../report/soundnet/fig4.rst",
            category="SoundNet",
            labels={"figure": "Fig. 4"},
        ),
        pdf=f"{SOUNDNET_FIGS}/fig4_tsne.pdf",
        csv=f"{SOUNDNET_FIGS}/fig4_tsne.csv",
        provenance=f"{SOUNDNET_FIGS}/fig4_tsne.provenance.json",
    log:
        f"{LOGS}/figures/soundnet_fig4.log",
    conda:
        "../../envs/soundsight.yaml"
    threads: config["probes"]["n_jobs"]
    params:
        layer=SOUNDNET_FIG_CFG["tsne_layer"],
        points=SOUNDNET_FIG_CFG["tsne_points"],
        perplexity=SOUNDNET_FIG_CFG["tsne_perplexity"],
        device=config["probes"]["device"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_fig4.py"


rule soundnet_fig5:
    input:
        model=f"{SOUNDNET_FIG_MODEL}/model.pt",
        spec=f"{SOUNDNET_FIG_MODEL}/model.json",
    output:
        png=report(
            f"{SOUNDNET_FIGS}/fig5_conv1.png",
            caption="../report/soundnet/fig5.rst",
            category="SoundNet",
            labels={"figure": "Fig. 5"},
        ),
        pdf=f"{SOUNDNET_FIGS}/fig5_conv1.pdf",
        csv=f"{SOUNDNET_FIGS}/fig5_conv1.csv",
        provenance=f"{SOUNDNET_FIGS}/fig5_conv1.provenance.json",
    log:
        f"{LOGS}/figures/soundnet_fig5.log",
    conda:
        "../../envs/soundsight.yaml"
    params:
        fft_size=SOUNDNET_FIG_CFG["fft_size"],
        config=config,
        seed=config["seed"],
    script:
        "../scripts/soundnet_fig5.py"
