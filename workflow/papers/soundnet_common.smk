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
    """SoundNet's Tables 3 and 4 (the default target's share)."""
    return [
        f"{R}/tables/soundnet/table3.md",
        f"{R}/tables/soundnet/table4.md",
        *soundnet_baseline_files(),
    ]


if config["soundnet"]["enabled"]:
    PAPER_TARGETS["soundnet"] = soundnet_targets


def soundnet_baseline_files():
    """The baselines computed here (soundnet_baselines.smk): the from-scratch nets' ESC probes
    (Table 5) and the SVM-MFCC summaries (Tables 3 and 4)."""
    scratch = config["soundnet"]["baselines"]["scratch"]["models"]
    return [f"{R}/probes/scratch/{a}/esc50.json" for a in scratch] + [
        f"{R}/probes/mfcc_svm/{d}.json" for d in ("esc50", "dcase2013")
    ]
