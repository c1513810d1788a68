"""Fine-tuning a Fast R-CNN detector from a trained trunk, and running it on images.

Training (Girshick 2015, settings of Krähenbühl et al. 2016): SGD with momentum, step decay,
``images_per_batch`` images x ``rois_per_image`` RoIs per iteration, ``fg_fraction`` of them
foreground (IoU >= ``fg_iou`` with a ground-truth box), the rest background (IoU in
[``bg_iou_lo``, ``fg_iou``)), each image flipped left-right with probability 1/2.

Determinism: the image order depends only on (seed, epoch), the RoI sampling and flips of
iteration i only on (seed, i), the new layers' initialisation and dropout on ``seed``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torchvision.ops import batched_nms
from tqdm.auto import tqdm

from soundsight.detect.boxes import ImageBoxes, decode_boxes, encode_boxes, flip_boxes_np
from soundsight.detect.config import DetectConfig
from soundsight.detect.data import (
    ImageLoader,
    TrainImage,
    normalize,
    prepare_training,
    scaled_proposals,
)
from soundsight.detect.model import FastRCNN, fast_rcnn_loss

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detections:
    """Detections of one image, in the original image's pixels (0-based continuous)."""

    image_id: str
    boxes: np.ndarray  # (D, 4) float32 x1, y1, x2, y2
    scores: np.ndarray  # (D,) float32
    labels: np.ndarray  # (D,) int64 class index 0..K-1 (background excluded)


# --- RoI sampling -----------------------------------------------------------------------------


def sample_rois(
    rng: np.random.Generator, item: TrainImage, cfg: DetectConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample one image's RoIs -> (rois (n, 4), labels (n,) in 0..K, matched GT boxes (n, 4)).

    Up to ``fg_fraction * rois_per_image`` foreground RoIs, the rest background (IoU in
    [bg_iou_lo, fg_iou); any IoU < fg_iou if no proposal falls in that range).
    """
    fg = np.flatnonzero(item.max_iou >= cfg.fg_iou)
    bg = np.flatnonzero((item.max_iou < cfg.fg_iou) & (item.max_iou >= cfg.bg_iou_lo))
    if len(bg) == 0:
        bg = np.flatnonzero(item.max_iou < cfg.fg_iou)
    n_fg = min(int(round(cfg.fg_fraction * cfg.rois_per_image)), len(fg))
    n_bg = min(cfg.rois_per_image - n_fg, len(bg))
    fg = rng.choice(fg, n_fg, replace=False) if n_fg else fg[:0]
    bg = rng.choice(bg, n_bg, replace=False) if n_bg else bg[:0]
    keep = np.concatenate([fg, bg])
    labels = np.zeros(len(keep), np.int64)
    matched = np.zeros((len(keep), 4), np.float32)
    if n_fg:
        labels[:n_fg] = item.gt_labels[item.gt_index[fg]]
        matched[:n_fg] = item.gt_boxes[item.gt_index[fg]]
    return item.rois[keep], labels, matched


def image_order(n: int, iteration: int, per_batch: int, seed: int) -> list[int]:
    """Image indices of one iteration: consecutive slices of per-epoch permutations."""
    out = []
    for p in range(iteration * per_batch, (iteration + 1) * per_batch):
        epoch, k = divmod(p, n)
        out.append(int(np.random.default_rng([seed, 1, epoch]).permutation(n)[k]))
    return out


def training_batch(
    loader: ImageLoader, items: Sequence[TrainImage], iteration: int, seed: int, cfg: DetectConfig
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """One iteration's batch -> images (B, 3, S, S), rois (R, 5), labels (R,), targets (R, 4)."""
    rng = np.random.default_rng([seed, 2, iteration])
    size = loader.size
    images, rois, labels, targets = [], [], [], []
    for b, i in enumerate(image_order(len(items), iteration, cfg.images_per_batch, seed)):
        item = items[i]
        boxes, lab, gt = sample_rois(rng, item, cfg)
        x = loader.load(item.index)  # (3, S, S) uint8
        if cfg.flip and rng.random() < 0.5:
            x = torch.flip(x, dims=[2])
            boxes, gt = flip_boxes_np(boxes, size), flip_boxes_np(gt, size)
        images.append(x)
        rois.append(np.concatenate([np.full((len(boxes), 1), b, np.float32), boxes], axis=1))
        labels.append(lab)
        tgt = np.zeros((len(boxes), 4), np.float32)
        fg = lab > 0
        if fg.any():
            tgt[fg] = encode_boxes(torch.from_numpy(boxes[fg]), torch.from_numpy(gt[fg])).numpy()
        targets.append(tgt)
    return (
        normalize(torch.stack(images)),
        torch.from_numpy(np.concatenate(rois)),
        torch.from_numpy(np.concatenate(labels)),
        torch.from_numpy(np.concatenate(targets)),
    )


# --- fine-tuning ------------------------------------------------------------------------------


def _lr_at(cfg: DetectConfig, iteration: int) -> float:
    """Step-decayed learning rate at ``iteration``."""
    steps = sum(iteration >= int(round(f * cfg.iterations)) for f in cfg.lr_steps)
    return cfg.lr * cfg.gamma**steps


def build_detector(trunk: nn.Module, num_classes: int, cfg: DetectConfig, seed: int) -> FastRCNN:
    """The FastRCNN of ``trunk`` with the configured RoI pooling and image size."""
    return FastRCNN(
        trunk,
        num_classes,
        pool=cfg.roi_pool,
        seed=seed,
        freeze_bn=cfg.freeze_bn,
        image_size=cfg.image_size,
    )


def finetune_detector(
    trunk: nn.Module,
    train_images: Sequence[ImageBoxes],
    proposals: dict[str, np.ndarray],
    cfg: DetectConfig,
    out_dir: str | Path | None = None,
    *,
    num_classes: int,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> tuple[FastRCNN, list[dict[str, float]]]:
    """Fine-tune a Fast R-CNN initialised from ``trunk`` (left untouched) on ``train_images``.

    ``proposals``: {image id: (P, 4) boxes in original pixels}. Returns the detector (eval mode,
    on ``device``) and the per-iteration history (loss, loss_cls, loss_box, lr, n_fg). With
    ``out_dir`` the history is written to ``out_dir/train_log.json``.
    """
    if not train_images:
        raise ValueError("finetune_detector got no training images")
    model = build_detector(trunk, num_classes, cfg, seed).to(device)
    loader = ImageLoader(train_images, model.image_size)
    items = prepare_training(loader, proposals)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model.train()
        bar = tqdm(range(cfg.iterations), desc="fast r-cnn", disable=not cfg.progress)
        for it in bar:
            history.append(_train_step(model, opt, loader, items, it, seed, cfg, device))
            if it % 10 == 0 or it == cfg.iterations - 1:
                bar.set_postfix(loss=f"{history[-1]['loss']:.3f}")
    model.eval()
    seconds = time.perf_counter() - start
    log.info(
        "fine-tuned %d iterations in %.1f s: loss %.3f -> %.3f",
        cfg.iterations,
        seconds,
        history[0]["loss"],
        history[-1]["loss"],
    )
    if out_dir is not None:
        _write_log(Path(out_dir) / "train_log.json", history, seconds)
    return model, history


def _train_step(
    model: FastRCNN,
    opt: torch.optim.Optimizer,
    loader: ImageLoader,
    items: Sequence[TrainImage],
    it: int,
    seed: int,
    cfg: DetectConfig,
    device: str | torch.device,
) -> dict[str, float]:
    """One SGD step; returns its losses."""
    lr = _lr_at(cfg, it)
    for group in opt.param_groups:
        group["lr"] = lr
    images, rois, labels, targets = (
        t.to(device) for t in training_batch(loader, items, it, seed, cfg)
    )
    logits, deltas = model(images, rois)  # (R, K+1), (R, K+1, 4)
    loss, cls, box = fast_rcnn_loss(logits, deltas, labels, targets)
    if not torch.isfinite(loss):
        raise FloatingPointError(f"non-finite detection loss at iteration {it}: {loss.item()}")
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return {
        "iteration": it,
        "loss": float(loss.detach()),
        "loss_cls": float(cls.detach()),
        "loss_box": float(box.detach()),
        "lr": lr,
        "n_fg": int((labels > 0).sum()),
    }


def _write_log(path: Path, history: list[dict[str, float]], seconds: float) -> None:
    """Write the training history as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seconds": seconds, "history": history}, indent=1) + "\n")


# --- inference --------------------------------------------------------------------------------


@torch.no_grad()
def detect(
    model: FastRCNN,
    images: Sequence[ImageBoxes],
    proposals: dict[str, np.ndarray],
    cfg: DetectConfig | None = None,
    device: str | torch.device = "cpu",
) -> list[Detections]:
    """Detections of every image (original pixels): class-specific box decoding, scores above
    ``score_thresh``, per-class NMS at ``nms_iou``, at most ``max_per_image``."""
    cfg = cfg or DetectConfig()
    was_training = model.training
    model.eval()
    loader = ImageLoader(images, model.image_size)
    out: list[Detections] = []
    batches = range(0, len(images), cfg.test_images_per_batch)
    for start in tqdm(batches, desc="detect", disable=not cfg.progress):
        idx = list(range(start, min(start + cfg.test_images_per_batch, len(images))))
        props = [torch.from_numpy(scaled_proposals(loader, proposals, i)) for i in idx]
        rois = torch.cat(
            [torch.cat([torch.full((len(p), 1), float(b)), p], 1) for b, p in enumerate(props)]
        )  # (R, 5)
        x = normalize(torch.stack([loader.load(i) for i in idx])).to(device)
        logits, deltas = model(x, rois.to(device))  # (R, K+1), (R, K+1, 4)
        sizes = [len(p) for p in props]
        parts = zip(logits.cpu().split(sizes), deltas.cpu().split(sizes), strict=True)
        for b, (lg, dl) in enumerate(parts):
            i = idx[b]
            out.append(_postprocess(images[i].image_id, lg, dl, props[b], loader, i, cfg))
    model.train(was_training)
    return out


def _postprocess(
    image_id: str,
    logits: Tensor,
    deltas: Tensor,
    rois: Tensor,
    loader: ImageLoader,
    index: int,
    cfg: DetectConfig,
) -> Detections:
    """One image's logits (P, K+1), deltas (P, K+1, 4), rois (P, 4) -> Detections."""
    size = float(loader.size)
    K = logits.shape[1] - 1
    scores = torch.softmax(logits, dim=1)[:, 1:]  # (P, K)
    boxes = decode_boxes(rois, deltas[:, 1:]).clamp(0.0, size)  # (P, K, 4)
    labels = torch.arange(K).expand_as(scores)  # (P, K)
    scores, boxes, labels = scores.reshape(-1), boxes.reshape(-1, 4), labels.reshape(-1)
    valid = (scores > cfg.score_thresh) & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    scores, boxes, labels = scores[valid], boxes[valid], labels[valid]
    keep = batched_nms(boxes, scores, labels, cfg.nms_iou)[: cfg.max_per_image]  # by score
    sx, sy = loader.scale(index)
    scale = torch.tensor([sx, sy, sx, sy])
    return Detections(
        image_id=image_id,
        boxes=(boxes[keep] / scale).numpy().astype(np.float32),
        scores=scores[keep].numpy().astype(np.float32),
        labels=labels[keep].numpy().astype(np.int64),
    )


def describe_history(history: list[dict[str, float]], window: int = 10) -> dict[str, Any]:
    """Mean loss over the first and last ``window`` iterations (a JSON-able summary)."""
    losses = np.array([h["loss"] for h in history])
    w = max(1, min(window, len(losses) // 2 or 1))
    return {
        "iterations": len(losses),
        "loss_first": float(losses[:w].mean()),
        "loss_last": float(losses[-w:].mean()),
    }
