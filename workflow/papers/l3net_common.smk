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


def l3net_targets():
    """L3-Net's Table 1 and audit (the default target's share)."""
    return [f"{R}/tables/l3net/table1.md", f"{R}/audit/l3net.md"]


if config["avc"]["enabled"]:
    PAPER_TARGETS["l3net"] = l3net_targets
