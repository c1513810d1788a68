"""Held-out evaluation of a pretext model, with the chance and majority baselines."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Task = Literal["softmax", "multilabel"]


def loss_function(task: Task) -> nn.Module:
    """Cross-entropy (softmax clusters) or sigmoid + binary cross-entropy (binary codes)."""
    if task == "softmax":
        return nn.CrossEntropyLoss()
    if task == "multilabel":
        return nn.BCEWithLogitsLoss()
    raise ValueError(f"task must be 'softmax' or 'multilabel', got {task!r}")


@torch.no_grad()
def predict(
    model: nn.Module, dataset: Dataset, batch_size: int, device: torch.device, num_workers: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (N, K) float32 and targets of ``dataset``, in eval mode, on CPU."""
    was_training = model.training
    model.eval()
    cuda = device.type == "cuda"
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        pin_memory=cuda,
        generator=torch.Generator().manual_seed(0),  # keeps the global RNG untouched
    )
    logits, targets = [], []
    try:
        for x, y in loader:
            x = x.to(device, non_blocking=True)
            if cuda:
                x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                out = model(x)  # (B, K)
            logits.append(out.float().cpu())
            targets.append(y)
    finally:
        model.train(was_training)
    return torch.cat(logits), torch.cat(targets)


def softmax_metrics(
    logits: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
) -> dict[str, Any]:
    """Top-1 accuracy, chance (1/K) and the accuracy of always predicting the train majority."""
    k = logits.shape[1]
    majority = int(np.bincount(train_targets, minlength=k).argmax())
    y = targets.long()
    return {
        "n": len(y),
        "n_outputs": k,
        "loss": float(nn.functional.cross_entropy(logits, y)),
        "top1": float((logits.argmax(1) == y).float().mean()),
        "chance": 1.0 / k,
        "majority_label": majority,
        "majority_accuracy": float((y == majority).float().mean()),
    }


def multilabel_metrics(
    logits: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
) -> dict[str, Any]:
    """Per-bit accuracy (logit > 0) and the all-majority-bit baseline (majority of train bits)."""
    y = targets.float()  # (N, P)
    bit_acc = ((logits > 0).float() == y).float().mean(0)  # (P,)
    majority = torch.from_numpy((np.asarray(train_targets).mean(0) > 0.5).astype(np.float32))
    base_acc = (y == majority).float().mean(0)  # (P,)
    return {
        "n": len(y),
        "n_outputs": logits.shape[1],
        "loss": float(nn.functional.binary_cross_entropy_with_logits(logits, y)),
        "bit_accuracy": bit_acc.tolist(),
        "mean_bit_accuracy": float(bit_acc.mean()),
        "majority_bits": majority.int().tolist(),
        "majority_bit_accuracy": base_acc.tolist(),
        "mean_majority_bit_accuracy": float(base_acc.mean()),
    }


def evaluate(
    model: nn.Module,
    dataset: Dataset,
    task: Task,
    train_targets: np.ndarray,
    batch_size: int,
    device: torch.device,
    num_workers: int = 0,
) -> dict[str, Any]:
    """Held-out metrics of ``model`` on ``dataset`` (``softmax_metrics``/``multilabel_metrics``)."""
    logits, targets = predict(model, dataset, batch_size, device, num_workers)
    if task == "softmax":
        return softmax_metrics(logits, targets, train_targets)
    if task == "multilabel":
        return multilabel_metrics(logits, targets, train_targets)
    raise ValueError(f"task must be 'softmax' or 'multilabel', got {task!r}")


def headline(metrics: dict[str, Any]) -> float:
    """The one number tracked during training: top-1 or mean bit accuracy."""
    return float(metrics["top1"] if "top1" in metrics else metrics["mean_bit_accuracy"])
