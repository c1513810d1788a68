"""L3-Net's Table 1 to 4 statements as auditable claims.

- **AVC well above chance** (Sec. 3.3 / Table 1: 78 % on Flickr-SoundNet, chance 50 %): the
  ``avc_accuracy`` plugin's ``above_chance`` kind on the held-out pairs of ``l3``.
- **L3 training makes the audio features** (Table 2: 79.3 vs 62.5 on ESC-50, 93 vs 85 on
  DCASE): the trained ``l3`` beats the untrained ``l3_untrained`` on each benchmark, by the
  ``clip_accuracy`` plugin (test recordings resampled within each fold, paired across the two
  models); :func:`clip_sources` says which probe file each model's clips are read from.

- **L3 training makes the image features** (Table 3: 32.3 vs 12.9 top-1 on ImageNet): ``l3``
  beats ``l3_untrained`` by the ``sun_accuracy`` plugin on the linear probe's per-image
  correctness (``<linear_dir>/<model>/sun_predictions.npz``, images resampled within each
  partition, paired).
- **AVC training makes semantic embeddings** (Table 4: NMI trained > untrained > random
  assignment, vision and audio): the ``nmi`` plugin on ``<nmi_dir>/<model>/nmi.npz``, the
  random assignment being the folder :data:`~soundsight.papers.l3net.tables.RANDOM_ASSIGNMENT`
  (clips resampled paired, NMI recomputed on each resample).

- **Units come to prefer classes** (Sect. 4.4): more classes covered by a high-preference
  ``pool4`` unit (4 of top 5) in ``l3`` than in ``l3_untrained``, per stream, by the
  ``unit_preference`` plugin on the clips' embeddings (units resampled).

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
    RANDOM_ASSIGNMENT,
    STREAM_COLUMNS,
    TABLE2_DATASETS,
    TABLE4_ROWS,
    WORLD_COLUMN,
    audio_probe_file,
    preference_column,
)
from soundsight.report.audit import Claim, PublishedRef
from soundsight.report.audit_metrics import AV_CHANCE

AUDIT_TITLE = "L3-Net (Arandjelović & Zisserman 2017): claims audit"
METRIC = "avc_accuracy"
CLIP_METRIC = "clip_accuracy"
NMI_METRIC = "nmi"
PREFERENCE_METRIC = "unit_preference"
IMAGE_METRIC = "sun_accuracy"  # per-image correctness of the SUN partitions (rule probe_avc_image)
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


def table3_claim(layer: str = "vision.conv4_2") -> Claim:
    """Table 3: the trained L3 vision subnet's linear probe beats the untrained one's."""
    return Claim(
        "l3_beats_untrained_images",
        "Table 3: L3 training gives better image features than the same network untrained "
        "(linear top-1 32.3 vs 12.9 on ImageNet)",
        "greater",
        (L3,),
        (L3_UNTRAINED,),
        IMAGE_METRIC,
        layer,
        published=PublishedRef(PAPER, "table3", "Top 1 accuracy", ("Ours",), ("Ours random",)),
    )


def nmi_claim(left: str, right: str, column: str, name: str, text: str) -> Claim:
    """``left``'s NMI beats ``right``'s on the ``column`` (Vision / Audio) embeddings."""
    ref = PublishedRef(PAPER, "table4", column, (TABLE4_ROWS[left],), (TABLE4_ROWS[right],))
    stream = STREAM_COLUMNS[column]
    return Claim(name, text, "greater", (left,), (right,), NMI_METRIC, stream, published=ref)


def table4_claims() -> list[Claim]:
    """Table 4: NMI trained > untrained > random assignment, for each stream."""
    claims = []
    for column, stream in STREAM_COLUMNS.items():
        claims.append(
            nmi_claim(
                L3,
                L3_UNTRAINED,
                column,
                f"nmi_trained_beats_untrained_{stream}",
                f"Table 4 ({column}): AVC training makes the {stream} embedding cluster by class "
                "better than the untrained network's (NMI .409 vs .204 vision, .330 vs .219 audio)",
            )  # fmt: skip
        )
        claims.append(
            nmi_claim(
                L3_UNTRAINED,
                RANDOM_ASSIGNMENT,
                column,
                f"nmi_untrained_beats_random_{stream}",
                f"Table 4 ({column}): even the untrained network's {stream} clusters beat a random "
                "assignment (NMI .204 / .219 vs .165)",
            )  # fmt: skip
        )
    return claims


def preference_claims() -> list[Claim]:
    """Sect. 4.4: the trained net's pool4 units prefer more classes than the random net's
    (4 of top 5: 10 / 11 vs 1 / 1 of 34 classes, vision / audio)."""
    claims = []
    for stream in STREAM_COLUMNS.values():
        column = preference_column("4of5", stream)
        ref = PublishedRef(PAPER, "text", column, ("L3-Net (trained)",), ("L3-Net (random)",))
        claims.append(
            Claim(
                f"units_trained_beat_random_{stream}",
                f"Sect. 4.4: more classes have a high-preference {stream} pool4 unit (4 of its top "
                "5 clips) in the trained net than in the random one (10 / 11 vs 1 / 1 of 34)",
                "greater",
                (L3,),
                (L3_UNTRAINED,),
                PREFERENCE_METRIC,
                stream,
                ref,
                (("rule", "4of5"),),
            )  # fmt: skip
        )
    return claims


def l3net_claims(image_layer: str = "vision.conv4_2") -> list[Claim]:
    """Every audited claim of L3-Net: AVC (Table 1), sound classification (Table 2), image
    classification (Table 3, at ``image_layer``), then clustering quality (Table 4)."""
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
        table3_claim(image_layer),
        *table4_claims(),
        *preference_claims(),
    ]
