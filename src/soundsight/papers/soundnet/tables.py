"""SoundNet's Table 3 (DCASE 2013 scenes) and Table 4 (ESC-50, ESC-10) from layer probes.

The replicated row is the sheet's ``soundnet8``: SoundNet-8 scaled down, distilled from the
world's object and scene models (the ImageNet / Places teachers' analogues) on the world's
videos. Each cell reads the model's layer-probe summary
``<probes_dir>/<model>/<dataset>_layers.json`` (``soundsight.probes.waveform``) at one layer
(the ``soundnet.table_layer`` config, the original evaluation's pool5). The other rows are
published only; the printed numbers come only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.report.results import Values, read_json
from soundsight.report.table import Column, Row, RowsTable

PAPER = "soundnet"
SOUNDNET8 = "soundnet8"
MFCC_SVM = "mfcc_svm"  # the MFCC-SVM baseline computed here (soundsight.probes.mfcc_baseline)
MFCC_LAYER = "mfcc"
TABLE34_MODELS = (SOUNDNET8,)
TABLE_DATASETS = {"table3": "dcase2013", "table4": "esc50"}
_SOUNDNET_ROW = Row(
    "SoundNet",
    "SoundNet",
    "SoundNet-8 scaled down (`soundnet` config: width, crop, iterations), distilled from the "
    "world's object and scene models on the world's videos; linear SVM on one layer",
)
_MFCC_NOTE = "MFCC summary statistics per recording, linear SVM, computed here on the world's set"
ROWS = {
    "table3": {SOUNDNET8: _SOUNDNET_ROW, MFCC_SVM: Row("SVM-MFCC (here)", None, _MFCC_NOTE)},
    "table4": {SOUNDNET8: _SOUNDNET_ROW, MFCC_SVM: Row("SVM-MFCC", "SVM-MFCC [28]", _MFCC_NOTE)},
}
SCALE_NOTE = (
    "The student, its teachers, the videos and the probe sets are the embedded world's and "
    "scaled down, so the replicated number shows what this testbed measures, not the paper's "
    "value. Each cell reads *replicated (published)*."
)


def probe_summary(probes_dir: str | Path, model: str, dataset: str) -> Path:
    """``<probes_dir>/<model>/<dataset>_layers.json`` (the MFCC baseline's
    ``<probes_dir>/mfcc_svm/<dataset>.json``)."""
    if model == MFCC_SVM:
        return Path(probes_dir) / model / f"{dataset}.json"
    return Path(probes_dir) / model / f"{dataset}_layers.json"


def layer_accuracy(
    summary: Mapping[str, Any], layer: str, subset: str | None = None, *,
    where: str | Path = "layer-probe summary", missing: float | None = None,
) -> float:  # fmt: skip
    """Accuracy % of one probed layer in a layer-probe summary (``subset="esc10"``: ESC-10's).

    A layer the summary did not probe gives ``missing`` when set (the ablation tables' NaN
    cells), else a ValueError naming ``where`` (the summary's file)."""
    block = summary.get(subset, {}) if subset else summary
    layers = block.get("layers", {}) if isinstance(block, Mapping) else {}
    if layer in layers:
        return 100.0 * float(layers[layer]["accuracy"])
    if missing is not None:
        return missing
    raise ValueError(f"{where}: layer {layer!r} was not probed ({subset or 'all'}): {list(layers)}")


def probe_values(
    probes_dir: str | Path | None, dataset: str, layer: str, columns: dict[str, str | None]
) -> Values:
    """Result source: model -> ``{column: accuracy %}`` of its ``dataset`` probe; ``columns``
    maps a column to the summary's subset (None: the whole set)."""

    def values(model: str) -> dict[str, float]:
        if probes_dir is None:
            raise ValueError(f"no probe folder given for {model!r}")
        path = probe_summary(probes_dir, model, dataset)
        at = MFCC_LAYER if model == MFCC_SVM else layer
        summary = read_json(path, "layer-probe summary")
        return {c: layer_accuracy(summary, at, sub, where=path) for c, sub in columns.items()}

    return values


TABLE_COLUMNS = {
    "table3": {"Accuracy": None},
    "table4": {"ESC-50": None, "ESC-10": "esc10"},
}
TITLES = {
    "table3": "SoundNet, Table 3: scene classification on DCASE 2013",
    "table4": "SoundNet, Table 4: sound classification on ESC-50 and ESC-10",
}
MEASURES = {
    "table3": "accuracy % on the world's mini-DCASE 2013 test set (train on dev, test on test)",
    "table4": "mean accuracy % over the 5 folds of the world's mini-ESC-50 (and its ESC-10 subset)",
}


def soundnet_table(name: str, layer: str = "pool5") -> RowsTable:
    """Table 3 (DCASE 2013) or 4 (ESC-50, ESC-10): SoundNet replicated, the rest published."""
    return RowsTable(
        PAPER, name, f"Table {name[-1]}", TITLES[name],
        f"Replicated: {MEASURES[name]} of a linear SVM on SoundNet's {layer} windows, a clip's "
        f"scores the mean of its windows' decision values. {SCALE_NOTE}",
        tuple(Column(c, c, "accuracy %") for c in TABLE_COLUMNS[name]),
        ROWS[name],
    )  # fmt: skip


def build_table(
    name: str, probes_dir: str | Path | None, models: Sequence[str], layer: str
) -> tuple[RowsTable, pd.DataFrame]:
    """Table ``name`` (table3 / table4) and its tidy frame (no models: published rows only)."""
    spec = soundnet_table(name, layer)
    values = probe_values(probes_dir, TABLE_DATASETS[name], layer, TABLE_COLUMNS[name])
    return spec, spec.build(values, models)
