"""Workflow entry point of Owens et al. 2018 Table 3: a trained model -> Fast R-CNN VOC07 mAP.

``run_detection`` reads a VOC2007 folder (devkit layout; the embedded world's mini-VOC2007 or the
real one), builds proposals, fine-tunes a Fast R-CNN initialised from the model's trunk on the
train split and evaluates it on the test split. See :mod:`soundsight.detect.proposals` for the
*oracle-ish* proposals that stand in for Selective Search on the world.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from soundsight.detect.boxes import ImageBoxes, box_iou_np, read_voc_detection
from soundsight.detect.config import DetectConfig
from soundsight.detect.evaluate import evaluate_detections
from soundsight.detect.proposals import proposals_for
from soundsight.detect.train import Detections, describe_history, detect, finetune_detector
from soundsight.models.spec import load_trained

log = logging.getLogger(__name__)

DETECTION_COLUMNS = ("image_id", "class", "score", "x1", "y1", "x2", "y2")


def proposal_recall(
    images: Sequence[ImageBoxes], proposals: dict[str, np.ndarray], iou: float = 0.5
) -> float:
    """Fraction of non-difficult ground-truth boxes covered by a proposal with IoU >= ``iou``."""
    hits, total = 0, 0
    for im in images:
        gt = im.boxes[~im.difficult]
        if len(gt) == 0:
            continue
        best = box_iou_np(gt, proposals[im.image_id]).max(1) if len(proposals[im.image_id]) else 0
        hits += int(np.sum(np.asarray(best) >= iou))
        total += len(gt)
    return hits / total if total else float("nan")


def run_detection(
    model_pt: str | Path,
    voc_root: str | Path,
    cfg: dict[str, Any] | DetectConfig | None,
    seed: int,
    device: str = "cpu",
) -> tuple[dict[str, Any], list[Detections]]:
    """Fine-tune a detector from ``model_pt`` (``model.json`` beside it) and evaluate it.

    Returns (summary, per-image test detections). The summary is JSON-able: ``map`` and ``ap``
    (per class, fractions in [0, 1]; None for a class without positives), ``npos``, ``classes``,
    proposal statistics, training loss summary, timings, seed, device and the full config.
    """
    cfg = cfg if isinstance(cfg, DetectConfig) else DetectConfig.from_dict(cfg)
    trunk = load_trained(model_pt)
    train, classes = read_voc_detection(Path(voc_root), cfg.train_split)
    test, _ = read_voc_detection(Path(voc_root), cfg.test_split, classes)
    props_train = proposals_for(train, cfg.proposals, seed, cfg.proposal)
    props_test = proposals_for(test, cfg.proposals, seed, cfg.proposal)
    t0 = time.perf_counter()
    model, history = finetune_detector(
        trunk, train, props_train, cfg, num_classes=len(classes), seed=seed, device=device
    )
    t1 = time.perf_counter()
    detections = detect(model, test, props_test, cfg, device)
    t2 = time.perf_counter()
    result = evaluate_detections(detections, test, classes)
    summary = {
        **result,
        "classes": list(classes),
        "model": str(model_pt),
        "seed": int(seed),
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "n_train_images": len(train),
        "n_test_images": len(test),
        "image_size": model.image_size,
        "roi_size": model.roi_size,
        "reused_fc": model.reused_fc,
        "proposals": {
            "source": cfg.proposals,
            "per_image_train": float(np.mean([len(v) for v in props_train.values()])),
            "per_image_test": float(np.mean([len(v) for v in props_test.values()])),
            "recall_iou50_test": proposal_recall(test, props_test),
        },
        "train": {**describe_history(history), "seconds": t1 - t0},
        "test_seconds": t2 - t1,
        "config": cfg.to_dict(),
    }
    log.info("detection mAP %.3f (train %.1f s, test %.1f s)", result["map"], t1 - t0, t2 - t1)
    return summary, detections


def detections_frame(detections: Sequence[Detections], classes: Sequence[str]) -> pd.DataFrame:
    """Long table of detections: image_id, class, score, x1, y1, x2, y2 (original pixels)."""
    rows = [
        (d.image_id, classes[int(lab)], float(s), *map(float, box))
        for d in detections
        for box, s, lab in zip(d.boxes, d.scores, d.labels, strict=True)
    ]
    return pd.DataFrame(rows, columns=list(DETECTION_COLUMNS))
