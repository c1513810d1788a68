# Owens et al. 2018: which models of the sheet (config/models.tsv) each table, figure and the
# audit show, in the paper's row order. These are the paper's declarations, not a catalogue:
# what a model is (corpus, architecture, task, targets...) is written in the sheet only.

TABLE1 = ["sound_cluster", "scene"]  # detectors of the sound model vs the scene model
TABLE2 = [
    "sound_cluster",
    "sound_binary",
    "sound_spectrum",
    "texton_cnn",
    "object",
    "scene",
    "random",
    "kmeans",
]
FIG12 = [
    "audioset_cluster",
    "sound_cluster",
]  # AudioSet-analogue vs first-corpus cluster model
UNIT_CLAIMS = ["sound_cluster", "scene", "texton_cnn"]  # units the §4 claims compare


def table2_models():
    """Every replicated row of Table 2 (and Table 4)."""
    return available(TABLE2)


def table1_models():
    """Models compared in Table 1 (the sound model and the scene-supervised one)."""
    return available(TABLE1)


def fig12_models():
    """Fig. 12 compares the AudioSet-analogue Cluster model with the first corpus's."""
    return FIG12


def table5_rows():
    """Table 5 models -> the paper's rows (annotation model vs unsupervised sound labels)."""
    k = config["table5"]["cluster_k"]
    rows = {
        "annotations": "Annotations",
        "sound_binary": "Binary",
        "sound_cluster": f"Cluster ({K0} clusters)",
        f"sweep_k{k}": f"Cluster ({k} clusters)",
        "object": "ImageNet",
    }
    names = available(
        [m for m in rows if m in MODELS]
    )  # sweep_k<k> exists if k is swept
    return {m: rows[m] for m in names}


def audit_voc_models():
    """Models whose VOC test scores the audit resamples (Tables 2 and 5, the Fig. 11 sweep)."""
    voc = table2_models() + [m for m in table5_rows() if m not in table2_models()]
    return voc + [f"sweep_k{k}" for k in config["figure11"]["k"]]


def audit_unit_models():
    """Models whose unit labels the §4 claims compare (world only: they need object masks)."""
    if not is_world("videos"):
        return []
    analysed = available(config["units"]["models"], "units.models")
    return [m for m in available(UNIT_CLAIMS) if m in analysed] + available(
        ["audioset_cluster"]
    )


def owens2018_checked_models():
    """Trained models whose generalisation the power checks test (those the claims compare)."""
    return trained_among(audit_voc_models() + audit_unit_models())


def owens2018_targets():
    """Owens et al. 2018's tables, figures and audit (the default target's share)."""
    outs = []
    outs += [
        f"{R}/tables/owens2018/table2.md",
        f"{R}/tables/owens2018/cluster_accuracy.json",
        f"{R}/audit/owens2018.md",
        f"{R}/tables/owens2018/table4.md",
        f"{R}/figures/owens2018/fig2_texture_example.png",
        f"{R}/figures/owens2018/fig3_audio_clusters.png",
        f"{R}/figures/owens2018/fig10_cam_categories.png",
        f"{R}/figures/owens2018/fig11_map_vs_clusters.png",
        f"{R}/tables/owens2018/table3.md",
    ]
    if config["table5"]["annotations"]:
        outs.append(f"{R}/tables/owens2018/table5.md")
    # Figs. 12/13 label the second corpus's units with the world's object masks
    if "audioset_cluster" in available(FIG12):
        fig13 = f"{R}/figures/owens2018/fig13_audioset_instrument_units.png"
        outs.append(
            fig13 if is_world("videos") else f"{R}/models/audioset_cluster/model.pt"
        )
    outs += unit_outputs()
    return outs


def unit_outputs():
    """Unit-selectivity artifacts (they need the world's ground-truth masks)."""
    if not is_world("videos"):
        return []
    units = config["units"]
    outs = [
        f"{R}/figures/owens2018/fig4_detectors_vs_threshold.png",
        f"{R}/tables/owens2018/table1.md",
    ]
    outs += [
        f"{R}/figures/owens2018/units/{m}_top5.png"
        for m in available(units["models"], "units.models")
    ]
    outs += [
        f"{R}/units/{m}/gallery"
        for m in available(units["gallery_models"], "units.gallery_models")
    ]
    outs += [f"{R}/units/{m}/human_labels.csv" for m in units["human_sheets"]]
    return outs


PAPER_TARGETS["owens2018"] = owens2018_targets
