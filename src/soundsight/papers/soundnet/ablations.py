"""SoundNet's Table 5 (ablations: loss, teacher, depth and data) and Table 6 (layer x teacher).

Each replicated line is an :class:`Entry`: a table row read from one layer-probe summary
(``soundsight.probes.waveform``'s ``<probes>/<model>/<dataset>_layers.json``, or a baseline's
summary in the same layout, e.g. the scratch nets' ``<probes>/scratch/<arch>/esc50.json``).
One sheet model may stand for several printed rows (``soundnet8`` is Table 5's "KL Loss",
"Both" and "Unlabeled Video" at once, as in the paper, whose three rows are one network).

- **Table 5** reads each line at ``soundnet.table_layer`` (pool5). SoundNet-5 has no pool5
  (conv1-conv4 and its heads); its line reads its top trunk layer (the summary's
  ``feature_layer``, conv4), the pool5 analogue, and the table says so.
- **Table 6** reads every probed layer of the students of two teacher pairs: ``soundnet8``
  (the strong pair, the sheet's ``object`` and ``scene``: the paper's VGG) and
  ``soundnet8_weak`` (``object_weak`` and ``scene_weak``, the same nets trained for fewer
  iterations: the paper's AlexNet). The teachers' own held-out accuracies, read from their
  ``metrics.json``, are printed under the table so the strength gap is measured, not assumed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.papers.soundnet.tables import PAPER, SCALE_NOTE, layer_accuracy
from soundsight.report.results import Values, read_json
from soundsight.report.table import Column, Row, RowsTable

TABLE6_LAYERS = ("conv4", "conv5", "pool5", "conv6", "conv7", "conv8")
TABLE5_SUBSETS = {"ESC-50": None, "ESC-10": "esc10"}  # column -> the summary's subset
SCRATCH_DIR = "scratch"  # <probes>/scratch/<arch>/esc50.json: the nets trained on ESC-50 labels


@dataclass(frozen=True)
class Entry:
    """One replicated line: ``summary`` (relative to the probes folder) read at a layer."""

    key: str  # the line's key in the table (unique)
    model: str  # the sheet model (or scratch architecture) whose summary it reads
    summary: str  # <probes>/<summary>
    row: Row


def _probe(key: str, model: str, dataset: str, display: str, paper_row: str, note: str) -> Entry:
    return Entry(key, model, f"{model}/{dataset}_layers.json", Row(display, paper_row, note))


def _scratch(key: str, arch: str, display: str, paper_row: str) -> Entry:
    note = f"{arch} from random init on the ESC-50 training folds' labels only (no video)"
    return Entry(key, arch, f"{SCRATCH_DIR}/{arch}/esc50.json", Row(display, paper_row, note))


TABLE5_ENTRIES: tuple[Entry, ...] = (
    _probe("l2", "soundnet8_l2", "esc50", "8 Layer, ℓ2 Loss", "8 Layer, ℓ2 Loss",
           "soundnet8_l2: the squared distance instead of KL"),
    _probe("kl", "soundnet8", "esc50", "8 Layer, KL Loss", "8 Layer, KL Loss",
           "soundnet8: KL, both teachers"),
    _probe("object", "soundnet8_object", "esc50", "8 Layer, object teacher only",
           "8 Layer, ImageNet Only", "soundnet8_object: the world's object model teaches"),
    _probe("scene", "soundnet8_scene", "esc50", "8 Layer, scene teacher only",
           "8 Layer, Places Only", "soundnet8_scene: the world's scene model teaches"),
    _probe("both", "soundnet8", "esc50", "8 Layer, Both", "8 Layer, Both",
           "soundnet8: both teachers"),
    _scratch("scratch5", "soundnet5", "5 Layer, Scratch Init", "5 Layer, Scratch Init"),
    _scratch("scratch8", "soundnet8", "8 Layer, Scratch Init", "8 Layer, Scratch Init"),
    _probe("video5", "soundnet5", "esc50", "5 Layer, Unlabeled Video", "5 Layer, Unlabeled Video",
           "soundnet5 distilled on the world's videos (its top trunk layer, conv4)"),
    _probe("video8", "soundnet8", "esc50", "8 Layer, Unlabeled Video", "8 Layer, Unlabeled Video",
           "soundnet8 distilled on the world's videos"),
)  # fmt: skip

WEAK, STRONG = "soundnet8_weak", "soundnet8"
TABLE6_ENTRIES: tuple[Entry, ...] = tuple(
    _probe(f"{tag}_{pair}", model, dataset, f"{name}/8 Layer, {teachers} teachers",
           f"{name}/8 Layer, {paper}", f"{model}: distilled from the {teachers} teacher pair")
    for tag, dataset, name in (("dcase", "dcase2013", "DCASE"), ("esc", "esc50", "ESC50"))
    for pair, model, teachers, paper in (
        ("weak", WEAK, "weak", "AlexNet"), ("strong", STRONG, "strong", "VGG"),
    )
)  # fmt: skip

TABLES = {"table5": TABLE5_ENTRIES, "table6": TABLE6_ENTRIES}


def entries(name: str, models: Sequence[str], scratch: Sequence[str] = ()) -> list[Entry]:
    """The lines of table ``name`` whose sheet models are in ``models`` (scratch lines: their
    architecture in ``scratch``), in the table's order."""
    if name not in TABLES:
        raise ValueError(f"unknown SoundNet ablation table {name!r}; expected {list(TABLES)}")
    have = set(models)
    return [
        e for e in TABLES[name]
        if (e.model in scratch if e.summary.startswith(SCRATCH_DIR) else e.model in have)
    ]  # fmt: skip


def summary_files(name: str, models: Sequence[str], scratch: Sequence[str] = ()) -> list[str]:
    """The probe summaries (relative to the probes folder) table ``name`` reads, once each."""
    return list(dict.fromkeys(e.summary for e in entries(name, models, scratch)))


def resolve_layer(summary: Mapping[str, Any], layer: str, path: str | Path) -> str:
    """``layer`` if the summary probed it, else its ``feature_layer`` (SoundNet-5: conv4)."""
    layers = summary.get("layers", {})
    if layer in layers:
        return layer
    fallback = summary.get("feature_layer")
    if fallback in layers:
        return str(fallback)
    raise ValueError(f"{path}: layer {layer!r} was not probed and no feature_layer: {list(layers)}")


def table5_values(probes_dir: Path, layer: str, lines: Sequence[Entry]) -> Values:
    """Line key -> ``{"ESC-50", "ESC-10"}`` accuracy % at ``layer`` (or the line's top layer)."""
    by_key = {e.key: e for e in lines}

    def values(key: str) -> dict[str, float]:
        path = probes_dir / by_key[key].summary
        summary = read_json(path, "layer-probe summary")
        used = resolve_layer(summary, layer, path)
        subsets = TABLE5_SUBSETS.items()
        return {c: layer_accuracy(summary, used, sub, missing=math.nan) for c, sub in subsets}

    return values


def table6_values(probes_dir: Path, lines: Sequence[Entry]) -> Values:
    """Line key -> ``{layer: accuracy %}`` of every probed layer (NaN: not probed)."""
    by_key = {e.key: e for e in lines}

    def values(key: str) -> dict[str, float]:
        summary = read_json(probes_dir / by_key[key].summary, "layer-probe summary")
        return {layer: layer_accuracy(summary, layer, missing=math.nan) for layer in TABLE6_LAYERS}

    return values


def teacher_strength(metrics: Mapping[str, str | Path]) -> str:
    """One sentence on each teacher's held-out accuracy, from ``{model: metrics.json}``: scene
    models' top-1 (and chance), object models' mean per-label accuracy (and always-absent's)."""
    parts = []
    for model, path in metrics.items():
        val = read_json(path, "model metrics").get("val") or {}
        if "top1" in val:
            top1, chance = 100 * val["top1"], 100 * val["chance"]
            parts.append(f"{model} top-1 {top1:.1f} % (chance {chance:.1f})")
        elif "mean_bit_accuracy" in val:
            parts.append(
                f"{model} per-label {100 * val['mean_bit_accuracy']:.1f} % (always absent "
                f"{100 * val['mean_majority_bit_accuracy']:.1f})"
            )
        else:
            parts.append(f"{model}: no held-out accuracy in {path}")
        parts[-1] += f", held-out loss {val['loss']:.3f}" if "loss" in val else ""
    return "; ".join(parts)


def ablation_table(name: str, layer: str, lines: Sequence[Entry], strength: str = "") -> RowsTable:
    """Table 5 (ESC-50 / ESC-10 at ``layer``) or Table 6 (DCASE and ESC-50 per layer)."""
    rows = {e.key: e.row for e in lines}
    if name == "table5":
        return RowsTable(
            PAPER, "table5", "Table 5",
            "SoundNet, Table 5: ablations (loss, teacher, depth and data)",
            f"Replicated: mean accuracy % over the 5 folds of the world's mini-ESC-50 (and ESC-10) "
            f"of a linear SVM on each net's {layer} windows (SoundNet-5: its top trunk layer, "
            f"conv4; it has no pool5). One network stands for the paper's three identical rows "
            f"'KL Loss', 'Both' and 'Unlabeled Video'. {SCALE_NOTE}",
            (Column("ESC-50", "ESC-50", "accuracy %"), Column("ESC-10", "ESC-10", "accuracy %")),
            rows,
        )  # fmt: skip
    return RowsTable(
        PAPER, "table6", "Table 6", "SoundNet, Table 6: each layer, two teacher pairs",
        "Replicated: accuracy % of a linear SVM on each layer's windows (DCASE 2013 test; ESC-50 "
        "mean over 5 folds; conv8: both heads' outputs). The weak pair stands for AlexNet, the "
        "strong pair for VGG: the same world object and scene nets trained for fewer "
        f"iterations. Teachers on held-out frames: {strength or 'not given'}. {SCALE_NOTE}",
        tuple(Column(x, x, "accuracy %") for x in TABLE6_LAYERS),
        rows,
    )  # fmt: skip


def build_ablation(
    name: str, probes_dir: str | Path | None, models: Sequence[str], layer: str,
    scratch: Sequence[str] = (), teacher_metrics: Mapping[str, str | Path] | None = None,
) -> tuple[RowsTable, pd.DataFrame]:  # fmt: skip
    """Table ``name`` (table5 / table6) and its tidy frame (no probes: published rows only)."""
    lines = entries(name, models, scratch) if probes_dir is not None else []
    strength = teacher_strength(teacher_metrics or {})
    spec = ablation_table(name, layer, lines, strength)
    folder = Path(probes_dir) if probes_dir is not None else Path()
    if name == "table5":
        values = table5_values(folder, layer, lines)
    else:
        values = table6_values(folder, lines)
    return spec, spec.build(values, [e.key for e in lines])
