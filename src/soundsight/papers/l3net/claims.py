"""L3-Net's Table 1 and Table 2 statements as auditable claims.

- **AVC well above chance** (Sec. 3.3 / Table 1: 78 % on Flickr-SoundNet, chance 50 %): the
  ``avc_accuracy`` plugin's ``above_chance`` kind on the held-out pairs of ``l3``.
- **L3 training makes the audio features** (Table 2: 79.3 vs 62.5 on ESC-50, 93 vs 85 on
  DCASE): the trained ``l3`` beats the untrained ``l3_untrained`` on each benchmark, by the
  ``clip_accuracy`` plugin (test recordings resampled within each fold, paired across the two
  models); :func:`clip_sources` says which probe file each model's clips are read from.

The published side of the AVC claim compares the printed accuracy with the task's definitional
50 % chance (:class:`ChanceRef`), which is not a printed cell; Table 2's claims compare the
printed *Ours* and *Ours random* cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from soundsight.papers.l3net.tables import (
    L3,
    L3_UNTRAINED,
    PAPER,
    TABLE2_DATASETS,
    WORLD_COLUMN,
    audio_probe_file,
)
from soundsight.report.audit import Claim, PublishedRef
from soundsight.report.audit_metrics import AV_CHANCE

AUDIT_TITLE = "L3-Net (Arandjelović & Zisserman 2017): claims audit"
METRIC = "avc_accuracy"
CLIP_METRIC = "clip_accuracy"
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


def clip_sources(probes_dir: str | Path, models: Iterable[str]) -> dict[str, dict[str, tuple]]:
    """``{model: {benchmark: (npz, benchmark in the file)}}`` of the audio-stream probes, for
    the ``clip_accuracy`` plugin (benchmarks ``esc50``, ``dcase2013``)."""
    return {
        m: {d: (audio_probe_file(probes_dir, m, d, "npz"), d) for d in TABLE2_DATASETS.values()}
        for m in models
    }


def present_models(sources: Mapping[str, Mapping[str, tuple]]) -> dict[str, list[str]]:
    """``{benchmark: [models]}`` whose probe file exists (the ceiling checks' lines)."""
    out: dict[str, list[str]] = {}
    for model, benches in sources.items():
        for bench, (path, _) in benches.items():
            if Path(path).is_file():
                out.setdefault(bench, []).append(model)
    return out


def table2_claims() -> list[Claim]:
    """Table 2: the trained L3 audio subnet beats the untrained one, on ESC-50 and on DCASE."""
    return [
        Claim(
            f"l3_beats_untrained_{dataset}",
            f"Table 2 ({column}): L3 training gives better sound features than the same "
            f"network untrained ({'79.3 vs 62.5' if dataset == 'esc50' else '93 vs 85'})",
            "greater",
            (L3,),
            (L3_UNTRAINED,),
            CLIP_METRIC,
            dataset,
            published=PublishedRef(PAPER, "table2", column, ("Ours",), ("Ours random",)),
        )  # fmt: skip
        for column, dataset in TABLE2_DATASETS.items()
    ]


def l3net_claims() -> list[Claim]:
    """Every audited claim of L3-Net: AVC (Table 1), then sound classification (Table 2)."""
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
        *table2_claims(),
    ]
