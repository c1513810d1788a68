"""Fine-tune a model folder on VOC2007 classification, the head only or all layers; test mAP.

The protocol of Krähenbühl et al. 2016 (``philkr/voc-classification``), which the student
reproduction's Table 1 and the rows it quotes (Pathak et al., Donahue et al., Owens et al., ...)
follow: a fresh 20-way (one per VOC class) multi-label classifier replaces the pretext head, the
network is trained with sigmoid cross-entropy on VOC2007 ``trainval`` and scored on ``test``
with the VOC07 11-point AP per class (difficult images excluded), mAP = their mean.

Modes (:data:`MODES`):

- ``all``: every layer is trained.
- ``head``: only the model's ``head_layers`` are trained (a class attribute of every registered
  model): the fully connected classifier stack after the last conv layer, i.e. the "fc6–fc8"
  setting of Krähenbühl et al. that the student's "Head" column quotes (Pathak et al. 34.6
  fc6–8 vs 56.5 all; ImageNet 78.9 vs 79.9). CaffeNet/AlexNet: ``fc6``, ``fc7`` and the new
  classifier; the CAM CaffeNet: the ``conv6``/``conv7`` that replace fc6/fc7 and the
  classifier; ResNet-18: its ``fc`` (``head``). The rest is frozen: no gradient, and its
  modules run in eval mode, so BatchNorm running statistics do not move
  (:func:`soundsight.train.optim.frozen_in_eval`).

Choices the papers leave open (documented here, recorded in ``finetune.json``):

- **difficult-only labels** (VOC label 0) are *ignored* in training (neither positive nor
  negative: task ``masked_multilabel``), as Krähenbühl et al.'s code does (its VOC reader maps
  0 to the ignore label 255 of its sigmoid cross-entropy); at test they are excluded from the AP
  as the devkit does.
- **optimisation**: AdamW + OneCycle (the student's optimiser and schedule; the project's
  factory, :mod:`soundsight.train.optim`); lr, weight decay, iterations and batch size are fixed
  by the config, not tuned on val (the student tuned on val, but gives no values; the laptop
  budget allows one run per model and mode). The same values serve both modes.
- **augmentation**: :class:`~soundsight.train.dataset.FrameDataset`'s: short side resized to
  ``round(S * 256 / 227)``, random S x S crop, random horizontal flip; test: the centre crop
  (one crop; Krähenbühl et al. also report 10 crops). ``S`` is the model's own input size.
- **the training loop's held-out set** is the first :data:`MONITOR_IMAGES` images of VOC
  ``val`` (centre crops), which lie inside ``trainval``: its numbers in ``metrics.json`` are a
  training-fit diagnostic (kept small: it costs a forward pass per image); nothing is selected
  on them.
- the new classifier is initialised N(0, 0.01), bias 0 (Caffe's fc init, seeded by ``seed``).

Outputs in ``out_dir``: ``finetune.json`` (per-class AP, mAP, mode, config, seed, timings),
``voc_scores.npz`` (per-image test logits for the audit's bootstrap: ``scores`` (N, C),
``labels`` (N, C) in {+1, -1, 0}, ``classes``, ``image_ids``) and ``work-<key>/`` (the
fine-tuned ``model.pt``/``model.json`` and the loop's ``metrics.json``; the key hashes the
config and the input weights, so a killed job resumes and a changed one starts afresh).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from soundsight.config import dataclass_from_dict
from soundsight.data.voc import VocSplit, read_voc
from soundsight.device import resolve_device
from soundsight.models.spec import load_trained, write_spec
from soundsight.probes.metrics import per_class_ap
from soundsight.train.dataset import FrameDataset
from soundsight.train.evaluate import predict
from soundsight.train.loop import TrainConfig, train
from soundsight.train.run import run_key
from soundsight.train.tasks import IGNORE, MaskedMultilabelTask

log = logging.getLogger(__name__)

MODES = ("head", "all")
SUMMARY = "finetune.json"
SCORES = "voc_scores.npz"
MONITOR_IMAGES = 64  # val images the loop evaluates at its end (a training-fit diagnostic)
TASK = MaskedMultilabelTask()


@dataclass
class FinetuneConfig:
    """Settings of one fine-tuning run (the workflow's ``finetune`` section plus the seed).

    ``lr`` is OneCycle's peak learning rate; ``weight_decay`` AdamW's (decoupled) decay of the
    weights (biases and BatchNorm: none, as in the factory). ``device`` ``auto``: CUDA if
    available. ``num_threads`` None keeps torch's default. ``checkpoint_every`` (iterations; 0:
    only the final one, which the run deletes once scored) is for resuming a killed job; None
    means every quarter of the run. A checkpoint holds the weights and the optimiser state
    (685 MB for AlexNet under AdamW), so short runs keep it at 0. ``keep_weights`` keeps the
    fine-tuned ``work-<key>/model.pt`` (deleted by default once the test set is scored).
    """

    iterations: int = 150
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-2
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    seed: int = 0
    device: str = "auto"
    num_workers: int = 0
    num_threads: int | None = None
    eval_batch_size: int = 64
    checkpoint_every: int | None = None
    keep_weights: bool = False

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> FinetuneConfig:
        """Config from a mapping; ValueError naming unknown keys."""
        return dataclass_from_dict(cls, values, "finetune config")

    def train_config(self, spec: Mapping[str, Any], trainable: tuple[str, ...]) -> TrainConfig:
        """The loop's :class:`TrainConfig` for the model of ``spec`` (model.json's contents)."""
        kwargs = dict(spec["kwargs"])
        return TrainConfig(
            iterations=self.iterations, batch_size=self.batch_size, lr=self.lr,
            weight_decay=self.weight_decay, optimizer=self.optimizer, schedule=self.schedule,
            seed=self.seed, device=self.device, num_workers=self.num_workers,
            num_threads=self.num_threads, eval_batch_size=self.eval_batch_size,
            input_size=int(kwargs.pop("input_size")), model=spec["name"], model_kwargs=kwargs,
            trainable=trainable, checkpoint_every=self.checkpoint_interval(), log_every=5,
        )  # fmt: skip

    def checkpoint_interval(self) -> int:
        """Iterations between checkpoints: ``checkpoint_every``, or a quarter of the run."""
        if self.checkpoint_every is None:
            return max(self.iterations // 4, 1)
        return self.checkpoint_every


def check_mode(mode: str) -> str:
    """``mode`` itself; ValueError naming the allowed modes otherwise."""
    if mode not in MODES:
        raise ValueError(f"unknown fine-tuning mode {mode!r}; allowed modes: {list(MODES)}")
    return mode


def trainable_prefixes(model: nn.Module, mode: str) -> tuple[str, ...]:
    """Parameter-name prefixes trained in ``mode``: ``()`` (all) or the model's head layers."""
    if check_mode(mode) == "all":
        return ()
    layers = tuple(getattr(model, "head_layers", ()))
    if not layers:
        raise ValueError(
            f"{type(model).__name__} declares no `head_layers` (the modules after its last conv "
            "layer), so it cannot be fine-tuned in mode 'head'"
        )
    for name in layers:
        model.get_submodule(name)  # AttributeError naming a declared layer that does not exist
    return tuple(f"{name}." for name in layers)


def load_model(model_pt: str | Path, model_json: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """The model of a model folder (``model.pt`` + ``model.json``) and its spec."""
    spec_path = Path(model_json)
    if not spec_path.is_file():
        raise FileNotFoundError(
            f"model spec {spec_path} not found: a model folder holds model.pt and model.json "
            "(written by the training or initialisation rule)"
        )
    spec = json.loads(spec_path.read_text())
    if "input_size" not in spec.get("kwargs", {}):
        raise ValueError(f"{spec_path} records no input_size for {spec.get('name')!r}")
    return load_trained(model_pt, spec_path), spec


def voc_splits(voc_root: str | Path) -> dict[str, VocSplit]:
    """VOC2007 ``trainval``, ``val`` and ``test``, all with the test split's classes."""
    classes = read_voc(Path(voc_root), "test").classes
    return {s: read_voc(Path(voc_root), s, classes) for s in ("trainval", "val", "test")}


def training_targets(labels: np.ndarray) -> np.ndarray:
    """VOC labels (N, C) in {+1, -1, 0} -> float32 targets: 1, 0, and IGNORE (difficult only)."""
    labels = np.asarray(labels)
    targets = (labels == 1).astype(np.float32)  # (N, C)
    targets[labels == 0] = IGNORE
    return targets


def voc_datasets(
    splits: Mapping[str, VocSplit], input_size: int
) -> tuple[FrameDataset, FrameDataset, FrameDataset]:
    """(train: trainval augmented, monitor: the first val images, test) datasets; the last two
    centre-cropped."""

    def data(split: str, augment: bool, n: int | None = None) -> FrameDataset:
        s = splits[split]
        paths, targets = s.image_paths[:n], training_targets(s.labels[:n])
        return FrameDataset(paths, targets, input_size, train=augment)

    return data("trainval", True), data("val", False, MONITOR_IMAGES), data("test", False)


def prepare_model(model: nn.Module, n_classes: int, mode: str, seed: int) -> tuple[str, ...]:
    """Give ``model`` a fresh ``n_classes``-way multi-label head; the prefixes ``mode`` trains."""
    prefixes = trainable_prefixes(model, mode)  # before the new head: fails fast on a bad mode
    model.reset_head(n_classes, seed=seed)
    model.multilabel = True
    return prefixes


def score_test(
    model: nn.Module, test: FrameDataset, labels: np.ndarray, cfg: FinetuneConfig
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Test logits (N, C) and per-class AP (VOC07 11-point and area) against labels (N, C)."""
    logits, _ = predict(model, test, cfg.eval_batch_size, resolve_device(cfg.device))
    scores = logits.numpy().astype(np.float32)  # (N, C)
    ap = {kind: per_class_ap(scores, labels, kind) for kind in ("voc07", "area")}  # (C,) each
    return scores, ap


def finetune(
    model_pt: str | Path,
    model_json: str | Path,
    voc_root: str | Path,
    mode: str,
    cfg: FinetuneConfig | Mapping[str, Any],
    out_dir: str | Path,
) -> dict[str, Any]:
    """Fine-tune the model folder's model on VOC2007 trainval in ``mode`` (``head``/``all``) and
    score it on test; writes ``finetune.json`` and ``voc_scores.npz`` in ``out_dir`` and returns
    the summary (see the module docstring)."""
    started = time.perf_counter()
    check_mode(mode)
    cfg = cfg if isinstance(cfg, FinetuneConfig) else FinetuneConfig.from_dict(cfg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model, spec = load_model(model_pt, model_json)
    splits = voc_splits(voc_root)
    classes = splits["test"].classes
    trainable = prepare_model(model, len(classes), mode, cfg.seed)
    tcfg = cfg.train_config(spec, trainable)
    train_set, monitor, test = voc_datasets(splits, tcfg.input_size)
    work = out / f"work-{run_key(tcfg, [model_pt])}"
    t0 = time.perf_counter()
    metrics = train(model, train_set, monitor, TASK, tcfg, work)
    train_s = time.perf_counter() - t0
    write_spec(
        work / "model.json", spec["name"], len(classes), **{**spec["kwargs"], "multilabel": True}
    )
    t0 = time.perf_counter()
    scores, ap = score_test(model, test, splits["test"].labels, cfg)
    timings = {"train_s": train_s, "test_s": time.perf_counter() - t0}
    timings["wall_s"] = time.perf_counter() - started
    summary = _summary(mode, cfg, tcfg, spec, splits, ap, metrics, timings)
    _write_outputs(out, summary, scores, splits["test"])
    (work / "checkpoint.pt").unlink(missing_ok=True)  # only for resuming a killed job
    if not cfg.keep_weights:
        (work / "model.pt").unlink(missing_ok=True)
    log.info("fine-tuned %s (%s): VOC07 mAP %.4f", spec["name"], mode, summary["map11"])
    return summary


def _summary(
    mode: str,
    cfg: FinetuneConfig,
    tcfg: TrainConfig,
    spec: Mapping[str, Any],
    splits: Mapping[str, VocSplit],
    ap: Mapping[str, np.ndarray],
    metrics: Mapping[str, Any],
    timings: Mapping[str, float],
) -> dict[str, Any]:
    """The contents of ``finetune.json``."""
    classes = splits["test"].classes
    return {
        "mode": mode,
        "trainable": list(tcfg.trainable),  # [] = all layers
        "model": dict(spec),
        "classes": list(classes),
        "map11": float(ap["voc07"].mean()),
        "map_area": float(ap["area"].mean()),
        "ap11": dict(zip(classes, ap["voc07"].tolist(), strict=True)),
        "area_ap": dict(zip(classes, ap["area"].tolist(), strict=True)),
        "difficult": "ignored in training (masked loss); excluded from the test AP",
        "n_images": {s: len(v) for s, v in splits.items()},
        "config": asdict(cfg),
        "train_config": tcfg.to_dict(),
        "seed": cfg.seed,
        "train": {
            "final_train_loss": metrics["final_train_loss"],
            "loss_curve": metrics["loss_curve"],
            "val_fit": {k: metrics["val"][k] for k in ("loss", "mean_bit_accuracy")},
            "images_per_s": metrics["images_per_s"],
            "device": metrics["device"],
            "torch_threads": metrics["torch_threads"],
        },
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }


def _write_outputs(
    out: Path, summary: Mapping[str, Any], scores: np.ndarray, test: VocSplit
) -> None:
    """``finetune.json`` and ``voc_scores.npz`` (written last, so both exist or neither is new)."""
    np.savez(
        out / SCORES,
        scores=scores,  # (N, C) test logits
        labels=test.labels,  # (N, C) in {+1, -1, 0}
        classes=np.array(test.classes),
        image_ids=np.array(test.image_ids),
    )
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
