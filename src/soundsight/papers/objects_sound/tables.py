"""Objects that Sound's AVC comparison (Sec. 3.1 and 3.3, numbers in the running text).

Rows: AVE-Net and L3-Net trained with shortcut prevention (``ave``, ``l3``) and on naive pairs
(``ave_naive``, ``l3_naive``); the paper prints the naive AVE-Net (87.6 %, "artificially high")
but no naive L3-Net, and AVE+MF / AVE+OF are not replicated. Cells read each model's held-out
``metrics.json`` (:func:`soundsight.papers.l3net.tables.avc_values`); the printed numbers come
only from :mod:`soundsight.report.published` (paper ``objectsthatsound``, table ``text``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from soundsight.papers.l3net.tables import avc_values
from soundsight.report.table import Column, Row, RowsTable

PAPER = "objectsthatsound"  # the published CSVs' paper name
TABLE = "text"
COLUMN = "AVC accuracy"
AVE, L3, AVE_NAIVE, L3_NAIVE = "ave", "l3", "ave_naive", "l3_naive"
AVC_MODELS = (AVE, L3, AVE_NAIVE, L3_NAIVE)
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
