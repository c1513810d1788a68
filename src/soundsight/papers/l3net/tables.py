"""L3-Net's Table 1 (audio-visual correspondence accuracy) and Table 2 (sound classification).

Table 1: the replicated row is the sheet's ``l3`` model (L3-Net trained on the world's videos
with shortcut prevention). The world's videos stand in for Flickr-SoundNet (Owens' Flickr corpus
analogue); Kinetics-Sounds and the supervised baselines are shown as published only. Every cell
reads the model's ``<models_dir>/<model>/metrics.json`` (``val.accuracy``, the training loop's
held-out metrics).

Table 2: ESC-50 (mean over its 5 folds) and DCASE 2013 accuracy of a linear SVM on the audio
subnet's features of 1 s sub-clips (:mod:`soundsight.probes.avc_audio`), for ``l3`` ("Ours")
and ``l3_untrained`` ("Ours random": the same network, not trained); every cell reads
``<probes_dir>/<model>/<dataset>_avc_audio.json``. The other methods are published only.

The printed numbers come only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from soundsight.report.results import Values, read_json
from soundsight.report.table import Column, Row, RowsTable

PAPER = "l3net"
L3 = "l3"  # the sheet's L3-Net (shortcut prevention on)
L3_UNTRAINED = "l3_untrained"  # the same network, untrained (Table 2's "Ours random")
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


TABLE2_MODELS = (L3, L3_UNTRAINED)
TABLE2_DATASETS = {"ESC-50": "esc50", "DCASE": "dcase2013"}  # printed column -> probe set
AUDIO_PROBE = "avc_audio"  # <dataset>_avc_audio.json / .npz of probe_avc_audio


def audio_probe_file(
    probes_dir: str | Path, model: str, dataset: str, suffix: str = "json"
) -> Path:
    """``<probes_dir>/<model>/<dataset>_avc_audio.<suffix>``."""
    return Path(probes_dir) / model / f"{dataset}_{AUDIO_PROBE}.{suffix}"


def audio_probe_accuracy(path: str | Path) -> float:
    """The clip accuracy % of an audio-stream probe summary (ESC-50: the mean over folds)."""
    summary = read_json(path, "audio probe summary")
    if "accuracy" not in summary:
        raise ValueError(f"{path}: no `accuracy` (not an audio-stream probe summary?)")
    return 100.0 * float(summary["accuracy"])


def audio_probe_values(probes_dir: str | Path | None) -> Values:
    """Result source: model -> ``{ESC-50: %, DCASE: %}`` (None: no probe folder, for a table of
    published rows only)."""

    def values(model: str) -> dict[str, float]:
        if probes_dir is None:
            raise ValueError(f"no probe folder given for {model!r}")
        return {
            column: audio_probe_accuracy(audio_probe_file(probes_dir, model, dataset))
            for column, dataset in TABLE2_DATASETS.items()
        }

    return values


def table2(layer: str = "audio.conv4_2_pre", pool: Sequence[int] | None = (4, 3)) -> RowsTable:
    """Table 2: Ours and Ours random replicated on the world's sets; the rest published only."""
    pooled = f"max-pooled to {pool[0]} x {pool[1]}" if pool else "as it is"
    return RowsTable(
        PAPER,
        "table2",
        "Table 2",
        "L3-Net, Table 2: sound classification on ESC-50 and DCASE 2013",
        f"Replicated: accuracy % of a one-vs-all linear SVM on the L3-Net audio subnet's "
        f"`{layer}` ({pooled}) of 1 s sub-clips (10 per ESC-50 recording, 60 per DCASE one), "
        "z-scored with the training sub-clips' statistics, a recording's scores the mean of its "
        "sub-clips' decision values; ESC-50: mean over the world's mini-ESC-50's 5 folds, DCASE: "
        "the world's mini-DCASE 2013 (train on dev, test on test). *Ours* is the sheet's `l3` "
        "(scaled down, `avc` config, trained on the world's videos), *Ours random* the same "
        "network untrained (`l3_untrained`). The networks and the probe sets are the embedded "
        "world's and scaled down, so the replicated numbers show what this testbed measures, "
        "not the paper's values. Each cell reads *replicated (published)*; published values are "
        "L3-Net's Table 2.",
        tuple(Column(c, c, "accuracy %") for c in TABLE2_DATASETS),
        {
            L3: Row("Ours", "Ours", "L3-Net's audio subnet, trained on AVC on the world"),
            L3_UNTRAINED: Row(
                "Ours random", "Ours random", "the same network without training (seeded init)"
            ),
        },
    )


def build_table2(
    probes_dir: str | Path | None,
    models: Sequence[str],
    layer: str = "audio.conv4_2_pre",
    pool: Sequence[int] | None = (4, 3),
) -> tuple[RowsTable, pd.DataFrame]:
    """Table 2 and its tidy frame from the models' audio-probe summaries (no models: published
    rows only)."""
    spec = table2(layer, pool)
    return spec, spec.build(audio_probe_values(probes_dir), models)
