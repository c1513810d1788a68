# SoundNet (shared/papers/003_*): which models of the sheet (config/models.tsv, paper `soundnet`)
# its tables show; its targets join the default target only when `soundnet.enabled`.
import soundsight.papers.soundnet.tables as soundnet_tables


def soundnet_models():
    """The distilled students of Tables 3 and 4 in this DAG (soundnet8)."""
    return available(list(soundnet_tables.TABLE34_MODELS))


def audio_probe_files(models, dataset, suffix="json"):
    """`<results>/probes/<model>/<dataset>_layers.<suffix>` of each model."""
    return [f"{R}/probes/{m}/{dataset}_layers.{suffix}" for m in models]


def soundnet_targets():
    """SoundNet's Tables 3 and 4 and Figs. 3-5 (the default target's share)."""
    return [
        f"{R}/tables/soundnet/table3.md",
        f"{R}/tables/soundnet/table4.md",
    ] + soundnet_figure_targets()


def soundnet_figure_model():
    """The model Figs. 3-5 show: the sheet's soundnet8 when this DAG makes it, else None."""
    return next(iter(available([soundnet_tables.SOUNDNET8])), None)


SOUNDNET_FIGURE_SETS = ("esc50", "dcase2013")  # Fig. 3's panels, in order


def soundnet_figure_targets():
    """`<results>/figures/soundnet/fig{3,4,5}_*.png` (none without soundnet8)."""
    if soundnet_figure_model() is None:
        return []
    names = ("fig3_confusion", "fig4_tsne", "fig5_conv1")
    return [f"{R}/figures/soundnet/{n}.png" for n in names]


if config["soundnet"]["enabled"]:
    PAPER_TARGETS["soundnet"] = soundnet_targets
