"""SoundNet trained from scratch on the probe labels (SoundNet Table 5, "Scratch Init" rows).

The paper: "we simply change the network to output the class probabilities, and train it from
random initialization with a cross entropy loss" on the labelled target set only. Here, per
ESC-50 fold k (the probe's 5 predefined folds):

1. a fresh ``soundnet8`` / ``soundnet5`` (registry, at ``width``) is built from random init,
   seeded with ``seed + k``, with its object head of K outputs (one per ESC-50 class; the
   scene head is one unused output, it gets no gradient);
2. it is trained through the core loop (:func:`soundsight.train.loop.train`) with the
   ``step_mean_softmax`` task (:mod:`soundsight.train.tasks`): cross-entropy on the **mean over
   output steps** of the object head's per-step logits (SoundNet-8 on 10 s has one step,
   SoundNet-5 two), with Adam from the optimiser factory (``TrainConfig(optimizer="adamw",
   weight_decay=0)`` of :func:`soundsight.train.optim.make_optimizer`, i.e. plain Adam) at a
   constant ``lr``, for ``iterations`` steps of ``batch_size`` recordings of the **training
   folds only** (the loop's seeded epochs of permutations). Every recording is read and scaled
   as the probes read it (mono, the model's rate, x ``input_spec.scale``), **circularly
   shifted by a random offset** (the only augmentation, drawn from the sample's own seeded
   generator) and tiled to ``min_seconds`` (10 s, as the probes). After training, the loop's
   held-out pass scores the net's own head on the held-out fold (``heldout_top1``);
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
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import Dataset

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
from soundsight.train.dataset import SampleKey, augmentation_rng, sample_key
from soundsight.train.loop import TrainConfig, train
from soundsight.train.tasks import StepMeanSoftmaxTask

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


def make_batch(
    waves: Sequence[np.ndarray], idx: Sequence[int], length: int, scale: float,
    shifts: Sequence[int] | None = None,
) -> torch.Tensor:  # fmt: skip
    """(B, 1, length) float32: recordings ``idx``, each circularly shifted by its entry of
    ``shifts`` (samples; none: unshifted), tiled to ``length`` and scaled by ``scale``."""
    rows = []
    for j, i in enumerate(idx):
        w = waves[int(i)]
        if shifts is not None:
            w = np.roll(w, int(shifts[j]))
        rows.append(tile_to_length(torch.from_numpy(np.ascontiguousarray(w))[None, None], length))
    return torch.cat(rows) * scale  # (B, 1, length)


class Recordings(Dataset):
    """In-memory recordings with class labels, as the training loop's batch source: items
    ``(wave (1, length), label)``; :meth:`batch` builds a whole batch (``builds_batches``).

    With ``shift``, a recording keyed ``(index, epoch, seed)`` is circularly shifted by an
    offset drawn from that key's own generator
    (:func:`~soundsight.train.dataset.augmentation_rng`): the same seed gives the same batches.
    """

    builds_batches = True  # the training loop and predict() build batches with .batch(keys)

    def __init__(
        self, waves: Sequence[np.ndarray], labels: np.ndarray, length: int, scale: float,
        shift: bool,
    ) -> None:  # fmt: skip
        self.waves, self.length, self.scale, self.shift = list(waves), length, scale, shift
        self.targets = np.asarray(labels, dtype=np.int64)  # (N,)

    def __len__(self) -> int:
        return len(self.waves)

    def __getitem__(self, key: int | SampleKey) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.batch([key])
        return x[0], y[0]

    def batch(self, keys: Sequence[int | SampleKey]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x (B, 1, length) float32, labels (B,) int64)`` of ``keys``."""
        keys = [sample_key(k) for k in keys]
        idx = [int(k[0]) for k in keys]
        shifts = None
        if self.shift:
            shifts = [
                int(augmentation_rng(k).integers(len(self.waves[i])))
                for k, i in zip(keys, idx, strict=True)
            ]
        x = make_batch(self.waves, idx, self.length, self.scale, shifts)
        return x, torch.from_numpy(self.targets[idx])


def scratch_train_config(cfg: ScratchConfig, seed: int, device: str, length: int) -> TrainConfig:
    """The core loop's settings for ``cfg``: plain Adam (AdamW without decay, betas (0.9,
    0.999)) at a constant ``cfg.lr``, every step's loss logged, no intermediate checkpoints."""
    return TrainConfig(
        iterations=cfg.iterations, batch_size=cfg.batch_size, lr=cfg.lr, momentum=0.9,
        weight_decay=0.0, lr_steps=(), optimizer="adamw", schedule="step", checkpoint_every=0,
        log_every=1, seed=seed, device=device, model=cfg.model,
        model_kwargs={"width": cfg.width, "num_samples": length},
    )  # fmt: skip


def train_scratch(
    waves: Sequence[np.ndarray], labels: np.ndarray, n_classes: int, cfg: ScratchConfig,
    seed: int, device: str = "cpu",
    held_out: tuple[Sequence[np.ndarray], np.ndarray] | None = None,
) -> tuple[nn.Module, dict[str, Any]]:  # fmt: skip
    """A ``cfg.model`` trained from random init (``seed``) on ``waves`` (mono [-1, 1] at the
    model's rate) with labels (N,) in [0, n_classes), through the core training loop with the
    ``step_mean_softmax`` task; returns it (eval mode) and the loop's metrics (per-step losses:
    ``loss_curve["loss"]``; ``val``: its own head's accuracy on ``held_out`` (waves, labels),
    by default the training recordings unshifted)."""
    from soundsight.models import build_model, model_input_spec

    labels = _checked_labels(labels, len(waves), n_classes)
    length = round(cfg.min_seconds * model_input_spec(cfg.model).sample_rate)
    model = build_model(
        cfg.model, seed=seed, num_outputs=n_classes, num_scene_outputs=1, width=cfg.width,
        num_samples=length,
    )  # fmt: skip
    scale = model.input_spec.scale
    val_waves, val_labels = held_out if held_out is not None else (waves, labels)
    train_set = Recordings(waves, labels, length, scale, cfg.shift)
    val_set = Recordings(
        val_waves, _checked_labels(val_labels, len(val_waves), n_classes), length, scale, False
    )
    with tempfile.TemporaryDirectory(prefix="scratch-") as out_dir:
        metrics = train(
            model, train_set, val_set, StepMeanSoftmaxTask("object"),
            scratch_train_config(cfg, seed, device, length), Path(out_dir),
        )  # fmt: skip
    return model.eval(), metrics


def _checked_labels(labels: np.ndarray, n: int, n_classes: int) -> np.ndarray:
    """(n,) int64 labels; ValueError unless there is one in [0, n_classes) per recording."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (n,) or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"need one label in [0, {n_classes}) per recording ({n})")
    return labels


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
        in_train = folds != fold
        started = time.time()
        net, metrics = train_scratch(
            _subset(waves, in_train), y[in_train], len(classes), cfg, seed + int(fold), device,
            held_out=(_subset(waves, ~in_train), y[~in_train]),
        )  # fmt: skip
        windows = layer_windows(net, waves, [cfg.layer], device, cfg.min_seconds)[cfg.layer]
        table = clips.assign(train=in_train)
        results["esc50"].append(_fold_probe(windows, table, cost, seed))
        if esc10.any():
            results["esc10"].append(_fold_probe(_subset(windows, esc10), table[esc10], cost, seed))
        training.append(_fold_training(int(fold), seed + int(fold), metrics, started))
        log.info(
            "fold %s: loss %.3f, accuracy %.3f", fold, training[-1]["final_loss"],
            results["esc50"][-1].accuracy,
        )  # fmt: skip
    return _scratch_summary(cfg, results, training, clips, rejects, cost)


def _subset(items: Sequence[np.ndarray], keep: np.ndarray) -> list[np.ndarray]:
    """The entries of ``items`` where the boolean mask ``keep`` is true."""
    return [item for item, k in zip(items, keep, strict=True) if k]


def _fold_training(
    fold: int, seed: int, metrics: dict[str, Any], started: float
) -> dict[str, Any]:  # fmt: skip
    """One fold's training record: the seed, the first and final losses (final: mean of the
    last tenth of the steps), the net's own head's top-1 accuracy on the held-out fold and the
    wall time."""
    losses = metrics["loss_curve"]["loss"]  # one per step (the loop logs every step)
    tail = losses[-max(1, len(losses) // 10) :]
    return {
        "fold": fold, "seed": seed, "first_loss": losses[0], "final_loss": losses[-1],
        "final_loss_mean": float(np.mean(tail)), "heldout_top1": metrics["val"]["top1"],
        "seconds": round(time.time() - started, 3),
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
