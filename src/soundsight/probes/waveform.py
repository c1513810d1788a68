"""Layer probes of a raw-waveform network on ESC-50 / ESC-10 and DCASE 2013 (SoundNet §4).

As the original evaluation does: every recording is read as mono, resampled to the model's rate
(``scipy.signal.resample_poly``), scaled by its input spec (SoundNet: [-256, 256]) and repeated
circularly to at least ``min_seconds`` (the original repeats ESC clips to 10 s) and to the net's
minimum length; a layer's output (C, T) gives **T windows** of C features, each labelled with
its recording's label. A linear SVM (fixed cost, the original's liblinear C = 0.01) is fitted on
the windows of the training recordings, a test recording's class scores are the mean decision
values of its windows and its prediction their argmax: exactly the sub-clip protocol of
:mod:`soundsight.probes.clips`, with the layer's time steps as the sub-clips.

- ESC-50: mean accuracy over its 5 folds; ESC-10: the same on the ``esc10`` rows only.
- DCASE 2013 scenes: train on dev, test on test.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.io import wavfile
from scipy.signal import resample_poly
from torch import nn
from tqdm import tqdm

from soundsight.models.base import tile_to_length
from soundsight.models.input_spec import WaveformSpec
from soundsight.probes.clips import (
    ClipProbeResult,
    clips_npz_arrays,
    fold_accuracy,
    train_clip_probe,
)

log = logging.getLogger(__name__)
DEFAULT_COST = 0.01  # the original evaluation's fixed liblinear C
MIN_SECONDS = 10.0  # ESC clips repeated circularly to 10 s (the original)


def read_wave(path: str | Path, rate: int) -> np.ndarray:
    """Mono float32 (n,) in [-1, 1] of a wav file at ``rate`` Hz."""
    native, data = wavfile.read(path)
    x = data.astype(np.float32)
    if np.issubdtype(data.dtype, np.integer):
        x /= float(np.iinfo(data.dtype).max)
    if x.ndim == 2:  # (n, channels) -> mono
        x = x.mean(axis=1)
    if native != rate:
        ratio = Fraction(int(rate), int(native))
        x = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
    return x


def layer_windows(
    model: nn.Module,
    waves: Sequence[np.ndarray],
    layers: Sequence[str],
    device: str = "cpu",
    min_seconds: float = MIN_SECONDS,
) -> dict[str, list[np.ndarray]]:
    """``{layer: [(T_l, C_l) float32 per recording]}``: each layer's time steps as windows.

    ``waves``: mono [-1, 1] recordings at the model's rate; each is scaled by the input spec and
    tiled to ``min_seconds``; one forward pass per recording (lengths differ)."""
    spec = model.input_spec
    if not isinstance(spec, WaveformSpec):
        raise ValueError(f"{type(model).__name__} does not take a waveform (its spec: {spec})")
    parts = {layer: _layer_parts(model, layer) for layer in layers}
    names = tuple(model.check_layers([n for p in parts.values() for n in p]))
    length = round(min_seconds * spec.sample_rate)
    out: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
    model = model.eval().to(device)
    with torch.no_grad():
        for wave in tqdm(waves, desc="layer windows", unit="clip"):
            x = tile_to_length(torch.from_numpy(wave)[None, None], length) * spec.scale
            feats = model.forward_intermediates(x.to(device), names)  # {name: (1, C, T)}
            for layer, part in parts.items():
                joined = torch.cat([feats[n][0] for n in part])  # (C, T), heads side by side
                out[layer].append(joined.T.float().cpu().numpy())  # (T, C)
    return out


def _layer_parts(model: nn.Module, layer: str) -> tuple[str, ...]:
    """The model's layer names making up probe layer ``layer``: the heads' layer (SoundNet's
    conv8) is every head's output (``conv8.object``, ``conv8.scene``), the rest themselves."""
    if layer == getattr(model, "head_layer", None):
        return tuple(f"{layer}.{h}" for h in model.head)
    return (layer,)


def probe_layer_names(model: nn.Module, requested: Sequence[str]) -> tuple[str, ...]:
    """The ``requested`` probe layers that ``model`` has, in order (SoundNet-5 has conv1-conv5,
    its conv5 the heads), then its top trunk layer (``feature_layer``) if not among them;
    ValueError when that leaves none."""
    own = set(getattr(model, "layer_names", ())) | {getattr(model, "head_layer", None)}
    kept = tuple(layer for layer in requested if layer in own)
    top = getattr(model, "feature_layer", None)  # the trunk's top: a table's fallback layer
    if top is not None and top not in kept:
        kept = (*kept, top)
    if not kept:
        raise ValueError(
            f"{type(model).__name__} has none of the probe layers {list(requested)}; its layers: "
            f"{sorted(n for n in own if n)}"
        )
    return kept


def window_rows(windows: list[np.ndarray], table: pd.DataFrame, columns: Sequence[str]) -> tuple:
    """The SVM's rows: stacked windows (M, C), their recording ids (M,) and each of ``columns``'
    values (M,), repeated per window (``windows``: one (T, C) array per row of ``table``, which
    has a ``clip_id`` column)."""
    counts = [len(w) for w in windows]
    per_row = [np.repeat(table[c].to_numpy(), counts) for c in ("clip_id", *columns)]
    return np.concatenate(windows), *per_row


def accuracy_summary(result: ClipProbeResult | list[ClipProbeResult]) -> dict[str, Any]:
    """A probed layer's summary block: mean ``accuracy`` over the folds (one result: its
    accuracy), the ``fold_accuracies`` and ``n_test`` (test recordings over all folds)."""
    results = result if isinstance(result, list) else [result]
    accs = [r.accuracy for r in results]
    return {
        "accuracy": float(np.mean(accs)), "fold_accuracies": accs,
        "n_test": int(sum(len(r.labels) for r in results)),
    }  # fmt: skip


def esc50_recordings(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ESC-50 recordings under ``root`` (``path``, ``target``, ``fold``, ``esc10``, ...)
    with a ``clip_id`` (the file's stem), and the rejected rows."""
    from soundsight.data.esc50 import read_esc50

    clips, rejects = read_esc50(Path(root))
    return clips.assign(clip_id=[Path(p).stem for p in clips["path"]]), rejects


def dcase_recordings(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DCASE 2013 scene recordings under ``root`` (``path``, ``target``, ``split`` dev or
    test) with a ``clip_id`` (``<split>/<stem>``), and the rejected rows; ValueError unless
    both sets are there."""
    from soundsight.data.dcase2013 import read_dcase2013

    clips, rejects = read_dcase2013(Path(root), classes=None)
    stems = [Path(p).stem for p in clips["path"]]
    clips = clips.assign(clip_id=clips["split"] + "/" + pd.Series(stems, index=clips.index))
    if set(clips["split"]) != {"dev", "test"}:
        raise ValueError(f"{root}: DCASE 2013 needs both the dev and the test set")
    return clips, rejects


def probe_esc50(
    model: nn.Module, root: str | Path, layers: Sequence[str], cost: float = DEFAULT_COST,
    seed: int = 0, device: str = "cpu", min_seconds: float = MIN_SECONDS,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:  # fmt: skip
    """ESC-50 (5 folds) and its ESC-10 subset, per layer: summary and ``clips.npz`` arrays
    (benchmarks ``esc50_<layer>`` and ``esc10_<layer>``)."""
    clips, rejects = esc50_recordings(root)
    rate = model.input_spec.sample_rate
    waves = [read_wave(p, rate) for p in clips["path"]]
    windows = layer_windows(model, waves, layers, device, min_seconds)
    esc10 = clips["esc10"].to_numpy(dtype=bool)
    summary: dict[str, Any] = {"dataset": "esc50", "layers": {}, "esc10": {"layers": {}}}
    arrays: dict[str, np.ndarray] = {}
    for layer, w in windows.items():
        X, ids, y, folds = window_rows(w, clips, ("target", "fold"))
        res = fold_accuracy(X, ids, y, folds, cost=cost, seed=seed)
        summary["layers"][layer] = accuracy_summary(res)
        arrays |= clips_npz_arrays(f"esc50_{layer}", res)
        if esc10.any():
            keep = np.repeat(esc10, [len(x) for x in w])
            res10 = fold_accuracy(X[keep], ids[keep], y[keep], folds[keep], cost=cost, seed=seed)
            summary["esc10"]["layers"][layer] = accuracy_summary(res10)
            arrays |= clips_npz_arrays(f"esc10_{layer}", res10)
    summary |= probe_counts(clips, rejects, cost)
    summary["esc10"]["n_recordings"] = int(esc10.sum())
    return summary, arrays


def probe_dcase(
    model: nn.Module, root: str | Path, layers: Sequence[str], cost: float = DEFAULT_COST,
    seed: int = 0, device: str = "cpu", min_seconds: float = MIN_SECONDS,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:  # fmt: skip
    """DCASE 2013 scenes (train on dev, test on test), per layer: summary and arrays
    (benchmark ``dcase2013_<layer>``, one fold)."""
    clips, rejects = dcase_recordings(root)
    rate = model.input_spec.sample_rate
    waves = [read_wave(p, rate) for p in clips["path"]]
    windows = layer_windows(model, waves, layers, device, min_seconds)
    summary: dict[str, Any] = {"dataset": "dcase2013", "layers": {}}
    arrays: dict[str, np.ndarray] = {}
    for layer, w in windows.items():
        X, ids, y, split = window_rows(w, clips, ("target", "split"))
        tr, te = split == "dev", split == "test"
        res = train_clip_probe(X[tr], ids[tr], y[tr], X[te], ids[te], y[te], cost, seed=seed)
        summary["layers"][layer] = accuracy_summary(res)
        arrays |= clips_npz_arrays(f"dcase2013_{layer}", [res])
    return summary | probe_counts(clips, rejects, cost), arrays


def probe_counts(clips: pd.DataFrame, rejects: pd.DataFrame, cost: float) -> dict[str, Any]:
    """The summary's bookkeeping: recordings probed and rejected (with the rejects' rows) and the
    SVM cost."""
    return {
        "n_recordings": len(clips), "n_rejected": len(rejects), "cost": cost,
        "rejected": rejects.to_dict("records"),
    }  # fmt: skip


PROBES = {"esc50": probe_esc50, "dcase2013": probe_dcase}


def probe_layers(
    model: nn.Module, dataset: str, root: str | Path, layers: Sequence[str],
    cost: float = DEFAULT_COST, seed: int = 0, device: str = "cpu",
    min_seconds: float = MIN_SECONDS,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:  # fmt: skip
    """The rule's entry: ``dataset`` is ``esc50`` or ``dcase2013``; ``layers``: those of them
    the model has (:func:`probe_layer_names`)."""
    if dataset not in PROBES:
        raise ValueError(f"unknown audio probe dataset {dataset!r}; expected one of {list(PROBES)}")
    layers = probe_layer_names(model, layers)
    summary, arrays = PROBES[dataset](model, root, layers, cost, seed, device, min_seconds)
    summary["feature_layer"] = getattr(model, "feature_layer", None)  # the trunk's top layer
    log.info("%s: %s", dataset, {k: round(v["accuracy"], 3) for k, v in summary["layers"].items()})
    return summary, arrays
