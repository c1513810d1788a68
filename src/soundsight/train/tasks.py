"""Training tasks: what a batch's forward pass, loss and held-out metrics are, by name.

A task owns everything the loop must not hard-code: the check that a dataset's targets fit it,
the forward pass of one batch (``forward(net, inputs, targets) -> (outputs, targets)``, run under
the loop's autocast), the loss of those outputs, and the held-out metrics with their baselines.
The loop (:mod:`soundsight.train.loop`) only moves a batch to the device and calls these, so a
task with two input streams (audio-visual correspondence with negatives), a contrastive pair or
a frozen teacher (distillation) overrides ``forward`` and ``loss`` and fits the same loop.

Registered tasks (:func:`list_tasks`), timm/VISSL style (:func:`register_task`):

- ``softmax``: one class index per frame (sound clusters); cross-entropy; top-1 accuracy.
- ``step_mean_softmax``: ``softmax`` on a per-time-step head: the net's ``{head: (B, K, T)}``
  output averaged over its T steps into (B, K) logits (a waveform net trained from scratch on
  class labels).
- ``multilabel``: a 0/1 vector per frame (binary codes, multi-label targets); sigmoid + binary
  cross-entropy; per-bit accuracy.
- ``masked_multilabel``: as ``multilabel``, but entries equal to ``IGNORE`` (-1) count in neither
  the loss nor the metrics (e.g. VOC's difficult-only labels in fine-tuning).
- ``correspondence``: audio-visual correspondence (L3-Net, AVE-Net, AVOL-Net): inputs
  ``{"image", "audio"}``, target 1 = the pair corresponds, 0 = it does not; a 2-way softmax
  (cross-entropy, class 1 = corresponds) for two outputs, the logistic loss on one logit (AVOL);
  held-out AVC accuracy on balanced pairs.
- ``distillation``: teacher-student transfer (SoundNet): per-time-step logits of named heads
  ``{"object": (B, K, T), "scene": ...}`` against precomputed teacher posteriors of the same
  layout; KL(teacher || student) (or the squared l2 distance of the posteriors) per step and
  head, summed over the heads; held-out mean KL and top-1 agreement with the teacher per head.

Callers may pass a task object or its name (:func:`get_task`); ``metrics.json`` records the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

_TASKS: dict[str, type[Task]] = {}
IGNORE = -1.0  # a ``masked_multilabel`` target entry that neither the loss nor the metrics see


class Task:
    """Base of the registered tasks: a single image stream, ``outputs = net(inputs)``."""

    name: ClassVar[str] = ""
    headline_key: ClassVar[str] = ""  # the metric tracked during training (the eval curve)

    def check_targets(self, targets: np.ndarray, what: str) -> None:
        """ValueError when ``targets`` (of the dataset called ``what``) do not fit this task."""
        raise NotImplementedError

    def forward(
        self, net: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs of one batch and the targets the loss compares them with."""
        return net(inputs), targets  # (B, K) logits; targets as given

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean loss of a batch (outputs may be bf16 under autocast; computed in float32)."""
        raise NotImplementedError

    def metrics(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, Any]:
        """Held-out metrics of ``outputs`` (N, K) against ``targets``, with baselines that
        depend on the training targets; includes ``n``, ``n_outputs`` and ``loss``."""
        raise NotImplementedError

    def items(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per held-out item (N,): ``loss``, ``score`` (1 = right; the fraction of right bits
        for multi-label) and ``baseline`` (the score of the training majority answer), which the
        audit's power checks resample."""
        raise NotImplementedError

    def headline(self, metrics: dict[str, Any]) -> float:
        """The one number tracked during training."""
        return float(metrics[self.headline_key])

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def register_task(name: str) -> Callable[[type[Task]], type[Task]]:
    """Class decorator: register a :class:`Task` subclass under ``name``."""

    def add(cls: type[Task]) -> type[Task]:
        if name in _TASKS:
            raise ValueError(f"task {name!r} is already registered")
        cls.name = name
        _TASKS[name] = cls
        return cls

    return add


def list_tasks() -> list[str]:
    """Names of the registered tasks, sorted."""
    return sorted(_TASKS)


def get_task(task: Task | str) -> Task:
    """``task`` itself, or a new instance of the task registered under that name."""
    if isinstance(task, Task):
        return task
    if task not in _TASKS:
        raise ValueError(f"unknown task {task!r}; registered tasks: {list_tasks()}")
    return _TASKS[task]()


def _check_ndim(targets: np.ndarray, what: str, task: str, ndim: int) -> None:
    """The historical mismatch message: class-index (1-D) vs bit-vector (2-D) targets."""
    if np.asarray(targets).ndim != ndim:
        kind = "bit-vector" if np.asarray(targets).ndim == 2 else "class-index"
        raise ValueError(f"{what} has {kind} targets, which do not fit task {task!r}")


@register_task("softmax")
class SoftmaxTask(Task):
    """Classification over cluster labels: cross-entropy on (B, K) logits, (B,) indices."""

    headline_key = "top1"

    def check_targets(self, targets: np.ndarray, what: str) -> None:
        _check_ndim(targets, what, self.name, 1)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(outputs.float(), targets)

    def metrics(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, Any]:
        return softmax_metrics(outputs, targets, train_targets)

    def items(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, np.ndarray]:
        y = targets.long()  # (N,)
        majority = train_majority_label(train_targets, outputs.shape[1])
        loss = nn.functional.cross_entropy(outputs.float(), y, reduction="none")  # (N,)
        return {
            "loss": loss.numpy(),
            "score": (outputs.argmax(1) == y).float().numpy(),
            "baseline": (y == majority).float().numpy(),
        }


@register_task("step_mean_softmax")
class StepMeanSoftmaxTask(SoftmaxTask):
    """:class:`SoftmaxTask` on the mean over time steps of one head of a per-step net: the
    ``head`` entry (B, K, T) of the net's output dict, averaged over T into (B, K) logits; the
    loss (cross-entropy against (B,) class indices), metrics and items are ``softmax``'s."""

    def __init__(self, head: str = "object") -> None:
        self.head = head

    def forward(
        self, net: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, K) logits: the ``head`` output's mean over its steps; targets as given."""
        return net(inputs)[self.head].mean(dim=2), targets  # (B, K, T) -> (B, K)

    def __repr__(self) -> str:
        return f"StepMeanSoftmaxTask(head={self.head!r})"


@register_task("multilabel")
class MultilabelTask(Task):
    """Sigmoid + binary cross-entropy on (B, P) logits against (B, P) 0/1 targets."""

    headline_key = "mean_bit_accuracy"

    def check_targets(self, targets: np.ndarray, what: str) -> None:
        _check_ndim(targets, what, self.name, 2)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return nn.functional.binary_cross_entropy_with_logits(outputs.float(), targets)

    def metrics(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, Any]:
        return multilabel_metrics(outputs, targets, train_targets)

    def items(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, np.ndarray]:
        return multilabel_items(outputs, targets, train_targets)


@register_task("masked_multilabel")
class MaskedMultilabelTask(MultilabelTask):
    """Multi-label with ignored entries: (B, P) targets in {0, 1, ``IGNORE``}; the loss is the
    mean binary cross-entropy over the kept entries (= ``multilabel``'s when none is ignored)."""

    def check_targets(self, targets: np.ndarray, what: str) -> None:
        _check_ndim(targets, what, self.name, 2)
        bad = ~np.isin(np.asarray(targets), (0.0, 1.0, IGNORE))
        if bad.any():
            raise ValueError(f"{what} has targets outside {{0, 1, {IGNORE}}}: {targets[bad][:5]}")

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return masked_bce(outputs.float(), targets)

    def metrics(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, Any]:
        return masked_multilabel_metrics(outputs, targets, train_targets)


@register_task("correspondence")
class CorrespondenceTask(Task):
    """Audio-visual correspondence: (B,) int64 targets in {0, 1} (1 = corresponds).

    The loss follows the model's output: (B, 2) logits -> cross-entropy (class 1 =
    corresponds); (B, 1) -> binary cross-entropy with logits (AVOL's logistic loss). A pair is
    called corresponding when P(corresponds) > 1/2. ``items`` per held-out pair: ``loss``,
    ``score`` (1 = right) and ``baseline`` (1 where the pair's label is the training majority:
    on balanced pairs half of them, the 50% chance of the AVC task).
    """

    headline_key = "accuracy"

    def check_targets(self, targets: np.ndarray, what: str) -> None:
        _check_ndim(targets, what, self.name, 1)
        bad = ~np.isin(np.asarray(targets), (0, 1))
        if bad.any():
            raise ValueError(
                f"{what} has correspondence targets outside {{0, 1}}: {targets[bad][:5]}"
            )

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return self.pair_losses(outputs, targets).mean()

    @staticmethod
    def pair_losses(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Per-pair loss (B,) in float32 of (B, 2) or (B, 1) outputs."""
        logits, y = outputs.float(), targets.long()
        if logits.ndim != 2 or logits.shape[1] not in (1, 2):
            raise ValueError(
                f"correspondence outputs must be (B, 2) logits or a (B, 1) logit, got "
                f"{tuple(logits.shape)}"
            )
        if logits.shape[1] == 2:
            return nn.functional.cross_entropy(logits, y, reduction="none")
        return nn.functional.binary_cross_entropy_with_logits(
            logits[:, 0], y.float(), reduction="none"
        )

    @staticmethod
    def predicted(outputs: torch.Tensor) -> torch.Tensor:
        """(B,) int64: 1 where the pair is predicted to correspond."""
        if outputs.shape[1] == 2:
            return (outputs[:, 1] > outputs[:, 0]).long()
        return (outputs[:, 0] > 0).long()

    def metrics(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, Any]:
        items = self.items(outputs, targets, train_targets)
        y = targets.long()
        right = items["score"]
        return {
            "n": len(y),
            "n_outputs": outputs.shape[1],
            "loss": float(items["loss"].mean()),
            "accuracy": float(right.mean()),
            "accuracy_positives": float(right[y.numpy() == 1].mean()) if (y == 1).any() else None,
            "accuracy_negatives": float(right[y.numpy() == 0].mean()) if (y == 0).any() else None,
            "positive_fraction": float((y == 1).float().mean()),
            "chance": 0.5,
            "majority_label": train_majority_label(np.asarray(train_targets), 2),
            "majority_accuracy": float(items["baseline"].mean()),
        }

    def items(
        self, outputs: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
    ) -> dict[str, np.ndarray]:
        y = targets.long()  # (N,)
        majority = train_majority_label(np.asarray(train_targets), 2)
        return {
            "loss": self.pair_losses(outputs, y).numpy(),
            "score": (self.predicted(outputs) == y).float().numpy(),
            "baseline": (y == majority).float().numpy(),
        }


@register_task("distillation")
class DistillationTask(Task):
    """Distillation of teacher posteriors into a student's per-time-step logits.

    ``outputs`` and ``targets`` map head names to (B, K_head, T) tensors: student logits and
    teacher posteriors (non-negative, summing to 1 over K at every step). ``heads`` says which
    heads count (``("object", "scene")``: both; one of them for the paper's single-teacher
    ablations); ``divergence`` is ``"kl"`` (KL(teacher || student), 0 log 0 = 0) or ``"l2"``
    (the squared Euclidean distance of the teacher's and the student's posteriors, Table 5's
    l2 ablation). The loss is the mean over examples and teacher steps of each head's
    divergence, summed over the heads.

    **Alignment.** The teacher's T_t steps and the student's T_s output steps each split the
    crop into equal spans; teacher step j (centre (j + 1/2) / T_t of the crop) is compared with
    the student step whose span holds that centre, ``floor((j + 1/2) T_s / T_t)``
    (:func:`align_steps`). For the original's 20 s crops, 4 teacher steps 5 s apart meet
    SoundNet-8's 4 conv8 steps one to one; fewer teacher steps use a subset of the student's,
    more reuse a student step.
    """

    headline_key = "agreement"
    divergences = ("kl", "l2")

    def __init__(self, heads: tuple[str, ...] = ("object", "scene"), divergence: str = "kl"):
        if divergence not in self.divergences:
            raise ValueError(f"divergence must be one of {self.divergences}, got {divergence!r}")
        if not heads:
            raise ValueError("distillation needs at least one head")
        self.heads, self.divergence = tuple(heads), divergence

    def check_targets(self, targets: Any, what: str) -> None:
        if not isinstance(targets, Mapping) or not set(self.heads) <= set(targets):
            got = list(targets) if isinstance(targets, Mapping) else type(targets).__name__
            raise ValueError(f"{what} needs teacher posteriors for heads {self.heads}, got {got}")
        for h in self.heads:
            p = np.asarray(targets[h], dtype=np.float64)
            if p.ndim != 3:
                raise ValueError(f"{what} {h!r} posteriors must be (N, K, T), got {p.shape}")
            if (p < 0).any() or not np.allclose(p.sum(1), 1.0, atol=1e-3):
                raise ValueError(f"{what} {h!r} posteriors are not a distribution over axis 1")

    def step_divergence(self, logits: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        """(B, T_t) divergence of the aligned student steps of (B, K, T_s) ``logits`` from the
        (B, K, T_t) teacher posteriors, in float32."""
        p = teacher.float()
        z = logits.float()[:, :, align_steps(p.shape[2], logits.shape[2]).to(logits.device)]
        if z.shape[:2] != p.shape[:2]:
            raise ValueError(f"student {tuple(logits.shape)} and teacher {tuple(p.shape)} differ")
        log_q = torch.log_softmax(z, dim=1)
        if self.divergence == "kl":
            return (torch.special.xlogy(p, p) - p * log_q).sum(1)
        return (p - log_q.exp()).square().sum(1)

    def example_losses(self, outputs: Mapping, targets: Mapping) -> torch.Tensor:
        """(B,) loss of every example: mean over steps, summed over the heads."""
        return sum(self.step_divergence(outputs[h], targets[h]).mean(1) for h in self.heads)

    def loss(self, outputs: Any, targets: Any) -> torch.Tensor:
        return self.example_losses(outputs, targets).mean()

    @staticmethod
    def agreement(logits: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        """(B, T_t) 1.0 where the aligned student step's top class is the teacher's."""
        z = logits[:, :, align_steps(teacher.shape[2], logits.shape[2]).to(logits.device)]
        return (z.argmax(1) == teacher.argmax(1)).float()

    def metrics(self, outputs: Any, targets: Any, train_targets: Any) -> dict[str, Any]:
        kl = DistillationTask(self.heads, "kl")
        items = self.items(outputs, targets, train_targets)
        out: dict[str, Any] = {
            "n": len(targets[self.heads[0]]),
            "n_outputs": {h: int(outputs[h].shape[1]) for h in self.heads},
            "loss": float(items["loss"].mean()),
        }
        for h in self.heads:
            out[f"kl_{h}"] = float(kl.step_divergence(outputs[h], targets[h]).mean())
            out[f"agreement_{h}"] = float(self.agreement(outputs[h], targets[h]).mean())
        out["agreement"] = float(np.mean([out[f"agreement_{h}"] for h in self.heads]))
        out["majority_agreement"] = float(items["baseline"].mean())
        return out

    def items(self, outputs: Any, targets: Any, train_targets: Any) -> dict[str, np.ndarray]:
        """Per held-out example: ``loss``; ``score`` = top-1 agreement with the teacher (mean
        over steps and heads); ``baseline`` = that of always answering each head's most
        frequent teacher top class in the training targets."""
        score = sum(self.agreement(outputs[h], targets[h]).mean(1) for h in self.heads)
        baseline = 0.0
        for h in self.heads:
            train = np.asarray(train_targets[h])  # (M, K, T)
            majority = int(np.bincount(train.argmax(1).ravel(), minlength=train.shape[1]).argmax())
            baseline = baseline + (targets[h].argmax(1) == majority).float().mean(1)
        n = len(self.heads)
        return {
            "loss": self.example_losses(outputs, targets).numpy(),
            "score": (score / n).numpy(),
            "baseline": (baseline / n).numpy(),
        }

    def __repr__(self) -> str:
        return f"DistillationTask(heads={self.heads}, divergence={self.divergence!r})"


def align_steps(n_teacher: int, n_student: int) -> torch.Tensor:
    """(n_teacher,) int64: the student step holding the centre of each teacher step's span
    (the crop split into ``n_teacher`` and into ``n_student`` equal spans)."""
    if min(n_teacher, n_student) < 1:
        raise ValueError(f"need at least one step each, got {n_teacher}, {n_student}")
    j = torch.arange(n_teacher, dtype=torch.float64)
    return ((j + 0.5) * n_student / n_teacher).floor().long().clamp(max=n_student - 1)


def train_majority_bits(train_targets: np.ndarray) -> torch.Tensor:
    """(P,) float 0/1: each column's majority value over its kept (not IGNORE) train entries."""
    train = np.asarray(train_targets, dtype=np.float64)  # (M, P)
    train_keep = train != IGNORE
    pos_rate = (train * train_keep).sum(0) / np.maximum(train_keep.sum(0), 1)
    return torch.from_numpy((pos_rate > 0.5).astype(np.float32))


def multilabel_items(
    logits: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
) -> dict[str, np.ndarray]:
    """Per item (N,): mean BCE, fraction of right bits and that of the train-majority bits, over
    the entries that are not IGNORE (all of them for plain multi-label targets)."""
    y = targets.float()  # (N, P)
    keep = (y != IGNORE).float()
    n_kept = keep.sum(1).clamp(min=1)  # (N,)
    majority = train_majority_bits(train_targets)  # (P,)
    bce = nn.functional.binary_cross_entropy_with_logits(
        logits.float(), y.clamp(min=0.0), reduction="none"
    )  # (N, P)
    right = ((logits > 0).float() == y).float()  # (N, P)
    return {
        "loss": ((bce * keep).sum(1) / n_kept).numpy(),
        "score": ((right * keep).sum(1) / n_kept).numpy(),
        "baseline": (((y == majority).float() * keep).sum(1) / n_kept).numpy(),
    }


def masked_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of (N, P) logits over the entries whose target is not IGNORE."""
    keep = targets != IGNORE  # (N, P)
    bce = nn.functional.binary_cross_entropy_with_logits(
        logits, targets.clamp(min=0.0), reduction="none"
    )  # (N, P)
    return (bce * keep).sum() / keep.sum().clamp(min=1)


def masked_multilabel_metrics(
    logits: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
) -> dict[str, Any]:
    """:func:`multilabel_metrics` over the kept (not IGNORE) entries of every column."""
    y = targets.float()  # (N, P)
    keep = (y != IGNORE).float()
    n_kept = keep.sum(0).clamp(min=1)  # (P,)
    bit_acc = (((logits > 0).float() == y).float() * keep).sum(0) / n_kept  # (P,)
    majority = train_majority_bits(train_targets)  # (P,)
    base_acc = ((y == majority).float() * keep).sum(0) / n_kept  # (P,)
    return {
        "n": len(y),
        "n_outputs": logits.shape[1],
        "n_ignored": int((1 - keep).sum()),
        "loss": float(masked_bce(logits.float(), y)),
        "bit_accuracy": bit_acc.tolist(),
        "mean_bit_accuracy": float(bit_acc.mean()),
        "majority_bits": majority.int().tolist(),
        "majority_bit_accuracy": base_acc.tolist(),
        "mean_majority_bit_accuracy": float(base_acc.mean()),
    }


def train_majority_label(train_targets: np.ndarray, k: int) -> int:
    """The most frequent of ``k`` classes among the training targets."""
    return int(np.bincount(train_targets, minlength=k).argmax())


def softmax_metrics(
    logits: torch.Tensor, targets: torch.Tensor, train_targets: np.ndarray
) -> dict[str, Any]:
    """Top-1 accuracy, chance (1/K) and the accuracy of always predicting the train majority."""
    k = logits.shape[1]
    majority = train_majority_label(train_targets, k)
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
    majority = train_majority_bits(train_targets)  # (P,); no IGNORE entries here
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
