"""Optimisers and learning-rate schedules by name, for the training loop.

Optimisers (``TrainConfig.optimizer``), both with weight decay on weights only (biases and
BatchNorm parameters: none, as in the Caffe reference CaffeNet, whose biases have
``decay_mult: 0``):

- ``sgd``: SGD with momentum ``cfg.momentum`` (Owens et al. 2018, §3.2);
- ``adamw``: ``torch.optim.AdamW`` with betas ``(cfg.momentum, 0.999)``, fused (the student
  reproduction).

Schedules (``TrainConfig.schedule``) are pure functions of the 0-based iteration, set on the
optimizer before every step, so a run resumed from a checkpoint takes exactly the values of the
uninterrupted run:

- ``step``: ``lr * gamma ** (number of milestones <= iteration)``, milestones at the fractions
  ``cfg.lr_steps`` of ``cfg.iterations`` (Owens: divided by 10 at 100k and 200k of 320k);
- ``onecycle``: ``torch.optim.lr_scheduler.OneCycleLR`` with ``total_steps = cfg.iterations``,
  ``max_lr = cfg.lr``, cosine annealing, two phases: from ``lr / div_factor`` up to ``lr`` over
  the first ``pct_start`` of the run, then down to ``lr / div_factor / final_div_factor``; with
  ``cycle_momentum`` the momentum (SGD) or beta1 (AdamW) goes the other way between torch's
  defaults 0.95 and 0.85, replacing ``cfg.momentum``.

``cfg.trainable`` (parameter-name prefixes, e.g. ``("head.",)``) trains only those parameters:
the others get ``requires_grad=False`` and stay out of the optimizer, and every module whose own
parameters and buffers all lie outside the prefixes (:func:`frozen_modules`: a frozen trunk's
convolutions and BatchNorm layers) runs in eval mode during training (:func:`frozen_in_eval`),
so a frozen BatchNorm normalises with its running statistics and never updates them.
Parameter-free modules (dropout, pooling) keep the model's mode.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from soundsight.train.loop import TrainConfig

OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("step", "onecycle")
BASE_MOMENTUM, MAX_MOMENTUM = 0.85, 0.95  # OneCycleLR's defaults
ADAMW_BETA2 = 0.999  # torch.optim.AdamW's default


def select_trainable(model: nn.Module, prefixes: tuple[str, ...] = ()) -> list[nn.Parameter]:
    """The parameters to optimise, in ``model.parameters()`` order: those whose name starts with
    one of ``prefixes`` (all when empty); the others are frozen (``requires_grad=False``)."""
    if prefixes:
        named = list(model.named_parameters())
        if not any(n.startswith(prefixes) for n, _ in named):
            raise ValueError(f"no parameter name starts with {list(prefixes)}")
        for name, p in named:
            if not name.startswith(prefixes):
                p.requires_grad_(False)
    return [p for p in model.parameters() if p.requires_grad]


def frozen_modules(model: nn.Module, prefixes: tuple[str, ...] = ()) -> list[nn.Module]:
    """Modules whose own (non-recursive) parameters and buffers exist and all have qualified
    names outside ``prefixes``; none when ``prefixes`` is empty (everything trains)."""
    if not prefixes:
        return []
    frozen = []
    for name, module in model.named_modules():
        own = itertools.chain(
            module.named_parameters(recurse=False), module.named_buffers(recurse=False)
        )
        names = [f"{name}.{n}" if name else n for n, _ in own]
        if names and not any(n.startswith(prefixes) for n in names):
            frozen.append(module)
    return frozen


def _eval_mode_hook(module: nn.Module, _args: Any) -> None:
    """Forward pre-hook: this module (not its children) runs in eval mode."""
    module.training = False


@contextlib.contextmanager
def frozen_in_eval(model: nn.Module, prefixes: tuple[str, ...] = ()) -> Iterator[None]:
    """Within the block, :func:`frozen_modules` run in eval mode whatever ``model.train()``
    says (a forward pre-hook each, removed on exit); a no-op when ``prefixes`` is empty."""
    handles = [
        m.register_forward_pre_hook(_eval_mode_hook) for m in frozen_modules(model, prefixes)
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def decay_groups(params: list[nn.Parameter], weight_decay: float) -> list[dict[str, Any]]:
    """Two parameter groups: weights (ndim > 1) with ``weight_decay``, biases/BN without."""
    return [
        {"params": [p for p in params if p.ndim > 1], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0},
    ]


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """``cfg.optimizer`` over the trainable parameters of ``model`` (see module docstring)."""
    groups = decay_groups(select_trainable(model, cfg.trainable), cfg.weight_decay)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum)
    if cfg.optimizer == "adamw":
        # fused: one kernel over all parameters (CPU and CUDA), ~5x faster than the per-tensor
        # loop on AlexNet's 57 M parameters on CPU; the same update up to float rounding
        return torch.optim.AdamW(groups, lr=cfg.lr, betas=(cfg.momentum, ADAMW_BETA2), fused=True)
    raise ValueError(f"unknown optimizer {cfg.optimizer!r}; allowed: {list(OPTIMIZERS)}")


def step_lr(cfg: TrainConfig, iteration: int) -> float:
    """``lr * gamma ** (#milestones <= iteration)``."""
    return cfg.lr * cfg.gamma ** sum(iteration >= m for m in cfg.milestones())


def _annealing_cos(start: float, end: float, pct: float) -> float:
    """Cosine anneal from ``start`` to ``end`` as ``pct`` goes from 0 to 1 (torch's formula)."""
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def onecycle_at(cfg: TrainConfig, iteration: int) -> tuple[float, float]:
    """(lr, momentum) of OneCycleLR at step ``iteration``, with torch's float operations."""
    initial_lr = cfg.lr / cfg.div_factor
    min_lr = initial_lr / cfg.final_div_factor
    warmup_end = float(cfg.pct_start * cfg.iterations) - 1
    phases = (  # (end step, start lr, end lr, start momentum, end momentum)
        (warmup_end, initial_lr, cfg.lr, MAX_MOMENTUM, BASE_MOMENTUM),
        (cfg.iterations - 1, cfg.lr, min_lr, BASE_MOMENTUM, MAX_MOMENTUM),
    )
    start_step = 0.0
    for i, (end_step, lr0, lr1, m0, m1) in enumerate(phases):
        if iteration <= end_step or i == len(phases) - 1:
            span = end_step - start_step
            pct = (iteration - start_step) / span if span else 1.0  # torch: ZeroDivisionError
            return _annealing_cos(lr0, lr1, pct), _annealing_cos(m0, m1, pct)
        start_step = end_step
    raise AssertionError("unreachable: the last phase always matches")


def lr_at(cfg: TrainConfig, iteration: int) -> float:
    """Learning rate of (0-based) ``iteration`` under ``cfg.schedule``."""
    if cfg.schedule == "step":
        return step_lr(cfg, iteration)
    if cfg.schedule == "onecycle":
        return onecycle_at(cfg, iteration)[0]
    raise ValueError(f"unknown schedule {cfg.schedule!r}; allowed: {list(SCHEDULES)}")


def momentum_at(cfg: TrainConfig, iteration: int) -> float | None:
    """Scheduled momentum/beta1 of ``iteration``; None where the optimizer keeps its own."""
    if cfg.schedule == "onecycle" and cfg.cycle_momentum:
        return onecycle_at(cfg, iteration)[1]
    return None


def apply_schedule(optimizer: torch.optim.Optimizer, cfg: TrainConfig, iteration: int) -> None:
    """Set every parameter group's lr (and scheduled momentum/beta1) for ``iteration``."""
    lr, momentum = lr_at(cfg, iteration), momentum_at(cfg, iteration)
    for group in optimizer.param_groups:
        group["lr"] = lr
        if momentum is None:
            continue
        if "betas" in group:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def scheduler_state(cfg: TrainConfig, iteration: int) -> dict[str, Any]:
    """The checkpoint's description of the schedule after ``iteration`` steps."""
    last = max(iteration - 1, 0)
    if cfg.schedule == "step":
        return {
            "name": "step",
            "base_lr": cfg.lr,
            "gamma": cfg.gamma,
            "milestones": cfg.milestones(),
            "last_lr": lr_at(cfg, last),
        }
    return {
        "name": cfg.schedule,
        "max_lr": cfg.lr,
        "total_steps": cfg.iterations,
        "pct_start": cfg.pct_start,
        "div_factor": cfg.div_factor,
        "final_div_factor": cfg.final_div_factor,
        "cycle_momentum": cfg.cycle_momentum,
        "last_lr": lr_at(cfg, last),
        "last_momentum": momentum_at(cfg, last),
    }
