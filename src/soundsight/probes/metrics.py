"""Average precision for VOC-style classification probes.

Labels follow the VOC devkit convention: +1 present, -1 absent, 0 present only as *difficult*
(ignored: neither a true nor a false positive, and not counted among the positives).

Tied scores are treated as one block: precision and recall are only evaluated after a whole group
of equal scores, so the result does not depend on the order of tied entries (the devkit's result
would depend on its sort order).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

APKind = Literal["voc07", "area"]


def _check_pair(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate one class's scores (N,) and labels (N,) in {+1, -1, 0}; return float64/int8."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise ValueError(
            f"scores and labels must be 1-D of equal length, got {scores.shape} and {labels.shape}"
        )
    if not np.isfinite(scores).all():
        raise ValueError("scores contain NaN or infinite values")
    bad = ~np.isin(labels, (-1, 0, 1))
    if bad.any():
        raise ValueError(f"labels must be in {{+1, -1, 0}}, got {np.unique(labels[bad])[:5]}")
    if not (labels == 1).any():
        raise ValueError("average precision is undefined: no positive (+1) labels")
    return scores, labels.astype(np.int8)


def precision_recall(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each distinct score threshold, highest score first.

    Entries labelled 0 (difficult) are dropped. Returns (precision, recall), each (T,) with T the
    number of distinct scores among the kept entries.
    """
    scores, labels = _check_pair(scores, labels)
    keep = labels != 0
    scores, labels = scores[keep], labels[keep]
    order = np.argsort(-scores, kind="stable")
    scores, pos = scores[order], labels[order] == 1
    tp = np.cumsum(pos)  # (N,) true positives among the top i+1
    fp = np.cumsum(~pos)
    # last index of each block of equal scores
    ends = np.flatnonzero(np.r_[scores[1:] != scores[:-1], True])
    tp, fp = tp[ends], fp[ends]
    return tp / (tp + fp), tp / pos.sum()


def voc07_ap(scores: np.ndarray, labels: np.ndarray) -> float:
    """VOC2007 11-point interpolated AP: mean over t in {0, 0.1, ..., 1} of max precision at
    recall >= t (0 where no such point)."""
    prec, rec = precision_recall(scores, labels)
    total = 0.0
    for k in range(11):
        reached = rec >= k / 10  # k / 10 and tp / npos are both correctly rounded: exact ties match
        total += float(prec[reached].max()) if reached.any() else 0.0
    return total / 11.0


def area_ap(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the interpolated precision-recall curve (VOC2010+ devkit)."""
    prec, rec = precision_recall(scores, labels)
    mrec = np.r_[0.0, rec, 1.0]
    mpre = np.r_[0.0, prec, 0.0]
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]  # precision made non-increasing in recall
    step = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[step] - mrec[step - 1]) * mpre[step]))


def per_class_ap(scores: np.ndarray, labels: np.ndarray, kind: APKind = "voc07") -> np.ndarray:
    """AP of every column of scores (N, C) against labels (N, C); returns (C,)."""
    scores, labels = np.asarray(scores), np.asarray(labels)
    if scores.ndim != 2 or scores.shape != labels.shape:
        raise ValueError(
            f"scores and labels must be (N, C) of equal shape, got {scores.shape}, {labels.shape}"
        )
    fn = _AP_FUNCS.get(kind)
    if fn is None:
        raise ValueError(f"unknown AP kind {kind!r}; expected one of {sorted(_AP_FUNCS)}")
    out = np.empty(scores.shape[1])
    for c in range(scores.shape[1]):
        try:
            out[c] = fn(scores[:, c], labels[:, c])
        except ValueError as err:
            raise ValueError(f"class column {c}: {err}") from err
    return out


def mean_ap(scores: np.ndarray, labels: np.ndarray, kind: APKind = "voc07") -> float:
    """Mean over classes of the per-class AP (``kind``: ``voc07`` 11-point or ``area``)."""
    return float(per_class_ap(scores, labels, kind).mean())


_AP_FUNCS = {"voc07": voc07_ap, "area": area_ap}
