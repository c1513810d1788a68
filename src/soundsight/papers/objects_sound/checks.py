"""Objects that Sound's power checks: each AVC model generalises to held-out videos (the same
checks and thresholds as :mod:`soundsight.papers.l3net.checks`), each guarding the AVC claims
that mention its model."""

from soundsight.papers.l3net.checks import LOSS_GAP, MARGIN, avc_checks

__all__ = ["LOSS_GAP", "MARGIN", "avc_checks"]
