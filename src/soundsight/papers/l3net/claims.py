"""L3-Net's Table 1 statement as an auditable claim on AVC accuracy.

- **AVC well above chance** (Sec. 3.3 / Table 1: 78 % on Flickr-SoundNet, chance 50 %): the
  ``avc_accuracy`` plugin's ``above_chance`` kind on the held-out pairs of ``l3``.

The published side compares the printed accuracy with the task's definitional 50 % chance
(:class:`ChanceRef`), which is not a printed cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from soundsight.papers.l3net.tables import L3, PAPER, WORLD_COLUMN
from soundsight.report.audit import Claim, PublishedRef
from soundsight.report.audit_metrics import AV_CHANCE

AUDIT_TITLE = "L3-Net (Arandjelović & Zisserman 2017): claims audit"
METRIC = "avc_accuracy"
CHANCE = "chance"  # the right-hand row of a ChanceRef


@dataclass(frozen=True)
class ChanceRef(PublishedRef):
    """A printed accuracy against the balanced task's 50 % chance (row :data:`CHANCE`)."""

    def value(self, entry: str, measure: str | None = None) -> float:
        """The printed cell of ``entry``, or 50 for :data:`CHANCE`."""
        return 100.0 * AV_CHANCE if entry == CHANCE else super().value(entry, measure)


def above_chance(
    model: str, name: str, text: str, paper: str, table: str, row: str, column: str
) -> Claim:
    """``model``'s AVC accuracy beats 50 % chance; published: the printed ``row``/``column``."""
    ref = ChanceRef(paper, table, column, (row,), (CHANCE,))
    return Claim(name, text, "above_chance", (model,), (), METRIC, published=ref)


def l3net_claims() -> list[Claim]:
    """Every audited claim of L3-Net's AVC results (Table 1)."""
    return [
        above_chance(
            L3,
            "l3_avc_above_chance",
            "Table 1: L3-Net learns audio-visual correspondence, well above the 50 % chance on "
            "held-out pairs (78 % on Flickr-SoundNet)",
            PAPER,
            "table1",
            "L3-Net",
            WORLD_COLUMN,
        ),  # fmt: skip
    ]
