"""The training loop: one resumable loop for every task, optimiser and schedule.

What a batch's forward pass, loss and held-out metrics are belongs to the task
(:mod:`soundsight.train.tasks`: ``softmax``, ``multilabel``, ...); the optimiser and learning-rate
schedule come by name from :mod:`soundsight.train.optim` (``sgd`` + ``step`` as Owens et al.
2018, ``adamw`` + ``onecycle`` as the student reproduction). The loop itself moves batches to
the device, steps, checkpoints atomically and resumes exactly (same weights as an uninterrupted
run), data-parallel over processes when asked and in bf16 autocast on CUDA.

The defaults are Owens et al. 2018, §3.2: batch 256, 320,000 iterations, SGD with momentum, lr
0.01 divided by 10 every 100,000 iterations. ``lr_steps`` holds the decay points as fractions of
``iterations`` so that scaled-down runs keep the same schedule shape.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from soundsight.config import dataclass_from_dict
from soundsight.device import resolve_device
from soundsight.train import device_decode, distributed
from soundsight.train.checkpoint import (
    CHECKPOINT_FORMAT,
    capture_rng,
    cpu_state_dict,
    load_checkpoint,
    restore_rng,
    save_atomic,
    seed_everything,
)
from soundsight.train.dataset import (
    FrameDataset,
    IterationBatchSampler,
    WholeBatches,
    builds_whole_batches,
    whole_batch,
)
from soundsight.train.device_decode import (
    DECODE_MODES,
    EncodedBatch,
    EncodedFrames,
    collate_encoded,
    resolve_decode,
)
from soundsight.train.distributed import Rank
from soundsight.train.evaluate import evaluate, predict
from soundsight.train.optim import (
    OPTIMIZERS,
    SCHEDULES,
    apply_schedule,
    frozen_in_eval,
    lr_at,
    make_optimizer,
    scheduler_state,
)
from soundsight.train.tasks import Task, get_task

log = logging.getLogger(__name__)
HELDOUT_FILE = "heldout.npz"  # per held-out item: loss, score, baseline (Task.items)

# Config keys that change the optimisation trajectory: a checkpoint must agree on all of them.
_TRAJECTORY_KEYS = (
    "iterations",
    "batch_size",
    "lr",
    "momentum",
    "weight_decay",
    "lr_steps",
    "gamma",
    "seed",
    "input_size",
    "model",
    "model_kwargs",
    "optimizer",
    "schedule",
    "pct_start",
    "div_factor",
    "final_div_factor",
    "cycle_momentum",
    "trainable",
)

__all__ = ["TrainConfig", "lr_at", "make_optimizer", "resolve_device", "train"]


@dataclass
class TrainConfig:
    """Optimisation settings (defaults: the paper's CaffeNet schedule).

    ``checkpoint_every``/``eval_every``/``log_every`` are in iterations (0: never for the first
    two; a checkpoint is also written at the end). ``num_threads`` None keeps torch's default
    (OMP_NUM_THREADS). ``deterministic`` asks torch for deterministic kernels during the run.
    ``world_size`` > 1 trains data-parallel in that many processes (one per GPU; see
    :mod:`soundsight.train.distributed`), each taking ``batch_size / world_size`` of every batch.
    ``decode`` is where training frames are decoded: ``pil`` in the loader workers, ``device`` in
    batches on the training device, ``auto`` the latter only where it pays (see
    :mod:`soundsight.train.device_decode`). ``optimizer`` (``sgd``/``adamw``), ``schedule``
    (``step``: ``lr_steps``/``gamma``; ``onecycle``: ``pct_start``, ``div_factor``,
    ``final_div_factor``, ``cycle_momentum`` as torch's OneCycleLR) and ``trainable``
    (parameter-name prefixes to train, the rest frozen; empty: all) are described in
    :mod:`soundsight.train.optim`.
    """

    iterations: int = 320_000
    batch_size: int = 256
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 5e-4
    lr_steps: tuple[float, ...] = (0.3125, 0.625)
    gamma: float = 0.1
    checkpoint_every: int = 1000
    eval_every: int = 0
    log_every: int = 10
    seed: int = 0
    device: str = "auto"
    num_workers: int = 0
    num_threads: int | None = None
    deterministic: bool = False
    input_size: int = 112
    eval_batch_size: int | None = None
    model: str = "caffenet_bn"
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    world_size: int = 1
    decode: str = "auto"
    optimizer: str = "sgd"
    schedule: str = "step"
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    cycle_momentum: bool = True
    trainable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.lr_steps = tuple(float(f) for f in self.lr_steps)
        self.model_kwargs = dict(self.model_kwargs)
        if isinstance(self.trainable, str):
            self.trainable = (self.trainable,)
        self.trainable = tuple(str(p) for p in self.trainable)
        self._check_ranges()
        self._check_choices()

    def _check_ranges(self) -> None:
        positive = ("iterations", "batch_size", "input_size", "log_every", "world_size")
        for name in positive:
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("checkpoint_every", "eval_every", "num_workers"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"TrainConfig.{name} must be >= 0, got {getattr(self, name)}")
        if self.batch_size % self.world_size:
            raise ValueError(
                f"TrainConfig.batch_size {self.batch_size} must be divisible by world_size "
                f"{self.world_size}"
            )
        if self.lr <= 0 or not 0 < self.gamma <= 1 or not 0 <= self.momentum < 1:
            raise ValueError(
                f"TrainConfig needs lr > 0, 0 < gamma <= 1, 0 <= momentum < 1; got lr={self.lr}, "
                f"gamma={self.gamma}, momentum={self.momentum}"
            )
        if any(not 0 < f <= 1 for f in self.lr_steps) or list(self.lr_steps) != sorted(
            self.lr_steps
        ):
            raise ValueError(
                f"TrainConfig.lr_steps must be increasing in (0, 1], got {self.lr_steps}"
            )
        if not 0 <= self.pct_start < 1 or self.div_factor <= 0 or self.final_div_factor <= 0:
            raise ValueError(
                f"TrainConfig needs 0 <= pct_start < 1, div_factor > 0, final_div_factor > 0; "
                f"got {self.pct_start}, {self.div_factor}, {self.final_div_factor}"
            )

    def _check_choices(self) -> None:
        for name, allowed in (
            ("decode", DECODE_MODES), ("optimizer", OPTIMIZERS), ("schedule", SCHEDULES)
        ):  # fmt: skip
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"TrainConfig.{name} must be one of {list(allowed)}, "
                    f"got {getattr(self, name)!r}"
                )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """Config from a mapping (e.g. the workflow config); ValueError on unknown keys."""
        return dataclass_from_dict(cls, values, "training config")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (tuples as lists)."""
        d = asdict(self)
        d["lr_steps"] = list(self.lr_steps)
        d["trainable"] = list(self.trainable)
        return d

    def milestones(self) -> list[int]:
        """Iterations at which the learning rate is multiplied by ``gamma``."""
        return [round(f * self.iterations) for f in self.lr_steps]


@contextlib.contextmanager
def _torch_settings(cfg: TrainConfig, device: torch.device) -> Iterator[None]:
    """Thread count, determinism and cuDNN flags for the run; restored afterwards."""
    threads = torch.get_num_threads()
    det = torch.are_deterministic_algorithms_enabled()
    bench = torch.backends.cudnn.benchmark
    try:
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        if cfg.deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = device.type == "cuda" and not cfg.deterministic
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(det)
        torch.backends.cudnn.benchmark = bench


@dataclass
class _Progress:
    """What the loop accumulates and checkpoints besides model and optimizer."""

    iteration: int = 0
    losses: list[float] = field(default_factory=list)  # one per iteration done
    evals: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    resumed_from: int | None = None


def _check_task(task: Task, train_set: FrameDataset, val_set: FrameDataset) -> None:
    """ValueError when the datasets' targets do not fit ``task``."""
    for name, ds in (("train_set", train_set), ("val_set", val_set)):
        if not hasattr(ds, "targets"):
            raise ValueError(f"{name} must expose a `targets` array (e.g. FrameDataset)")
        targets = ds.targets  # an array, or {name: array} (e.g. teacher posteriors per head)
        task.check_targets(targets if isinstance(targets, Mapping) else np.asarray(targets), name)
    if len(val_set) == 0:
        raise ValueError("val_set is empty: nothing to evaluate")


def _checkpoint_payload(
    model: nn.Module, optimizer: torch.optim.Optimizer, cfg: TrainConfig, progress: _Progress
) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "iteration": progress.iteration,
        "model": cpu_state_dict(model),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler_state(cfg, progress.iteration),
        "rng": capture_rng(),
        "losses": torch.tensor(progress.losses, dtype=torch.float32),
        "evals": progress.evals,
        "train_seconds": progress.train_seconds,
        "eval_seconds": progress.eval_seconds,
        "config": cfg.to_dict(),
    }


def _resume(
    path: Path, model: nn.Module, optimizer: torch.optim.Optimizer, cfg: TrainConfig
) -> _Progress:
    """Load model/optimizer/RNG states from ``path``; ValueError if its config differs."""
    ckpt = load_checkpoint(path)
    # keys a checkpoint predates (e.g. ``optimizer``) take their default: SGD + step decay
    saved, current = {**TrainConfig().to_dict(), **ckpt["config"]}, cfg.to_dict()
    differ = [k for k in _TRAJECTORY_KEYS if saved[k] != current[k]]
    if differ:
        detail = ", ".join(f"{k}: {saved.get(k)!r} -> {current[k]!r}" for k in differ)
        raise ValueError(f"checkpoint {path} was written with a different config ({detail})")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    restore_rng(ckpt["rng"])
    it = int(ckpt["iteration"])
    log.info("resuming from %s at iteration %d/%d", path, it, cfg.iterations)
    return _Progress(
        iteration=it,
        losses=ckpt["losses"].tolist(),
        evals=list(ckpt["evals"]),
        train_seconds=float(ckpt["train_seconds"]),
        eval_seconds=float(ckpt["eval_seconds"]),
        resumed_from=it,
    )


def loss_curve(losses: list[float], every: int) -> dict[str, list[float]]:
    """Mean loss over consecutive windows of ``every`` iterations (last window may be shorter)."""
    arr = np.asarray(losses, dtype=np.float64)
    ends = list(range(every, len(arr), every)) + [len(arr)] if len(arr) else []
    starts = [0, *ends[:-1]]
    return {
        "iteration": ends,
        "loss": [float(arr[s:e].mean()) for s, e in zip(starts, ends, strict=True)],
    }


def train(
    model: nn.Module,
    train_set: FrameDataset,
    val_set: FrameDataset,
    task: Task | str,
    cfg: TrainConfig,
    out_dir: Path,
) -> dict[str, Any]:
    """Train ``model`` on ``train_set``; write ``model.pt`` and ``metrics.json`` in ``out_dir``.

    Resumes exactly from ``out_dir/checkpoint.pt`` when it exists (a fresh run seeds the global
    RNGs with ``cfg.seed``). ``task`` is a :class:`~soundsight.train.tasks.Task` or the name of
    a registered one. Returns the metrics written to ``metrics.json``.
    """
    task = get_task(task)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _check_task(task, train_set, val_set)
    device = resolve_device(cfg.device)
    if cfg.world_size > 1:
        args = (model, train_set, val_set, task, cfg, out_dir, device)
        distributed.launch(_train_rank, cfg.world_size, device, *args)
        return json.loads((out_dir / "metrics.json").read_text())
    return _train_rank(Rank(), model, train_set, val_set, task, cfg, out_dir, device)


def _train_rank(
    rank: Rank,
    model: nn.Module,
    train_set: FrameDataset,
    val_set: FrameDataset,
    task: Task,
    cfg: TrainConfig,
    out_dir: Path,
    device: torch.device,
) -> dict[str, Any] | None:
    """One process's share of :func:`train` (the whole of it when single-process)."""
    if rank.distributed:  # spawn shares CPU tensors between processes: own a private copy
        model = copy.deepcopy(model)
    device = distributed.rank_device(device, rank)
    with _torch_settings(cfg, device):
        return _train(model, train_set, val_set, task, cfg, out_dir, device, rank)


def _train(
    model: nn.Module,
    train_set: FrameDataset,
    val_set: FrameDataset,
    task: Task,
    cfg: TrainConfig,
    out_dir: Path,
    device: torch.device,
    rank: Rank,
) -> dict[str, Any] | None:
    started = time.perf_counter()
    model = distributed.sync_batchnorm(model, device, rank).to(device)
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model, cfg)
    ckpt_path = out_dir / "checkpoint.pt"
    if ckpt_path.exists():
        progress = _resume(ckpt_path, model, optimizer, cfg)
    else:
        seed_everything(cfg.seed)
        progress = _Progress()
    if rank.rank:  # dropout masks of the other ranks: their own deterministic stream
        torch.manual_seed(cfg.seed + 1_000_003 * rank.rank + progress.iteration)
    model.train()
    net = distributed.wrap(model, device, rank)  # forward/backward through DDP when distributed
    with frozen_in_eval(model, cfg.trainable):  # a frozen trunk's BatchNorm statistics stay put
        _run_iterations(
            model, net, optimizer, train_set, val_set, task, cfg, device, progress, ckpt_path, rank
        )
    if not rank.is_main:
        return None
    t0 = time.perf_counter()
    batch = cfg.eval_batch_size or cfg.batch_size
    outputs, targets = predict(model, val_set, batch, device, cfg.num_workers, task)  # one pass
    val = task.metrics(outputs, targets, train_set.targets)
    items = task.items(outputs, targets, train_set.targets)
    progress.eval_seconds += time.perf_counter() - t0
    np.savez(out_dir / HELDOUT_FILE, **items)  # per held-out frame, for the power checks
    torch.save(cpu_state_dict(model), out_dir / "model.pt")
    metrics = _metrics(cfg, task, device, train_set, val, progress, time.perf_counter() - started)
    metrics["world_size"] = cfg.world_size
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log.info("done: val %.4f, %.1f images/s", task.headline(val), metrics["images_per_s"])
    return metrics


def _evaluate(
    model: nn.Module,
    val_set: FrameDataset,
    train_set: FrameDataset,
    task: Task,
    cfg: TrainConfig,
    device: torch.device,
) -> dict[str, Any]:
    batch = cfg.eval_batch_size or cfg.batch_size
    return evaluate(model, val_set, task, train_set.targets, batch, device, cfg.num_workers)


def _train_loader(
    train_set: FrameDataset, cfg: TrainConfig, start: int, device: torch.device, rank: Rank
) -> DataLoader:
    """Loader of the batches of iterations ``start ..`` (this rank's chunk of each); its own
    generator spares the global RNG."""
    sampler = IterationBatchSampler(len(train_set), cfg.batch_size, cfg.iterations, cfg.seed, start)
    if rank.distributed:
        sampler = distributed.RankBatchSampler(sampler, cfg.batch_size, rank)
    if _decode_mode(cfg, device, train_set) == "device":
        data, collate = EncodedFrames(train_set), collate_encoded
    elif builds_whole_batches(train_set) or getattr(train_set, "builds_batches", False):
        # a dataset declaring ``builds_batches`` (e.g. audio-visual pairs) builds whole batches
        data, collate = WholeBatches(train_set), whole_batch
    else:
        data, collate = train_set, None
    return DataLoader(
        data,
        batch_sampler=sampler,
        collate_fn=collate,
        num_workers=cfg.num_workers,
        pin_memory=device.type == "cuda",
        persistent_workers=False,
        generator=torch.Generator().manual_seed(cfg.seed),
    )


def _decode_mode(cfg: TrainConfig, device: torch.device, train_set: FrameDataset) -> str:
    """Where frames are decoded: ``cfg.decode`` resolved for a FrameDataset; ``pil`` (the
    dataset's own loading) for any other dataset (e.g. audio-visual pairs)."""
    if not isinstance(train_set, FrameDataset):
        return "pil"
    return resolve_decode(cfg.decode, device, train_set)


def _run_iterations(
    model: nn.Module,
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    train_set: FrameDataset,
    val_set: FrameDataset,
    task: Task,
    cfg: TrainConfig,
    device: torch.device,
    progress: _Progress,
    ckpt_path: Path,
    rank: Rank,
) -> None:
    """Iterations ``progress.iteration .. cfg.iterations - 1``, with checkpoints and evals.

    ``net`` is ``model`` or its DDP wrapper; rank 0 alone evaluates and checkpoints ``model``.
    """
    start = progress.iteration
    pending: list[torch.Tensor] = []  # losses not yet synced to the host
    bar = tqdm(
        total=cfg.iterations, initial=start, desc="train", unit="it", dynamic_ncols=True,
        disable=not rank.is_main,
    )  # fmt: skip
    t0 = time.perf_counter()
    loader = _train_loader(train_set, cfg, start, device, rank)
    for it, batch in enumerate(loader, start=start):
        apply_schedule(optimizer, cfg, it)
        pending.append(_step(net, optimizer, task, batch, train_set, device))
        progress.iteration = it + 1
        bar.update(1)
        done = progress.iteration
        flush = done % cfg.log_every == 0 or done == cfg.iterations
        checkpoint = cfg.checkpoint_every and done % cfg.checkpoint_every == 0
        evaluate_now = cfg.eval_every and done % cfg.eval_every == 0 and done < cfg.iterations
        if flush or checkpoint or evaluate_now:
            _flush_losses(pending, progress, bar, optimizer, rank)
        if rank.is_main and (evaluate_now or checkpoint or done == cfg.iterations):
            progress.train_seconds += time.perf_counter() - t0
            if evaluate_now:
                _periodic_eval(model, val_set, train_set, task, cfg, device, progress)
            if checkpoint or done == cfg.iterations:
                save_atomic(_checkpoint_payload(model, optimizer, cfg, progress), ckpt_path)
            t0 = time.perf_counter()
    bar.close()


def _step(
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    task: Task,
    batch: EncodedBatch | list[Any],
    train_set: FrameDataset,
    device: torch.device,
) -> torch.Tensor:
    """One optimisation step on ``batch``; returns its (detached, on-device) loss."""
    x, y = _batch_to_device(batch, train_set, device)  # e.g. (B, 3, S, S); (B,) or (B, P)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        outputs, targets = task.forward(net, x, y)  # e.g. (B / world_size, K) logits
    loss = task.loss(outputs, targets)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()


def _batch_to_device(
    batch: EncodedBatch | list[torch.Tensor], train_set: FrameDataset, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets on ``device``; encoded batches are decoded there. Inputs may be a
    tensor or a tuple/list/dict of them (several streams); 4-D ones go channels-last on CUDA."""
    if isinstance(batch, EncodedBatch):
        x, y = device_decode.to_device(batch, train_set, device)
    else:
        x, y = _to_device(batch[0], device), _to_device(batch[1], device)
    return (_channels_last(x) if device.type == "cuda" else x), y


def _to_device(x: Any, device: torch.device) -> Any:
    """``x`` (a tensor or a tuple/list/dict of them) on ``device``."""
    if isinstance(x, torch.Tensor):
        return x.to(device, non_blocking=True)
    if isinstance(x, dict):
        return {k: _to_device(v, device) for k, v in x.items()}
    return type(x)(_to_device(v, device) for v in x)


def _channels_last(x: Any) -> Any:
    """4-D tensors of ``x`` (a tensor or a tuple/list/dict of them) in channels-last layout."""
    if isinstance(x, torch.Tensor):
        return x.contiguous(memory_format=torch.channels_last) if x.ndim == 4 else x
    if isinstance(x, dict):
        return {k: _channels_last(v) for k, v in x.items()}
    return type(x)(_channels_last(v) for v in x)


def _flush_losses(
    pending: list[torch.Tensor],
    progress: _Progress,
    bar: tqdm,
    optimizer: torch.optim.Optimizer,
    rank: Rank,
) -> None:
    """Move pending losses (averaged over ranks) to the host; FloatingPointError if non-finite."""
    if not pending:
        return
    values = distributed.mean_over_ranks(torch.stack(pending).float(), rank).cpu().tolist()
    pending.clear()
    progress.losses.extend(values)
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(
            f"non-finite training loss by iteration {progress.iteration}; lower the learning rate"
        )
    bar.set_postfix(loss=f"{np.mean(values):.4f}", lr=f"{optimizer.param_groups[0]['lr']:.2g}")


def _periodic_eval(
    model: nn.Module,
    val_set: FrameDataset,
    train_set: FrameDataset,
    task: Task,
    cfg: TrainConfig,
    device: torch.device,
    progress: _Progress,
) -> None:
    """Evaluate on ``val_set`` and append (iteration, val loss, headline metric) to the curve."""
    t0 = time.perf_counter()
    val = _evaluate(model, val_set, train_set, task, cfg, device)
    progress.eval_seconds += time.perf_counter() - t0
    entry = {"iteration": progress.iteration, "loss": val["loss"], "metric": task.headline(val)}
    progress.evals.append(entry)
    log.info("iteration %d: val loss %.4f, metric %.4f", *entry.values())


def _metrics(
    cfg: TrainConfig,
    task: Task,
    device: torch.device,
    train_set: FrameDataset,
    val: dict[str, Any],
    progress: _Progress,
    wall_s: float,
) -> dict[str, Any]:
    """The contents of ``metrics.json``."""
    images = cfg.iterations * cfg.batch_size
    curve = loss_curve(progress.losses, cfg.log_every)
    return {
        "task": task.name,
        "config": cfg.to_dict(),
        "seed": cfg.seed,
        "iterations": cfg.iterations,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "decode": _decode_mode(cfg, device, train_set),
        "torch_threads": torch.get_num_threads(),
        "n_train": len(train_set),
        "n_val": val["n"],
        "n_outputs": val["n_outputs"],
        "loss_curve": curve,
        "final_train_loss": curve["loss"][-1] if curve["loss"] else None,
        "eval_curve": progress.evals,
        "val": val,
        "train_time_s": progress.train_seconds,
        "eval_time_s": progress.eval_seconds,
        "wall_time_s": progress.train_seconds + progress.eval_seconds,
        "wall_time_this_run_s": wall_s,
        "images_per_s": images / progress.train_seconds if progress.train_seconds > 0 else None,
        "resumed_from": progress.resumed_from,
        "torch_version": torch.__version__,
    }
