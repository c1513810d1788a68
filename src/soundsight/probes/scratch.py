"""SoundNet trained from scratch on the probe labels (SoundNet Table 5, "Scratch Init" rows).

The paper: "we simply change the network to output the class probabilities, and train it from
random initialization with a cross entropy loss" on the labelled target set only. Here, per
ESC-50 fold k (the probe's 5 predefined folds):

1. a fresh ``soundnet8`` / ``soundnet5`` (registry, at ``width``) is built from random init,
   seeded with ``seed + k``, with its object head of K outputs (one per ESC-50 class; the
   scene head is one unused output, it gets no gradient);
2. it is trained with Adam (``TrainConfig(optimizer="adamw", weight_decay=0)`` of
   :func:`soundsight.train.optim.make_optimizer`, i.e. plain Adam) at ``lr`` for
   ``iterations`` steps of ``batch_size`` recordings of the **training folds only** (epochs of
   a seeded permutation). Every recording is read and scaled as the probes read it (mono, the
   model's rate, x ``input_spec.scale``), **circularly shifted by a random offset** (the only
   augmentation) and tiled to ``min_seconds`` (10 s, as the probes); the loss is cross-entropy
   on the **mean over output steps** of the head's per-step logits (SoundNet-8 on 10 s has
   one step, SoundNet-5 two);
3. that fold's net is probed exactly as the distilled nets are
   (:func:`soundsight.probes.waveform.layer_windows` +
   :func:`soundsight.probes.clips.train_clip_probe`): the windows of one layer (SoundNet-8:
   pool5; SoundNet-5 has no pool5, its conv4 has pool5's time stride, 8192 samples, and its
   256 channels at width 1), linear SVM at the probes' fixed cost on the training folds'
   windows, tested on fold k (mean window decision values per recording).

ESC-10 uses the **same per-fold nets** (trained on all ESC-50 classes of the training folds),
their layer probed on the ESC-10 rows only, as ESC-10 is probed for the distilled nets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from soundsight.models.base import tile_to_length
from soundsight.probes.clips import ClipProbeResult, clips_npz_arrays, train_clip_probe
from soundsight.probes.waveform import (
    DEFAULT_COST,
    MIN_SECONDS,
    accuracy_summary,
    layer_windows,
    probe_counts,
    read_wave,
    window_rows,
)

log = logging.getLogger(__name__)
PROBE_LAYERS = {"soundnet8": "pool5", "soundnet5": "conv4"}  # pool5's stride, see the docstring


@dataclass(frozen=True)
class ScratchConfig:
    """How each fold's net is trained (see the module docstring)."""

    model: str = "soundnet8"
    width: float = 1.0
    iterations: int = 30
    batch_size: int = 16
    lr: float = 1e-3
    shift: bool = True  # random circular shift of every training recording
    min_seconds: float = MIN_SECONDS

    def __post_init__(self) -> None:
        if self.model not in PROBE_LAYERS:
            raise ValueError(
                f"scratch model must be one of {list(PROBE_LAYERS)}, got {self.model!r}"
            )
        for name in ("iterations", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"scratch {name} must be >= 1, got {getattr(self, name)}")
        if not (self.lr > 0 and self.width > 0 and self.min_seconds > 0):
            raise ValueError(
                f"scratch lr, width and min_seconds must be > 0, got {self.lr}, {self.width}, "
                f"{self.min_seconds}"
            )

    @property
    def layer(self) -> str:
        """The probed layer of this architecture."""
        return PROBE_LAYERS[self.model]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"layer": self.layer}


def batch_order(n: int, iterations: int, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """(iterations, batch_size) recording indices: consecutive epochs of random permutations
    (a batch larger than the set repeats recordings within it)."""
    if n < 1:
        raise ValueError("no training recordings")
    need = iterations * batch_size
    order = np.concatenate([rng.permutation(n) for _ in range(-(-need // n))])
    return order[:need].reshape(iterations, batch_size)


def make_batch(
    waves: Sequence[np.ndarray], idx: np.ndarray, length: int, scale: float,
    rng: np.random.Generator | None,
) -> torch.Tensor:  # fmt: skip
    """(B, 1, length) float32: recordings ``idx`` circularly shifted by a random offset (when
    ``rng``), tiled to ``length`` and scaled by ``scale``."""
    rows = []
    for i in idx:
        w = waves[int(i)]
        if rng is not None:
            w = np.roll(w, int(rng.integers(len(w))))
        rows.append(tile_to_length(torch.from_numpy(np.ascontiguousarray(w))[None, None], length))
    return torch.cat(rows) * scale  # (B, 1, length)


def train_scratch(
    waves: Sequence[np.ndarray], labels: np.ndarray, n_classes: int, cfg: ScratchConfig,
    seed: int, device: str = "cpu",
) -> tuple[nn.Module, list[float]]:  # fmt: skip
    """A ``cfg.model`` trained from random init (``seed``) on ``waves`` (mono [-1, 1] at the
    model's rate) with labels (N,) in [0, n_classes); returns it (eval mode) and the losses."""
    from soundsight.models import build_model, model_input_spec
    from soundsight.train.loop import TrainConfig
    from soundsight.train.optim import make_optimizer

    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (len(waves),) or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"need one label in [0, {n_classes}) per recording ({len(waves)})")
    rate = model_input_spec(cfg.model).sample_rate
    length = round(cfg.min_seconds * rate)
    model = build_model(
        cfg.model, seed=seed, num_outputs=n_classes, num_scene_outputs=1, width=cfg.width,
        num_samples=length,
    ).to(device)  # fmt: skip
    spec = model.input_spec
    opt = make_optimizer(
        model, TrainConfig(optimizer="adamw", lr=cfg.lr, momentum=0.9, weight_decay=0.0)
    )  # AdamW without decay, betas (0.9, 0.999): Adam
    rng = np.random.default_rng(seed)
    y_all = torch.from_numpy(labels)
    losses: list[float] = []
    model.train()
    for idx in batch_order(len(waves), cfg.iterations, cfg.batch_size, rng):
        x = make_batch(waves, idx, length, spec.scale, rng if cfg.shift else None).to(device)
        logits = model(x)["object"].mean(dim=2)  # (B, K, T) -> (B, K): mean over steps
        loss = nn.functional.cross_entropy(logits, y_all[idx].to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return model.eval(), losses


def _fold_probe(
    windows: list[np.ndarray], clips: pd.DataFrame, cost: float, seed: int
) -> ClipProbeResult:
    """Linear SVM on the windows of the recordings whose ``train`` column is true, tested on
    the others' (``windows``: one (T, C) array per row of ``clips``)."""
    X, ids, y, tr = window_rows(windows, clips, ("target", "train"))
    tr = tr.astype(bool)
    return train_clip_probe(X[tr], ids[tr], y[tr], X[~tr], ids[~tr], y[~tr], cost, seed=seed)


def probe_scratch_esc50(
    root: str | Path, cfg: ScratchConfig, cost: float = DEFAULT_COST, seed: int = 0,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:  # fmt: skip
    """Per fold: train a net from scratch on the other folds, probe its layer on ESC-50 and
    ESC-10; the summary (``probe_esc50``'s layout plus ``training``) and ``clips.npz`` arrays
    (benchmarks ``esc50_<layer>``, ``esc10_<layer>``)."""
    from soundsight.data.esc50 import read_esc50
    from soundsight.models import model_input_spec

    clips, rejects = read_esc50(Path(root))
    clips = clips.assign(clip_id=[Path(p).stem for p in clips["path"]])
    classes = np.unique(clips["target"].to_numpy())
    y = np.searchsorted(classes, clips["target"].to_numpy())  # (N,) in [0, K)
    rate = model_input_spec(cfg.model).sample_rate
    waves = [read_wave(p, rate) for p in clips["path"]]
    folds, esc10 = clips["fold"].to_numpy(), clips["esc10"].to_numpy(dtype=bool)
    results: dict[str, list[ClipProbeResult]] = {"esc50": [], "esc10": []}
    training: list[dict[str, Any]] = []
    for fold in np.unique(folds):
        train = folds != fold
        started = time.time()
        net, losses = train_scratch(
            [w for w, t in zip(waves, train, strict=True) if t], y[train], len(classes), cfg,
            seed + int(fold), device,
        )  # fmt: skip
        windows = layer_windows(net, waves, [cfg.layer], device, cfg.min_seconds)[cfg.layer]
        table = clips.assign(train=train)
        results["esc50"].append(_fold_probe(windows, table, cost, seed))
        if esc10.any():
            w10 = [w for w, keep in zip(windows, esc10, strict=True) if keep]
            results["esc10"].append(_fold_probe(w10, table[esc10], cost, seed))
        training.append(_fold_training(int(fold), seed + int(fold), losses, started))
        log.info(
            "fold %s: loss %.3f, accuracy %.3f", fold, losses[-1], results["esc50"][-1].accuracy
        )
    return _scratch_summary(cfg, results, training, clips, rejects, cost)


def _fold_training(fold: int, seed: int, losses: list[float], started: float) -> dict[str, Any]:
    """One fold's training record: the seed, the first and final losses (final: mean of the
    last tenth of the steps) and the wall time."""
    tail = losses[-max(1, len(losses) // 10) :]
    return {
        "fold": fold, "seed": seed, "first_loss": losses[0], "final_loss": losses[-1],
        "final_loss_mean": float(np.mean(tail)), "seconds": round(time.time() - started, 3),
    }  # fmt: skip


def _scratch_summary(
    cfg: ScratchConfig, results: dict[str, list[ClipProbeResult]],
    training: list[dict[str, Any]], clips: pd.DataFrame, rejects: pd.DataFrame, cost: float,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:  # fmt: skip
    layer = cfg.layer
    summary: dict[str, Any] = {
        "dataset": "esc50", "layers": {layer: accuracy_summary(results["esc50"])},
        "esc10": {"layers": {}, "n_recordings": int(clips["esc10"].astype(bool).sum())},
    }  # fmt: skip
    arrays = clips_npz_arrays(f"esc50_{layer}", results["esc50"])
    if results["esc10"]:
        summary["esc10"]["layers"][layer] = accuracy_summary(results["esc10"])
        arrays |= clips_npz_arrays(f"esc10_{layer}", results["esc10"])
    summary |= probe_counts(clips, rejects, cost)
    summary |= {"model": cfg.model, "training": cfg.to_dict(), "folds": training}
    summary["feature_layer"] = layer  # the one layer probed: a table's layer when it has no other
    return summary, arrays
