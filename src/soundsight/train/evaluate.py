"""Held-out evaluation of a trained model: the task's metrics, with its chance/majority baselines.

The metrics themselves belong to the tasks (:mod:`soundsight.train.tasks`); ``softmax_metrics``
and ``multilabel_metrics`` are re-exported here for callers of the historical names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from soundsight.train.dataset import WholeBatches, builds_whole_batches, whole_batch
from soundsight.train.tasks import Task, get_task, multilabel_metrics, softmax_metrics

__all__ = ["evaluate", "headline", "multilabel_metrics", "predict", "softmax_metrics"]


@torch.no_grad()
def predict(
    model: nn.Module,
    dataset: Dataset,
    batch_size: int,
    device: torch.device,
    num_workers: int = 0,
    task: Task | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs (N, K) float32 and targets of ``dataset``, in eval mode, on CPU (either may be
    a dict of such tensors, e.g. per-head outputs and targets of distillation).

    The outputs are ``task.forward``'s (``model(x)`` for the registered tasks and when ``task``
    is None).
    """
    forward = (get_task(task) if task is not None else Task()).forward
    was_training = model.training
    model.eval()
    cuda = device.type == "cuda"
    whole = builds_whole_batches(dataset) or getattr(dataset, "builds_batches", False)
    loader = DataLoader(
        WholeBatches(dataset) if whole else dataset,
        batch_size=batch_size,
        collate_fn=whole_batch if whole else None,
        shuffle=False,
        num_workers=num_workers,
        pin_memory=cuda,
        generator=torch.Generator().manual_seed(0),  # keeps the global RNG untouched
    )
    outputs, targets = [], []
    try:
        for x, y in loader:
            x = _to_device(x, device, channels_last=cuda)  # a tensor or {stream: tensor}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                out, _ = forward(model, x, y)  # (B, K)
            outputs.append(_float_cpu(out))
            targets.append(y)
    finally:
        model.train(was_training)
    return _cat(outputs), _cat(targets)


def _float_cpu(x: Any) -> Any:
    """A tensor, or a dict of them (e.g. one per output head), as float32 on CPU."""
    if isinstance(x, dict):
        return {k: _float_cpu(v) for k, v in x.items()}
    return x.float().cpu()


def _cat(parts: list[Any]) -> Any:
    """Batches concatenated along dim 0: tensors, or dicts of tensors key by key."""
    if parts and isinstance(parts[0], dict):
        return {k: torch.cat([p[k] for p in parts]) for k in parts[0]}
    return torch.cat(parts)


def _to_device(x: Any, device: torch.device, channels_last: bool) -> Any:
    """``x`` (a tensor or a dict of them, one per input stream) on ``device``; 4-D tensors in
    channels-last layout when asked."""
    if isinstance(x, dict):
        return {k: _to_device(v, device, channels_last) for k, v in x.items()}
    x = x.to(device, non_blocking=True)
    return x.contiguous(memory_format=torch.channels_last) if channels_last and x.ndim == 4 else x


def evaluate(
    model: nn.Module,
    dataset: Dataset,
    task: Task | str,
    train_targets: np.ndarray,
    batch_size: int,
    device: torch.device,
    num_workers: int = 0,
) -> dict[str, Any]:
    """Held-out metrics of ``model`` on ``dataset`` (``task.metrics``, e.g. top-1 or bit
    accuracy against the baselines of ``train_targets``)."""
    task = get_task(task)
    outputs, targets = predict(model, dataset, batch_size, device, num_workers, task)
    return task.metrics(outputs, targets, train_targets)


def headline(metrics: dict[str, Any], task: Task | str | None = None) -> float:
    """The one number tracked during training: ``task.headline`` (without a task: top-1 when
    present, else mean bit accuracy)."""
    if task is not None:
        return get_task(task).headline(metrics)
    return float(metrics["top1"] if "top1" in metrics else metrics["mean_bit_accuracy"])
