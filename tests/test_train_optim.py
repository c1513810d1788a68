"""Optimiser/schedule factory and task registry of the training loop (no training here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from torch import nn

from soundsight.train import TrainConfig, get_task, list_tasks, lr_at
from soundsight.train.optim import (
    apply_schedule,
    make_optimizer,
    momentum_at,
    scheduler_state,
    select_trainable,
)
from soundsight.train.run import train_config

ROOT = Path(__file__).resolve().parents[1]


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(16, 2))


# --- schedules -------------------------------------------------------------------------------


@pytest.mark.parametrize("opt", ["sgd", "adamw"])
@pytest.mark.parametrize(
    ("iterations", "pct_start"), [(12, 0.3), (200, 0.3), (7, 0.5), (3, 0.3), (50, 0.0)]
)
def test_onecycle_follows_torch_onecyclelr_at_every_iteration(opt, iterations, pct_start) -> None:
    """Our pure-function schedule against torch's OneCycleLR driving a twin optimizer."""
    cfg = TrainConfig(
        iterations=iterations, lr=0.003, optimizer=opt, schedule="onecycle", pct_start=pct_start
    )
    ours, theirs = make_optimizer(_net(), cfg), make_optimizer(_net(), cfg)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        theirs, max_lr=cfg.lr, total_steps=iterations, pct_start=pct_start
    )
    key = "betas" if opt == "adamw" else "momentum"
    for it in range(iterations):
        apply_schedule(ours, cfg, it)
        for g_ours, g_theirs in zip(ours.param_groups, theirs.param_groups, strict=True):
            assert g_ours["lr"] == g_theirs["lr"], it  # the same float operations: exact
            assert g_ours[key] == g_theirs[key], it
        assert lr_at(cfg, it) == ours.param_groups[0]["lr"]
        theirs.step()
        sched.step()
    if pct_start * iterations >= 2:  # a warm-up phase of at least two steps
        assert lr_at(cfg, 0) == pytest.approx(cfg.lr / 25)
    assert lr_at(cfg, iterations - 1) == pytest.approx(cfg.lr / 25 / 1e4)


def test_onecycle_without_momentum_cycling_keeps_the_optimizers_momentum() -> None:
    cfg = TrainConfig(iterations=10, schedule="onecycle", cycle_momentum=False, momentum=0.8)
    optimizer = make_optimizer(_net(), cfg)
    apply_schedule(optimizer, cfg, 4)
    assert momentum_at(cfg, 4) is None
    assert all(g["momentum"] == 0.8 for g in optimizer.param_groups)
    assert all(g["lr"] == lr_at(cfg, 4) for g in optimizer.param_groups)


def test_step_schedule_is_todays_and_scheduler_state_describes_the_schedule() -> None:
    cfg = TrainConfig(iterations=16, lr=0.1, lr_steps=(0.25, 0.5), gamma=0.5)
    assert [lr_at(cfg, it) for it in (0, 3, 4, 7, 8, 15)] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert momentum_at(cfg, 3) is None
    assert scheduler_state(cfg, 16) == {
        "name": "step", "base_lr": 0.1, "gamma": 0.5, "milestones": [4, 8], "last_lr": 0.025,
    }  # fmt: skip
    one = scheduler_state(TrainConfig(iterations=16, lr=0.1, schedule="onecycle"), 16)
    assert one["name"] == "onecycle" and one["total_steps"] == 16 and one["max_lr"] == 0.1
    assert one["last_lr"] == pytest.approx(0.1 / 25 / 1e4)
    assert one["last_momentum"] == pytest.approx(0.95)


# --- optimisers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls"), [("sgd", torch.optim.SGD), ("adamw", torch.optim.AdamW)]
)  # fmt: skip
def test_optimizers_decay_weights_only(name, cls) -> None:
    net = _net()
    optimizer = make_optimizer(net, TrainConfig(optimizer=name, weight_decay=0.01, momentum=0.8))
    assert type(optimizer) is cls
    decay, no_decay = optimizer.param_groups
    assert decay["weight_decay"] == 0.01 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim > 1 for p in decay["params"]) and len(decay["params"]) == 2
    assert all(p.ndim == 1 for p in no_decay["params"]) and len(no_decay["params"]) == 4
    if name == "adamw":
        assert decay["betas"] == (0.8, 0.999)
    else:
        assert decay["momentum"] == 0.8


def test_adamw_is_fused() -> None:
    """The fused AdamW kernel (one pass over every parameter), for the large AlexNet on CPU."""
    optimizer = make_optimizer(_net(), TrainConfig(optimizer="adamw"))
    assert optimizer.defaults["fused"] is True
    loss = optimizer.param_groups[0]["params"][0].sum()
    loss.backward()
    optimizer.step()  # runs on CPU


def test_trainable_prefixes_freeze_the_rest() -> None:
    net = _net()
    optimizer = make_optimizer(net, TrainConfig(trainable=("3.",)))  # the Linear head only
    params = [p for g in optimizer.param_groups for p in g["params"]]
    assert {id(p) for p in params} == {id(p) for p in net[3].parameters()}
    assert [n for n, p in net.named_parameters() if p.requires_grad] == ["3.weight", "3.bias"]
    assert TrainConfig(trainable="3.").trainable == ("3.",)
    with pytest.raises(ValueError, match="no parameter name starts with"):
        select_trainable(_net(), ("head.",))


# --- names and config ------------------------------------------------------------------------


def test_unknown_names_raise_and_name_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"optimizer must be one of \['sgd', 'adamw'\]"):
        TrainConfig(optimizer="adam")
    with pytest.raises(ValueError, match=r"schedule must be one of \['step', 'onecycle'\]"):
        TrainConfig(schedule="cosine")
    with pytest.raises(ValueError, match=r"unknown task 'regression'.*'multilabel', 'softmax'"):
        get_task("regression")
    with pytest.raises(ValueError, match="pct_start"):
        TrainConfig(schedule="onecycle", pct_start=1.0)


def test_tasks_check_their_targets_and_report_their_metrics() -> None:
    assert {"softmax", "multilabel"} <= set(list_tasks())
    softmax, multilabel = get_task("softmax"), get_task("multilabel")
    assert get_task(softmax) is softmax and softmax.name == "softmax"
    softmax.check_targets(np.array([0, 1, 2]), "train_set")
    with pytest.raises(ValueError, match="train_set has bit-vector targets.*'softmax'"):
        softmax.check_targets(np.zeros((3, 2)), "train_set")
    with pytest.raises(ValueError, match="val_set has class-index targets.*'multilabel'"):
        multilabel.check_targets(np.array([0, 1]), "val_set")
    logits = torch.tensor([[2.0, -1.0], [-1.0, 3.0], [0.5, 0.0]])  # (N=3, K=2)
    m = softmax.metrics(logits, torch.tensor([0, 1, 1]), np.array([1, 1, 0]))
    assert m["top1"] == pytest.approx(2 / 3) and m["majority_label"] == 1
    assert softmax.headline(m) == m["top1"]
    bits = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    mm = multilabel.metrics(logits, bits, bits.numpy())
    assert mm["bit_accuracy"] == pytest.approx([1.0, 2 / 3])
    assert multilabel.headline(mm) == pytest.approx(5 / 6)
    ce = softmax.loss(logits.bfloat16(), torch.tensor([0, 1, 1]))
    assert ce.dtype == torch.float32  # autocast outputs: the loss is taken in float32


def test_train_config_takes_optional_optimizer_and_schedule_from_the_pretext_mapping() -> None:
    pretext = yaml.safe_load((ROOT / "config.yaml").read_text())["pretext"]
    default = train_config(pretext, seed=0)
    assert (default.optimizer, default.schedule, default.pct_start) == ("sgd", "step", 0.3)
    student = train_config(
        {**pretext, "optimizer": "adamw", "schedule": "onecycle", "pct_start": 0.25}, seed=0
    )
    assert (student.optimizer, student.schedule, student.pct_start) == ("adamw", "onecycle", 0.25)
    assert student.model_kwargs == default.model_kwargs == {"width": pretext["width"]}
    unset = train_config({**pretext, "optimizer": None, "trainable": None}, seed=0)
    assert unset.optimizer == "sgd" and unset.trainable == ()
    with pytest.raises(ValueError, match="optimizer must be one of"):
        train_config({**pretext, "optimizer": "lion"}, seed=0)
