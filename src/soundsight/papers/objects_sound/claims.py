"""Objects that Sound's AVC statements as auditable claims on per-pair AVC accuracy.

Every claim uses the ``avc_accuracy`` plugin (pairs resampled, paired across models by pair id;
a naive model's held-out pairs are its own, drawn the naive way, so it is resampled on its own
pairs but at the same frames):

- **each network learns AVC** (Sec. 3.1): AVE-Net and L3-Net above 50 % chance;
- **AVE-Net vs L3-Net** (Sec. 3.1: 81.9 % vs 80.8 %): audited as AVE > L3, so *inconclusive*
  means the two are not told apart;
- **naive pairs inflate AVC accuracy** (Sec. 3.3: 87.6 % without shortcut prevention vs 81.9 %,
  "artificially high"): each network on naive pairs beats itself with prevention (the paper
  prints only AVE-Net's).
"""

from __future__ import annotations

from soundsight.papers.l3net.claims import METRIC, above_chance
from soundsight.papers.objects_sound.tables import (
    AVE,
    AVE_NAIVE,
    COLUMN,
    L3,
    L3_NAIVE,
    PAPER,
    PREVENTION,
    ROWS,
    TABLE,
)
from soundsight.report.audit import Claim, PublishedRef

AUDIT_TITLE = "Objects that Sound (Arandjelović & Zisserman 2018): claims audit"
NAMES = {AVE: "AVE-Net", L3: "L3-Net", AVE_NAIVE: "AVE-Net", L3_NAIVE: "L3-Net"}


def _ref(left: str, right: str) -> PublishedRef | None:
    """The printed cells of both models, None when one has no printed row."""
    rows = ROWS[left].published_row, ROWS[right].published_row
    if rows[0] is None or rows[1] is None:
        return None
    return PublishedRef(PAPER, TABLE, COLUMN, (rows[0],), (rows[1],))


def naive_claim(model: str) -> Claim:
    """Sec. 3.3: ``model`` trained on naive pairs scores higher than with shortcut prevention."""
    naive = PREVENTION[model]
    return Claim(
        f"naive_beats_prevention_{model}",
        f"Sec. 3.3 ({NAMES[model]}): without shortcut prevention the AVC accuracy is higher "
        "(artificially: the network can use the frame-aligned audio as a shortcut)",
        "greater", (naive,), (model,), METRIC, published=_ref(naive, model),
    )  # fmt: skip


def objects_sound_claims() -> list[Claim]:
    """Every audited AVC claim of Objects that Sound."""
    chance = [
        above_chance(
            m,
            f"{m}_avc_above_chance",
            f"Sec. 3.1: {NAMES[m]} learns audio-visual correspondence, well above 50 % chance",
            PAPER,
            TABLE,
            NAMES[m],
            COLUMN,
        )  # fmt: skip
        for m in (AVE, L3)
    ]
    ave_vs_l3 = Claim(
        "ave_beats_l3_avc",
        "Sec. 3.1: AVE-Net's AVC accuracy is on par with L3-Net's, slightly higher (81.9 % vs "
        "80.8 %; audited as >)",
        "greater", (AVE,), (L3,), METRIC, published=_ref(AVE, L3),
    )  # fmt: skip
    return [*chance, ave_vs_l3, *(naive_claim(m) for m in (AVE, L3))]
