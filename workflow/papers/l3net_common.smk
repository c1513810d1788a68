# L3-Net (shared/papers/002_*): which models of the sheet (config/models.tsv, paper `l3net`) its
# Table 1 and audit show; its targets join the default target only when `avc.enabled`.
import soundsight.papers.l3net.tables as l3net_tables

MODELS_DIR = f"{R}/models"


def l3net_models():
    """Table 1's replicated model in this DAG (`l3`; `avc.enabled`)."""
    return available(list(l3net_tables.TABLE1_MODELS))


def avc_files(models, name):
    """`<results>/models/<model>/<name>` of each correspondence model."""
    return [f"{MODELS_DIR}/{m}/{name}" for m in models]


def l3net_table2_models():
    """Table 2's replicated models in this DAG (`l3`, `l3_untrained`; `avc.enabled`)."""
    return available(list(l3net_tables.TABLE2_MODELS))


def l3net_audio_probes(suffix="json"):
    """`<results>/probes/<model>/<dataset>_avc_audio.<suffix>` of Table 2's models, ESC-50 and
    DCASE 2013 each (rule probe_avc_audio)."""
    return [
        f"{R}/probes/{m}/{d}_{l3net_tables.AUDIO_PROBE}.{suffix}"
        for m in l3net_table2_models()
        for d in l3net_tables.TABLE2_DATASETS.values()
    ]


def l3net_table3_models():
    """Table 3's replicated models in this DAG (`l3`, `l3_untrained`; `avc.enabled`)."""
    return available(list(l3net_tables.TABLE3_MODELS))


def l3net_image_probes(suffix="json"):
    """`<results>/linear/<model>/sun.json` (or `sun_predictions.npz`) of Table 3's models
    (rule probe_avc_image)."""
    name = "sun.json" if suffix == "json" else "sun_predictions.npz"
    return [f"{R}/linear/{m}/{name}" for m in l3net_table3_models()]


def l3net_table4_models():
    """Table 4's embedded models in this DAG (`l3`, `l3_untrained`; `avc.enabled`); with `l3`
    comes the random-assignment baseline over its clips."""
    models = available(list(l3net_tables.TABLE4_MODELS))
    return models + [l3net_tables.RANDOM_ASSIGNMENT] if "l3" in models else models


def l3net_nmi(suffix="json"):
    """`<results>/nmi/<model>/nmi.<suffix>` of Table 4's rows (rules nmi_clusters and
    nmi_random_assignment)."""
    return [f"{R}/nmi/{m}/nmi.{suffix}" for m in l3net_table4_models()]


def l3net_embeddings():
    """`<results>/embeddings/<model>/kinetics_sounds.npz` of Fig. 10's models (trained first)."""
    return [
        f"{R}/embeddings/{m}/kinetics_sounds.npz"
        for m in available(list(l3net_tables.TABLE4_MODELS))
    ]


def l3net_targets():
    """L3-Net's Tables 1-4, the unit-preference counts, Fig. 10, the units' top clips with
    heat maps (Figs. 3-8) and its audit (the default target's share)."""
    names = ("table1", "table2", "table3", "table4", "units")
    tables = [f"{R}/tables/l3net/{n}.md" for n in names]
    units = [f"{R}/figures/l3net/units_{s}.png" for s in ("vision", "audio")]
    return [*tables, f"{R}/figures/l3net/fig10.png", *units, f"{R}/audit/l3net.md"]


if config["avc"]["enabled"]:
    PAPER_TARGETS["l3net"] = l3net_targets
