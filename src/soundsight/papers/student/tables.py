"""The student reproduction's Table 1 and per-class table, declared for the table engine.

Model names are the sheet's rows of paper ``student`` (``config/models.tsv``):
:func:`alexnet` / :func:`resnet18` (one per k of ``student.sweep_k``) and :func:`alexnet_mfcc`
(k = ``student.k``); Table 1 also shows three Owens models (:data:`BASELINE_ROWS`). Every cell
reads a fine-tuning run ``<finetune_dir>/<model>/<mode>/finetune.json``
(:mod:`soundsight.eval.finetune`); the printed numbers come only from
:mod:`soundsight.report.published`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from soundsight.report.results import FINETUNE_SUMMARY, finetune_class_ap, finetune_values
from soundsight.report.table import BlockEntry, BlockTable, Column, Row, RowsTable, published_cells

PAPER = "student"
ALL, HEAD = "all", "head"  # fine-tuning modes (soundsight.eval.finetune.MODES)
TABLE1_MODES = {"Head": HEAD, "All": ALL}  # Table 1's columns -> modes


def alexnet(k: int) -> str:
    """The sheet's AlexNet on ``k`` texture clusters (Table 1's "Our model" at k = student.k)."""
    return f"student_alexnet_k{k}"


def resnet18(k: int) -> str:
    """The sheet's ResNet-18 on ``k`` texture clusters."""
    return f"student_resnet18_k{k}"


def alexnet_mfcc(k: int) -> str:
    """The sheet's AlexNet on ``k`` MFCC clusters."""
    return f"student_alexnet_mfcc_k{k}"


def run(model: str, mode: str = ALL) -> str:
    """A fine-tuning run's folder under the fine-tuning results: ``<model>/<mode>``."""
    return f"{model}/{mode}"


def summary_path(finetune_dir: str | Path, model: str, mode: str = ALL) -> Path:
    """``<finetune_dir>/<model>/<mode>/finetune.json``."""
    return Path(finetune_dir) / run(model, mode) / FINETUNE_SUMMARY


# ----------------------------------------------------------------------------- Table 1
# Owens models standing for the rows the world can replicate (the student quotes their numbers)
BASELINE_ROWS: dict[str, Row] = {
    "object": Row(
        "Object (supervised, world)",
        "Imagenet(pretrained) [17]",
        "analogue of ImageNet pretraining: Owens' CaffeNet+BN trained on the embedded world's "
        "object labels",
    ),
    "random": Row(
        "Random [16]",
        "Random [16]",
        "Krähenbühl et al.'s random initialisation of Owens' CaffeNet+BN, no pretraining",
    ),
    "sound_cluster": Row(
        "Owens et al. (Sound cluster)",
        "Owens et al. [24]",
        "Owens et al.'s Sound (cluster) model as soundsight replicates it (CaffeNet+BN, SGD, "
        "texture clusters)",
    ),
}
TABLE1_DESCRIPTION = (
    "Replicated: VOC07 11-point test mAP % on the embedded world's mini-VOC2007 after "
    "fine-tuning on trainval with AdamW + OneCycle (the `finetune` config), training only the "
    "head (the fully connected layers after the last conv; ResNet-18: its fc) or all layers. "
    "Owens' models are the scaled-down CaffeNet+BN of Owens et al.'s tables; the student's "
    "AlexNet is trained at `student.input_size` for `student.iterations` iterations. Each cell "
    "reads *replicated (published)*; published values are the student's Table 1 (full PASCAL "
    "VOC2007, full-size networks)."
)


def table1(k: int) -> RowsTable:
    """Table 1 with the student's AlexNet on ``k`` texture clusters as "Our model"."""
    ours = Row(
        "Our model",
        "Our model",
        f"AlexNet on {k} k-means clusters of sound textures, AdamW + OneCycle",
    )
    return RowsTable(
        PAPER,
        "table1",
        "Table 1",
        "Student reproduction, Table 1: VOC2007 classification mAP % after fine-tuning",
        TABLE1_DESCRIPTION,
        tuple(Column(c, c, "mAP %") for c in TABLE1_MODES),
        BASELINE_ROWS | {alexnet(k): ours},
    )


def build_table1(finetune_dir: str | Path, k: int, models: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 1 from the head and all-layer fine-tuning runs of ``models``."""
    return table1(k).build(finetune_values(finetune_dir, TABLE1_MODES), models)


# ----------------------------------------------------------------------------- per-class table
TEXTURE_ROW, MFCC_ROW = "Ours - Sound Texture", "Ours - MFCC"
OWENS_PAPER, OWENS_TABLE = "owens2018", "table4"
# the rows the student copied from Owens et al. 2018 Table 4 -> that table's row names
COPIED_ROWS: dict[str, str] = {
    "Imagenet(pretrained)[17]": "ImageNet (Krizhevsky et al 2012)",
    "Owens et al. [24]": "Sound (cluster)",
    "Colorization [38]": "Colorization",
    "Tracking [33]": "Tracking (Wang and Gupta 2015)",
    "Object motion [26]": "Object motion",
    "Patch position [6]": "Patch Pos. (Doersch et al 2015)",
    "Egomotion [1]": "Egomotion (Agrawal et al 2015)",
    "Texton-CNN [19]": "Texton-CNN",
    "k-means [16]": "K-means",
}


@dataclass(frozen=True)
class Slip:
    """A cell the student copied from Owens' Table 4 that differs from it as printed."""

    row: str
    column: str
    student: float
    owens: float

    def text(self) -> str:
        """``Owens et al. [24] hrs 71 (Owens' Table 4: 73)``."""
        return f"{self.row} `{self.column}` {self.student:g} (Owens' Table 4: {self.owens:g})"


def transcription_slips() -> list[Slip]:
    """Every copied cell whose printed value differs from Owens et al. 2018 Table 4's."""
    student = published_cells(PAPER, "table2")
    owens = published_cells(OWENS_PAPER, OWENS_TABLE)
    return [
        Slip(row, column, value, owens[source][column])
        for row, source in COPIED_ROWS.items()
        for column, value in student[row].items()
        if owens[source].get(column) != value
    ]


def table2() -> BlockTable:
    """The per-class table (called ``table2`` in the published store): its notes list the
    transcription slips found by :func:`transcription_slips`."""
    slips = "; ".join(s.text() for s in transcription_slips()) or "none"
    return BlockTable(
        PAPER,
        "table2",
        "Student reproduction, per-class table: VOC2007 AP % per class, all layers fine-tuned",
        "Per-class 11-point test AP % after fine-tuning all layers. Replicated: the student's "
        "AlexNet on sound-texture and on MFCC clusters (`student.k` each), fine-tuned on the "
        "embedded world's mini-VOC2007 (the world's image classes). Published: the student's "
        "per-class table, full PASCAL VOC2007 classes.",
        summary="mAP",
        summary_unit="mAP %",
        cell_unit="AP %",
        replicated_note="mean of the per-class 11-point AP",
        published_note="mean of the printed (rounded) per-class AP",
        headings=(
            "Replicated (world classes, AP %)",
            "Published (PASCAL VOC2007 classes, AP % as printed)",
        ),
        side_by_side=("replicated mAP % (world)", "published mAP % (VOC)"),
        notes=(
            "Notes:",
            "",
            "- The two blocks use different class sets (world categories vs VOC2007), so "
            "per-class values are compared only through each row's mAP.",
            f"- Only `{TEXTURE_ROW}` and `{MFCC_ROW}` are the student's own; the other rows "
            "are copied from Owens et al. 2018 Table 4, which probes pool5 features with linear "
            "SVMs (not fine-tuning). They are kept as printed here; cells that differ from "
            f"Owens' Table 4 as printed (transcription slips): {slips}.",
        ),
    )


def build_table2(finetune_dir: str | Path, k: int) -> pd.DataFrame:
    """Tidy per-class table: the texture and MFCC models' per-class AP (all layers), then
    every printed row."""
    note = "all layers fine-tuned, world classes"
    entries = [
        BlockEntry(row, model, row, finetune_class_ap(summary_path(finetune_dir, model)), note)
        for row, model in ((TEXTURE_ROW, alexnet(k)), (MFCC_ROW, alexnet_mfcc(k)))
    ]
    by_row = {e.published_row: e.model for e in entries}
    return table2().build(entries, by_row)
