"""L3-Net's power checks: each AVC model generalises to held-out videos.

The pretext-generalisation checks of :func:`soundsight.report.audit_metrics.pretext_checks`
(thresholds of :mod:`soundsight.papers.owens2018.checks`): held-out AVC accuracy above the
train-majority answer (50 % on balanced pairs) by :data:`MARGIN` points, and held-out loss
within :data:`LOSS_GAP` nats of the final training loss; each guards the AVC claims that
mention its model.
"""

from __future__ import annotations

from collections.abc import Sequence

from soundsight.papers.l3net.claims import METRIC
from soundsight.papers.owens2018.checks import LOSS_GAP, MARGIN
from soundsight.report.audit import PowerCheck
from soundsight.report.audit_metrics import pretext_checks

__all__ = ["LOSS_GAP", "MARGIN", "avc_checks"]


def avc_checks(models: Sequence[str]) -> list[PowerCheck]:
    """Each trained AVC model of ``models`` generalises (guards the AVC claims naming it)."""
    return pretext_checks(models, MARGIN, LOSS_GAP, (METRIC,))
