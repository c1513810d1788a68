"""L3-Net's Table 1: audio-visual correspondence (AVC) accuracy on balanced held-out pairs.

The replicated row is the sheet's ``l3`` model (L3-Net trained on the world's videos with
shortcut prevention). The world's videos stand in for Flickr-SoundNet (Owens' Flickr corpus
analogue); Kinetics-Sounds and the supervised baselines are shown as published only. Every cell
reads the model's ``<models_dir>/<model>/metrics.json`` (``val.accuracy``, the training loop's
held-out metrics); the printed numbers come only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from soundsight.report.results import Values, read_json
from soundsight.report.table import Column, Row, RowsTable

PAPER = "l3net"
L3 = "l3"  # the sheet's L3-Net (shortcut prevention on)
MODEL_METRICS = "metrics.json"
WORLD_COLUMN = "Flickr-SoundNet"  # the world's videos stand for the Flickr videos
TABLE1_MODELS = (L3,)
TABLE1_DESCRIPTION = (
    "Replicated: AVC accuracy % (chance 50 %) on the balanced held-out pairs of the embedded "
    "world's test videos (each test frame with its own 1 s of audio and with 1 s of another "
    "test video), for L3-Net scaled down (`avc` config: width, input size, audio rate, "
    "iterations) and trained with shortcut prevention. The world's videos stand in for "
    "Flickr-SoundNet; Kinetics-Sounds and the supervised baselines are not replicated. Each cell "
    "reads *replicated (published)*; published values are L3-Net's Table 1."
)


def model_metrics(models_dir: str | Path, model: str) -> Path:
    """``<models_dir>/<model>/metrics.json``."""
    return Path(models_dir) / model / MODEL_METRICS


def avc_accuracy(path: str | Path) -> float:
    """The held-out AVC accuracy % of a correspondence model's metrics.json."""
    metrics = read_json(path, "model metrics")
    val = metrics.get("val")
    if not isinstance(val, dict) or "accuracy" not in val:
        raise ValueError(f"{path}: no held-out `val.accuracy` (not a correspondence model?)")
    return 100.0 * float(val["accuracy"])


def avc_values(models_dir: str | Path | None, column: str) -> Values:
    """Result source: model -> ``{column: AVC accuracy %}`` (None: no model folders, for a
    table of published rows only)."""

    def values(model: str) -> dict[str, float]:
        if models_dir is None:
            raise ValueError(f"no model folder given for {model!r}")
        return {column: avc_accuracy(model_metrics(models_dir, model))}

    return values


def table1() -> RowsTable:
    """Table 1: the L3 row replicated on the world; the rest published only."""
    return RowsTable(
        PAPER,
        "table1",
        "Table 1",
        "L3-Net, Table 1: audio-visual correspondence accuracy %",
        TABLE1_DESCRIPTION,
        (
            Column(WORLD_COLUMN, "Flickr-SoundNet (world)", "accuracy %"),
            Column("Kinetics-Sounds", "Kinetics-Sounds", "accuracy %"),
        ),
        {
            L3: Row(
                "L3-Net",
                "L3-Net",
                "L3-Net (VGG-style vision and audio subnetworks, fused fc layers) scaled down, "
                "trained on the world's frames and 1 s audio with shortcut prevention",
            )
        },
    )


def build_table1(models_dir: str | Path | None, models: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 1 from the models' held-out metrics (no models: published rows only)."""
    return table1().build(avc_values(models_dir, WORLD_COLUMN), models)
