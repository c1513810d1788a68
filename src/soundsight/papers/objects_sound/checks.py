"""Objects that Sound's power checks: each AVC model generalises to held-out videos (the same
checks and thresholds as :mod:`soundsight.papers.l3net.checks`), each guarding the AVC, Table 1
and localisation claims that mention its model; L3-Net's also guard the Table 1 rows built on its
features (L3 + CCA, the object network + L3-audio CCA)."""

from collections.abc import Sequence

from soundsight.papers.l3net.checks import LOSS_GAP, MARGIN, avc_checks
from soundsight.papers.l3net.claims import METRIC
from soundsight.papers.objects_sound.claims import NDCG_METRIC, PEAK_METRIC, POINTING_METRIC
from soundsight.papers.objects_sound.tables import RETRIEVAL_METHODS
from soundsight.report.audit import PowerCheck
from soundsight.report.audit_metrics import pretext_checks


def objects_sound_checks(models: Sequence[str]) -> list[PowerCheck]:
    """The generalisation checks of the trained AVC ``models``, guarding the AVC accuracy and
    nDCG claims of every method whose features come from that model."""
    guarded = {
        m: (m, *(k for k, r in RETRIEVAL_METHODS.items() if m in r.models and k != m))
        for m in models
    }
    guards = (METRIC, NDCG_METRIC, POINTING_METRIC, PEAK_METRIC)
    return pretext_checks(models, MARGIN, LOSS_GAP, guards, guarded)


__all__ = ["LOSS_GAP", "MARGIN", "avc_checks", "objects_sound_checks"]
