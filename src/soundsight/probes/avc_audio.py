"""Clip probes of a multi-stream model's audio stream on ESC-50 and DCASE 2013 (sub-clip SVMs).

The protocol of :mod:`soundsight.probes.clips` (Look, Listen and Learn, Sect. 4.2) for a model
that takes a dict of input streams with a spectrogram ``audio`` stream (``model.input_spec``)
and makes its own spectrograms (``model.front_end``):

- every recording is read as mono and resampled to the stream's sample rate
  (:func:`soundsight.probes.waveform.read_wave`); one shorter than a sub-clip is repeated
  circularly to one sub-clip's length;
- :data:`~soundsight.probes.clips.SUBCLIPS` equally spaced sub-clips of the stream's duration
  are cut from it (ESC-50: 10, DCASE 2013: 60; :func:`~soundsight.probes.clips.subclip_starts`);
- each sub-clip goes through the model's front end and its audio subnet up to ``layer``; the
  layer's map is max-pooled to a ``pool`` grid (``(h, w)``, adaptive max pooling: L3's
  ``conv4_2`` 16 x 12 map to 4 x 3) or taken as it is (``None``) and flattened: one row of
  features per sub-clip, in batches;
- the clip probe is fitted on the sub-clips (z-score with the training sub-clips' statistics,
  one-vs-all linear SVM, a recording's scores the mean of its sub-clips' decision values):
  ESC-50 by its 5 folds (mean accuracy), DCASE 2013 by dev -> test.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from soundsight.models.input_spec import SpectrogramSpec
from soundsight.probes.clips import (
    DEFAULT_COST,
    SUBCLIPS,
    clips_npz_arrays,
    fold_accuracy,
    subclip_starts,
    train_clip_probe,
)
from soundsight.probes.extract import pool_map
from soundsight.probes.waveform import (
    accuracy_summary,
    dcase_recordings,
    esc50_recordings,
    probe_counts,
    read_wave,
    window_rows,
)

log = logging.getLogger(__name__)
AUDIO = "audio"  # the input stream probed
DEFAULT_BATCH = 64
DATASETS = ("esc50", "dcase2013")


def audio_spec(model: nn.Module) -> SpectrogramSpec:
    """The model's spectrogram ``audio`` input spec; ValueError for a model without one."""
    specs = getattr(model, "input_spec", None)
    spec = specs.get(AUDIO) if isinstance(specs, dict) else None
    if not isinstance(spec, SpectrogramSpec) or not hasattr(model, "front_end"):
        raise ValueError(
            f"{type(model).__name__} has no spectrogram {AUDIO!r} stream with a front end "
            f"(its input spec: {specs})"
        )
    return spec


def subclip_offsets(n_samples: int, n: int, length: int) -> np.ndarray:
    """Start samples (n,) of ``n`` equally spaced ``length``-sample sub-clips of a recording
    of ``n_samples`` (at least ``length``) samples."""
    return np.round(subclip_starts(float(n_samples), n, float(length))).astype(np.int64)


def audio_subclip_features(
    model: nn.Module,
    waves: Sequence[np.ndarray],
    layer: str,
    n_subclips: int,
    pool: Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> list[np.ndarray]:
    """``[(n_subclips, D) float32 per recording]``: ``layer``'s features of each sub-clip.

    ``waves``: mono [-1, 1] recordings at the audio stream's sample rate. ``pool``: the
    ``(h, w)`` grid a map layer (B, C, H, W) is max-pooled to (D = C h w); None keeps the layer
    as it is (flattened; ``audio.pool4`` is already (B, C))."""
    spec = audio_spec(model)
    (name,) = model.check_layers([layer])
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    length = round(spec.duration_s * spec.sample_rate)
    if any(len(w) == 0 for w in waves):
        raise ValueError("empty recording: no sub-clip can be cut from it")
    tiled = [np.resize(np.asarray(w, dtype=np.float32), max(len(w), length)) for w in waves]
    cuts = [
        (r, s) for r, w in enumerate(tiled) for s in subclip_offsets(len(w), n_subclips, length)
    ]
    front = model.front_end
    model = model.eval().to(device)
    rows: list[np.ndarray] = []
    with torch.no_grad():
        for i in tqdm(range(0, len(cuts), batch_size), desc=f"{layer} sub-clips", unit="batch"):
            batch = np.stack([tiled[r][s : s + length] for r, s in cuts[i : i + batch_size]])
            x = front(torch.from_numpy(batch).to(device))  # (B, 1, F, T)
            out = model.forward_intermediates({AUDIO: x}, [name])[name]
            rows.append(pool_map(out, pool, layer).float().cpu().numpy())
    X = np.concatenate(rows) if rows else np.zeros((0, 0), np.float32)
    return np.split(X, np.arange(1, len(waves)) * n_subclips)


def probe_audio_stream(
    model: nn.Module,
    dataset: str,
    root: str | Path,
    layer: str,
    pool: Sequence[int] | None = None,
    cost: float = DEFAULT_COST,
    seed: int = 0,
    device: str = "cpu",
    batch_size: int = DEFAULT_BATCH,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The clip probe of ``layer`` on ``dataset`` (``esc50``: 5 folds; ``dcase2013``: dev ->
    test): the summary and the ``clips.npz`` arrays (benchmark ``dataset``)."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown audio probe dataset {dataset!r}; expected one of {DATASETS}")
    rate = audio_spec(model).sample_rate
    esc = dataset == "esc50"
    clips, rejects = esc50_recordings(root) if esc else dcase_recordings(root)
    waves = [read_wave(p, rate) for p in clips["path"]]
    n = SUBCLIPS[dataset]
    feats = audio_subclip_features(model, waves, layer, n, pool, batch_size, device)
    X, ids, y, group = window_rows(feats, clips, ("target", "fold" if esc else "split"))
    if esc:
        results = fold_accuracy(X, ids, y, group, cost=cost, seed=seed)
    else:
        tr, te = group == "dev", group == "test"
        results = [train_clip_probe(X[tr], ids[tr], y[tr], X[te], ids[te], y[te], cost, seed=seed)]
    summary: dict[str, Any] = {
        "dataset": dataset, "layer": layer, "pool": list(pool) if pool is not None else None,
        "subclips_per_recording": n, "feature_dim": int(X.shape[1]), "sample_rate": int(rate),
        **accuracy_summary(results), **probe_counts(clips, rejects, cost),
    }  # fmt: skip
    log.info("%s %s: accuracy %.3f", dataset, layer, summary["accuracy"])
    return summary, clips_npz_arrays(dataset, results)


__all__ = ["audio_subclip_features", "probe_audio_stream", "subclip_offsets"]
