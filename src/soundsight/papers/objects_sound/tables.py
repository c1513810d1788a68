"""Objects that Sound's AVC comparison (Sec. 3.1 and 3.3, numbers in the running text).

Rows: AVE-Net and L3-Net trained with shortcut prevention (``ave``, ``l3``) and on naive pairs
(``ave_naive``, ``l3_naive``); the paper prints the naive AVE-Net (87.6 %, "artificially high")
but no naive L3-Net, and AVE+MF / AVE+OF are not replicated. Cells read each model's held-out
``metrics.json`` (:func:`soundsight.papers.l3net.tables.avc_values`); the printed numbers come
only from :mod:`soundsight.report.published` (paper ``objectsthatsound``, table ``text``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from soundsight.papers.l3net.tables import avc_values
from soundsight.report.results import Values, read_json
from soundsight.report.table import CellFormat, Column, Row, RowsTable

PAPER = "objectsthatsound"  # the published CSVs' paper name
TABLE = "text"
COLUMN = "AVC accuracy"
AVE, L3, AVE_NAIVE, L3_NAIVE, AVOL = "ave", "l3", "ave_naive", "l3_naive", "avol"
AVC_MODELS = (AVE, L3, AVE_NAIVE, L3_NAIVE, AVOL)
PREVENTION = {AVE: AVE_NAIVE, L3: L3_NAIVE}  # with shortcut prevention -> without
_NET = "scaled down, trained on the world's frames and 1 s audio"
ROWS: dict[str, Row] = {
    AVE: Row("AVE-Net", "AVE-Net", f"AVE-Net (embedding distance) {_NET}, shortcut prevention"),
    L3: Row("L3-Net", "L3-Net", f"L3-Net (fused fc layers) {_NET}, shortcut prevention"),
    AVE_NAIVE: Row(
        "AVE-Net (no shortcut prevention)",
        "AVE-Net (no shortcut prevention)",
        f"AVE-Net {_NET}, naive pairs (positives centred on the frame, negatives anywhere)",
    ),
    L3_NAIVE: Row(
        "L3-Net (no shortcut prevention)",
        None,
        f"L3-Net {_NET}, naive pairs: the paper prints no such row",
    ),
    AVOL: Row(
        "AVOL-Net",
        None,
        f"AVOL-Net (max over the calibrated similarity map) {_NET}, shortcut prevention: the "
        "paper prints no number, only that it equals AVE-Net's",
    ),
}
DESCRIPTION = (
    "Replicated: AVC accuracy % (chance 50 %) on the balanced held-out pairs of the embedded "
    "world's test videos, for AVE-Net and L3-Net scaled down (`avc` config) and trained with "
    "shortcut prevention (every audio start on the frame grid, positives randomly misaligned) "
    "or on naive pairs (each model evaluated on held-out pairs drawn its own way, as in the "
    "paper). Each cell reads *replicated (published)*; published values are Objects that "
    "Sound's Sec. 3.1-3.3 (AudioSet-Instruments, full-size networks)."
)


def avc_table() -> RowsTable:
    """The AVC comparison: AVE / L3 x prevention on / off beside the printed accuracies."""
    return RowsTable(
        PAPER,
        TABLE,
        "AVC comparison",
        "Objects that Sound, Sec. 3.1-3.3: audio-visual correspondence accuracy %",
        DESCRIPTION,
        (Column(COLUMN, "AVC accuracy", "accuracy %"),),
        ROWS,
        require_row=False,
    )


def build_avc_table(models_dir: str | Path | None, models: Sequence[str]) -> pd.DataFrame:
    """Tidy AVC comparison from the models' held-out metrics."""
    return avc_table().build(avc_values(models_dir, COLUMN), models)


# ------------------------------------------------------------------------------------------------
# Table 1: cross-modal retrieval, nDCG@30 in the four query-database directions
# ------------------------------------------------------------------------------------------------

TABLE1 = "table1"
DIRECTIONS = ("im-im", "im-aud", "aud-im", "aud-aud")  # the printed columns (query-database)
NDCG_SUMMARY = "ndcg.json"  # <retrieval_dir>/<method>/: {"ndcg": {direction: mean}, ...}
OBJECT = "object"  # the sheet's supervised object network: the VGG16-ImageNet row's analogue


@dataclass(frozen=True)
class RetrievalMethod:
    """One Table 1 row: which sheet model gives the image and audio features, and whether the
    two are aligned by a CCA fitted on the training segments. No image model: random features;
    no audio model: image-image retrieval only."""

    image: str | None
    audio: str | None
    cca: bool
    row: Row

    @property
    def models(self) -> tuple[str, ...]:
        """The sheet models whose features the method reads."""
        return tuple(dict.fromkeys(m for m in (self.image, self.audio) if m is not None))

    @property
    def directions(self) -> tuple[str, ...]:
        """The directions it retrieves (image-image only without audio features)."""
        return DIRECTIONS if self.audio is not None or self.image is None else ("im-im",)


_CCA = "aligned by a CCA (`avc.retrieval.cca_components`) fitted on the training segments"
RETRIEVAL_METHODS: dict[str, RetrievalMethod] = {
    "random": RetrievalMethod(
        None, None, False, Row("Random", "Random chance", "Gaussian random features (seeded)")
    ),
    L3: RetrievalMethod(
        L3, L3, False, Row("L3-Net", "L3-Net [4]", "pool4 of both subnets (512-d, unaligned)")
    ),
    "l3_cca": RetrievalMethod(
        L3, L3, True, Row("L3-Net with CCA", "L3-Net with CCA", f"L3-Net's pool4, {_CCA}")
    ),
    OBJECT: RetrievalMethod(
        OBJECT,
        None,
        False,
        Row(
            "Object network",
            "VGG16-ImageNet [30]",
            "the world's supervised object model (the ImageNet network's analogue), fc7",
        ),
    ),
    "object_cca": RetrievalMethod(
        OBJECT,
        L3,
        True,
        Row(
            "Object network + L3-Audio CCA",
            "VGG16-ImageNet + L3-Audio CCA",
            f"the object model's fc7 and L3-Net's audio pool4, {_CCA}",
        ),
    ),
    AVE: RetrievalMethod(
        AVE, AVE, False, Row("AVE-Net", "AVE-Net", "the aligned, L2-normalised 128-d embeddings")
    ),
    AVE_NAIVE: RetrievalMethod(
        AVE_NAIVE,
        AVE_NAIVE,
        False,
        Row(
            "AVE-Net (no shortcut prevention)",
            None,
            "AVE-Net trained on naive pairs: the paper gives only 'retrieval 1-2% worse'",
        ),
    ),
}


def table1_methods(available: Sequence[str]) -> list[str]:
    """The Table 1 rows whose models are all in ``available`` (the DAG's sheet models)."""
    return [k for k, m in RETRIEVAL_METHODS.items() if set(m.models) <= set(available)]


def ndcg_values(retrieval_dir: str | Path | None) -> Values:
    """Result source: method -> ``{direction: mean nDCG@30}`` from its ``ndcg.json``."""

    def values(method: str) -> dict[str, float]:
        if retrieval_dir is None:
            raise ValueError(f"no retrieval folder given for {method!r}")
        summary = read_json(Path(retrieval_dir) / method / NDCG_SUMMARY, "nDCG summary")
        return {d: float("nan" if v is None else v) for d, v in summary["ndcg"].items()}

    return values


def table1() -> RowsTable:
    """Table 1: nDCG@30 of every method in the four directions, beside the printed values."""
    return RowsTable(
        PAPER,
        TABLE1,
        "Table 1",
        "Objects that Sound, Table 1: cross-modal and intra-modal retrieval, nDCG@30",
        "Replicated: nDCG@30 (relevance 20 - ontology distance, the best label pair; IDCG from "
        "the whole database; the query and its counterpart never a result; soundsight.eval."
        "retrieval) on the AudioSet-style eval segments of the world: one frame and the 1 s of "
        "audio around it per segment, every item a query. Rows are the sheet's models scaled "
        "down and trained on the world (`avc` config); CCA rows project both feature sets to a "
        "common space fitted on the training segments. Each cell reads *replicated "
        "(published)*; published values are Objects that Sound's Table 1 (AudioSet-Instruments "
        "test set, full-size networks).",
        tuple(Column(d, d, "nDCG@30") for d in DIRECTIONS),
        {k: m.row for k, m in RETRIEVAL_METHODS.items()},
        require_row=False,
        cells=CellFormat(".3f", ".3f"),
    )


def build_table1(retrieval_dir: str | Path | None, methods: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 1 from the methods' ``ndcg.json``."""
    return table1().build(ndcg_values(retrieval_dir), methods)


# ------------------------------------------------------------------------------------------------
# Sect. 4: localisation (pointing accuracy of AVOL-Net's map vs the centre of the image)
# ------------------------------------------------------------------------------------------------

LOCALISATION_SUMMARY = "localisation.json"  # <localisation_dir>/<model>/
LOCALISATION_COLUMN = "localisation accuracy"
CENTRE = "centre"  # the centre-of-image baseline, scored on the localising model's frames
LOCALISATION_MODELS = (AVOL,)


def localisation_values(localisation_dir: str | Path | None, model: str = AVOL) -> Values:
    """Result source: ``avol`` -> its pointing accuracy %, ``centre`` -> the centre baseline's
    on the same frames (both from ``model``'s ``localisation.json``)."""

    def values(row: str) -> dict[str, float]:
        if localisation_dir is None:
            raise ValueError(f"no localisation folder given for {row!r}")
        path = Path(localisation_dir) / model / LOCALISATION_SUMMARY
        summary = read_json(path, "localisation summary")
        key = "centre_accuracy" if row == CENTRE else "pointing_accuracy"
        return {LOCALISATION_COLUMN: 100.0 * float(summary[key])}

    return values


def localisation_table() -> RowsTable:
    """Sect. 4.1: pointing accuracy of AVOL-Net's map beside the centre-of-image baseline."""
    return RowsTable(
        PAPER,
        TABLE,
        "Localisation",
        "Objects that Sound, Sect. 4.1: sound-source localisation, pointing accuracy %",
        "Replicated: the share of the world's localisation frames (one sounding object each; "
        "some with a second, silent sound maker; most off-centre) where the mode of AVOL-Net's "
        "localisation map, computed with the frame's own 1 s of audio and upsampled to the "
        "frame, lies in the sounding object's box; the centre baseline always points at the "
        "image centre. Each cell reads *replicated (published)*; published values are Objects "
        "that Sound's Sect. 4.1 (500 annotated AudioSet-Instruments frames).",
        (Column(LOCALISATION_COLUMN, "Pointing accuracy", "accuracy %"),),
        {
            AVOL: Row("AVOL-Net", "AVOL-Net", "the mode of the map with the frame's own audio"),
            CENTRE: Row("Centre baseline", "Centre baseline", "always the image centre"),
        },
        paper_order=False,
    )


def build_localisation_table(localisation_dir: str | Path | None) -> pd.DataFrame:
    """Tidy localisation table (AVOL-Net and the centre baseline)."""
    rows = [AVOL, CENTRE] if localisation_dir is not None else []
    return localisation_table().build(localisation_values(localisation_dir), rows)
