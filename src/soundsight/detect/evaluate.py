"""PASCAL VOC2007 detection average precision (the devkit's ``VOCevaldet``).

Per class: all detections of that class over the test set, sorted by decreasing score (stable,
so ties keep their input order as in the devkit's MATLAB ``sort``); each is matched to the
ground-truth box of that class in its image with the highest IoU. If that IoU >= 0.5:

- the box is *difficult*: the detection is ignored (neither true nor false positive);
- the box is not yet matched: true positive, and the box is now matched;
- the box was already matched (a duplicate detection): false positive.

Otherwise it is a false positive. Recall is over the non-difficult boxes of the class; AP is the
11-point interpolated average precision (the best precision at recall >= t, summed as
``ap += p / 11`` over MATLAB's ``0:0.1:1``, whose fourth threshold is 0.30000000000000004: see
:func:`soundsight.probes.metrics.interpolated_11point`). Boxes are 0-based continuous (see
:mod:`.boxes`), for which the plain IoU equals the devkit's ``+1`` pixel IoU on the annotations.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from soundsight.detect.boxes import ImageBoxes, box_iou_np
from soundsight.detect.train import Detections
from soundsight.probes.metrics import interpolated_11point

log = logging.getLogger(__name__)


def voc07_11point(recall: np.ndarray, precision: np.ndarray) -> float:
    """11-point interpolated AP from recall/precision after each detection (score order), with
    the devkit's thresholds (MATLAB's ``0:0.1:1``) and accumulation (``VOCevaldet.m``)."""
    return interpolated_11point(np.asarray(recall, float), np.asarray(precision, float))


def match_class(
    detections: Sequence[Detections],
    ground_truth: Sequence[ImageBoxes],
    cls: int,
    iou_thresh: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, int]:
    """True/false positive flags (D,) of class ``cls``'s detections in score order, and the
    number of non-difficult ground-truth boxes of the class (``npos``)."""
    gt_by_id = {g.image_id: g for g in ground_truth}
    gts = {}
    npos = 0
    for g in ground_truth:
        sel = g.labels == cls
        gts[g.image_id] = (g.boxes[sel], g.difficult[sel], np.zeros(int(sel.sum()), bool))
        npos += int((~g.difficult[sel]).sum())
    image_ids, boxes, scores = [], [], []
    for det in detections:
        if det.image_id not in gt_by_id:
            raise KeyError(f"detections for image {det.image_id!r}, which has no ground truth")
        sel = det.labels == cls
        image_ids += [det.image_id] * int(sel.sum())
        boxes.append(det.boxes[sel].reshape(-1, 4))
        scores.append(det.scores[sel])
    if not image_ids:
        return np.zeros(0, bool), np.zeros(0, bool), npos
    boxes_all, scores_all = np.concatenate(boxes), np.concatenate(scores)
    order = np.argsort(-scores_all, kind="stable")
    tp, fp = np.zeros(len(order), bool), np.zeros(len(order), bool)
    for rank, d in enumerate(order):
        gt_boxes, difficult, used = gts[image_ids[d]]
        if len(gt_boxes) == 0:
            fp[rank] = True
            continue
        iou = box_iou_np(boxes_all[d : d + 1], gt_boxes)[0]  # (G,)
        j = int(iou.argmax())
        if iou[j] < iou_thresh:
            fp[rank] = True
        elif difficult[j]:
            continue  # ignored: neither TP nor FP
        elif not used[j]:
            tp[rank], used[j] = True, True
        else:
            fp[rank] = True  # duplicate detection
    return tp, fp, npos


def class_ap(tp: np.ndarray, fp: np.ndarray, npos: int) -> float:
    """11-point AP from TP/FP flags in score order; NaN when the class has no positives."""
    if npos == 0:
        return math.nan
    ctp, cfp = np.cumsum(tp), np.cumsum(fp)
    counted = (tp | fp).astype(bool)  # ignored (difficult) detections leave no point
    rec = ctp[counted] / npos
    prec = ctp[counted] / np.maximum(ctp[counted] + cfp[counted], np.finfo(float).eps)
    return voc07_11point(rec, prec)


def evaluate_detections(
    detections: Sequence[Detections],
    ground_truth: Sequence[ImageBoxes],
    classes: Sequence[str],
    iou_thresh: float = 0.5,
) -> dict[str, Any]:
    """Per-class AP and mAP (fractions in [0, 1]) of detections against the ground truth.

    Classes without a non-difficult ground-truth box get AP NaN (reported as None) and are left
    out of the mAP, with a warning. Returns {"map", "ap", "npos", "n_detections", "iou"}.
    """
    ap: dict[str, float | None] = {}
    npos: dict[str, int] = {}
    n_det: dict[str, int] = {}
    for k, name in enumerate(classes):
        tp, fp, n = match_class(detections, ground_truth, k, iou_thresh)
        value = class_ap(tp, fp, n)
        ap[name] = None if math.isnan(value) else value
        npos[name], n_det[name] = n, len(tp)
    defined = [v for v in ap.values() if v is not None]
    undefined = [c for c, v in ap.items() if v is None]
    if undefined:
        log.warning("no non-difficult ground truth for %s: left out of the mAP", undefined)
    mean = float(np.mean(defined)) if defined else math.nan
    log.info("detection mAP %.4f over %d classes", mean, len(defined))
    return {"map": mean, "ap": ap, "npos": npos, "n_detections": n_det, "iou": iou_thresh}
