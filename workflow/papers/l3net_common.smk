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


def l3net_targets():
    """L3-Net's Tables 1 and 2 and its audit (the default target's share)."""
    tables = [f"{R}/tables/l3net/table{n}.md" for n in (1, 2)]
    return [*tables, f"{R}/audit/l3net.md"]


if config["avc"]["enabled"]:
    PAPER_TARGETS["l3net"] = l3net_targets
