"""L3-Net's power checks.

- **each AVC model generalises to held-out videos**: the pretext-generalisation checks of
  :func:`soundsight.report.audit_metrics.pretext_checks` (thresholds of
  :mod:`soundsight.papers.owens2018.checks`): held-out AVC accuracy above the train-majority
  answer (50 % on balanced pairs) by :data:`MARGIN` points, and held-out loss within
  :data:`LOSS_GAP` nats of the final training loss; each guards the claims that mention its
  model: the AVC claims and, in L3-Net's audit, Table 2's (trained vs untrained means nothing
  when the trained net learned nothing), Table 3's, Table 4's NMI and the unit-preference claims;
- **no audio probe is saturated** (Table 2): every probed model stays below :data:`CEILING` %
  on each benchmark (SoundNet's ceiling checks; guards the claims on that benchmark).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from soundsight.papers.l3net.claims import (
    CLIP_METRIC,
    IMAGE_METRIC,
    METRIC,
    NMI_METRIC,
    PREFERENCE_METRIC,
)
from soundsight.papers.owens2018.checks import CEILING, LOSS_GAP, MARGIN
from soundsight.papers.soundnet.checks import ceiling_checks
from soundsight.report.audit import PowerCheck
from soundsight.report.audit_metrics import pretext_checks

__all__ = ["CEILING", "LOSS_GAP", "MARGIN", "avc_checks", "l3net_checks"]


def avc_checks(models: Sequence[str], guards: Sequence[str] = (METRIC,)) -> list[PowerCheck]:
    """Each trained AVC model of ``models`` generalises (guards the ``guards`` claims naming it)."""
    return pretext_checks(models, MARGIN, LOSS_GAP, tuple(guards))


def l3net_checks(models: Sequence[str], probed: Mapping[str, Sequence[str]]) -> list[PowerCheck]:
    """Every power check of L3-Net's audit: ``models`` (the trained AVC models) generalise;
    ``probed`` (``{benchmark: models}``, the audio probes made) stay below the ceiling."""
    guards = (METRIC, CLIP_METRIC, IMAGE_METRIC, NMI_METRIC, PREFERENCE_METRIC)
    return [*avc_checks(models, guards), *ceiling_checks(probed)]
