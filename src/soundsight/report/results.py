"""Readers of the workflow's result files, shared by every table and the audit.

One reader per kind of result: probe summaries (``<probe_dir>/<model>/<name>.json`` with a
``layers`` mapping, as :mod:`soundsight.probes.run` writes them), detection summaries
(``<det_dir>/<model>/detection.json``), fine-tuning summaries
(``<finetune_dir>/<model>/<mode>/finetune.json``, :mod:`soundsight.eval.finetune`) and per-item
arrays (``.npz``). Summary readers return
percentages (the unit every table shows); all name the file and the entry when something is
missing or out of range.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

Values = Callable[[str], Mapping[str, float]]
"""A result source bound to a results folder: model key -> {cell key: value}."""


def read_json(path: str | Path, what: str = "result") -> dict[str, Any]:
    """A JSON object from ``path``; FileNotFoundError / ValueError name the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """All arrays of an .npz file (per-image scores, predictions), naming a missing file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"not found: {path}")
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def read_probe(path: str | Path) -> dict[str, Any]:
    """A probe summary: a JSON object with a ``layers`` mapping (layer -> metrics)."""
    data = read_json(path, "probe output")
    if not isinstance(data.get("layers"), dict):
        raise ValueError(f"{path}: expected an object with a 'layers' mapping")
    return data


def _fraction(path: Path, where: str, value: Any) -> float:
    """``value`` as a float in [0, 1], naming the file and entry otherwise."""
    out = float(value)
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"{path}: {where}={value} is not a fraction in [0, 1]")
    return out


def layer_entry(path: Path, layers: Mapping[str, Any], layer: str, key: str) -> Any:
    """``layers[layer][key]``, raising KeyError naming what is missing."""
    if layer not in layers:
        raise KeyError(f"{path}: layer {layer!r} missing; layers present: {sorted(layers)}")
    entry = layers[layer]
    if not isinstance(entry, dict) or key not in entry:
        raise KeyError(f"{path}: layer {layer!r} has no {key!r}")
    return entry[key]


def probe_percent(
    path: str | Path, key: str, layers: Sequence[str], required: bool = True
) -> dict[str, float]:
    """``{layer: 100 * layers[layer][key]}`` of one probe summary (``key`` a fraction).

    ``required`` False skips the layers the file lacks instead of raising KeyError.
    """
    path = Path(path)
    present = read_probe(path)["layers"]
    out = {}
    for layer in layers:
        if not required and layer not in present:
            continue
        value = layer_entry(path, present, layer, key)
        out[layer] = 100.0 * _fraction(path, f"layer {layer!r} {key}", value)
    return out


def probe_values(
    probe_dir: str | Path,
    sources: Sequence[tuple[str, str, str]],
    layers: Sequence[str],
    required: bool = True,
) -> Values:
    """A result source over ``<probe_dir>/<model>/<file>``: cells ``<prefix>/<layer>`` in %.

    ``sources`` lists ``(prefix, file, key)``, e.g. ``("VOC", "voc.json", "map11")``.
    """

    def values(model: str) -> dict[str, float]:
        out: dict[str, float] = {}
        per_file = [
            (prefix, probe_percent(Path(probe_dir) / model / name, key, layers, required))
            for prefix, name, key in sources
        ]
        for prefix, cells in per_file:
            out.update({f"{prefix}/{layer}": v for layer, v in cells.items()})
        return out

    return values


def class_ap(path: str | Path, layer: str | None) -> dict[str, float]:
    """Per-class 11-point AP in percent of one probe summary, in the file's class order.

    ``layer`` None means the file's only layer (e.g. the 30-d audio-class probe). Raises when
    an AP is not a fraction in [0, 1]; warns when the stored mAP is not the mean class AP.
    """
    path = Path(path)
    data = read_probe(path)
    layers = data["layers"]
    if layer is None:
        if len(layers) != 1:
            raise ValueError(f"{path}: name the layer to use; layers present: {sorted(layers)}")
        layer = next(iter(layers))
    if layer not in layers:
        raise KeyError(f"{path}: layer {layer!r} missing; layers present: {sorted(layers)}")
    entry = layers[layer]
    if not isinstance(entry, dict) or not isinstance(entry.get("ap11"), dict):
        raise KeyError(f"{path}: layer {layer!r} has no per-class 'ap11' mapping")
    return _class_ap_percent(path, entry["ap11"], data.get("classes", []), entry.get("map11"))


def _class_ap_percent(
    path: Path, ap: dict[str, Any], classes: list[str], map11: float | None
) -> dict[str, float]:
    """Per-class AP in percent in the order of ``classes`` (else of ``ap``); each checked to be a
    fraction in [0, 1]; warns when the stored ``map11`` is not their mean."""
    order = [c for c in classes if c in ap] or list(ap)
    if set(order) != set(ap):
        raise ValueError(f"{path}: 'classes' and the ap11 keys disagree")
    out = {str(c): 100.0 * _fraction(path, f"AP of class {c!r}", ap[c]) for c in order}
    mean = sum(out.values()) / len(out)
    if map11 is not None and abs(100.0 * float(map11) - mean) > 1e-6:
        logger.warning("%s: map11 %.4f differs from the mean class AP %.4f", path, map11, mean)
    return out


def detection_map(path: str | Path) -> float:
    """The mAP (percent) of one ``detection.json``, checking it is a fraction in [0, 1]."""
    path = Path(path)
    data = read_json(path, "detection output")
    if "map" not in data:
        raise ValueError(f"{path}: expected an object with a 'map' entry")
    value = float(data["map"]) if data["map"] is not None else math.nan
    return 100.0 * _fraction(path, "map", value)


def detection_values(det_dir: str | Path, column: str = "mAP") -> Values:
    """A result source over ``<det_dir>/<model>/detection.json``: one cell ``column``."""
    return lambda model: {column: detection_map(Path(det_dir) / model / "detection.json")}


FINETUNE_SUMMARY = "finetune.json"  # soundsight.eval.finetune's summary in each run folder


def finetune_class_ap(path: str | Path) -> dict[str, float]:
    """Per-class 11-point test AP in percent of one ``finetune.json``, in its class order.

    Raises when an AP is not a fraction in [0, 1]; warns when the stored mAP is not their mean.
    """
    path = Path(path)
    data = read_json(path, "fine-tuning output")
    ap = data.get("ap11")
    if not isinstance(ap, dict) or not ap:
        raise ValueError(f"{path}: expected a per-class 'ap11' mapping")
    return _class_ap_percent(path, ap, data.get("classes", []), data.get("map11"))


def finetune_map(path: str | Path) -> float:
    """The test mAP (percent, VOC07 11-point) of one ``finetune.json``."""
    path = Path(path)
    data = read_json(path, "fine-tuning output")
    if "map11" not in data:
        raise ValueError(f"{path}: expected an object with a 'map11' entry")
    return 100.0 * _fraction(path, "map11", data["map11"])


def finetune_values(finetune_dir: str | Path, modes: Mapping[str, str]) -> Values:
    """A result source over ``<finetune_dir>/<model>/<mode>/finetune.json``: one cell per
    ``{cell key: mode}`` of ``modes`` (e.g. ``{"Head": "head", "All": "all"}``), mAP in %."""

    def values(model: str) -> dict[str, float]:
        return {
            cell: finetune_map(Path(finetune_dir) / model / mode / FINETUNE_SUMMARY)
            for cell, mode in modes.items()
        }

    return values
