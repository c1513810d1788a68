"""Average precision for VOC-style classification probes.

Labels follow the VOC devkit convention: +1 present, -1 absent, 0 present only as *difficult*
(ignored: neither a true nor a false positive, and not counted among the positives).

``voc07_ap`` is the VOC2007 devkit's 11-point AP exactly as ``VOCevalcls.m`` computes it: the
scores are sorted with a stable sort (MATLAB's ``sort``), precision and recall are taken after
every entry (tied scores are *not* grouped, so their order in the input matters), and recall is
compared against the thresholds of MATLAB's ``0:0.1:1``, which are not all exact tenths (the third
is ``3 * 0.1 = 0.30000000000000004``), accumulating ``ap = ap + p / 11``. So a recall of exactly
3/10 does not reach the 0.3 threshold, as in the published protocol.

``voc07_ap_grouped`` is this project's earlier, order-independent variant: exact tenths, and tied
scores treated as one block (precision and recall only after a whole group of equal scores). It
is kept under its own name; ``area_ap`` (the VOC2010+ area under the interpolated curve) also
groups ties.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

APKind = Literal["voc07", "voc07_grouped", "area"]


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


def matlab_colon(start: float, step: float, stop: float) -> np.ndarray:
    """The values of MATLAB's ``start:step:stop`` for ``step > 0`` and an integral number of steps.

    MATLAB builds the vector symmetrically (its ``colonop``): ``start + k*step`` for the first
    half, ``stop - k*step`` for the second half and ``(start + stop) / 2`` in the middle when the
    number of steps is even. ``matlab_colon(0, 0.1, 1)`` is 0, 0.1, 0.2, 0.30000000000000004, 0.4,
    0.5, 0.6, 0.7, 0.8, 0.9, 1 (numpy's ``arange`` gives 0.6000000000000001 and 0.7000000000000001).
    """
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step}")
    n = round((stop - start) / step)
    if n < 0 or not np.isclose(start + n * step, stop):
        raise ValueError(f"{start}:{step}:{stop} does not have an integral number of steps")
    out = np.empty(n + 1)
    for k in range(n // 2 + 1):
        out[k] = start + k * step
        out[n - k] = stop - k * step
    if n % 2 == 0:
        out[n // 2] = (start + stop) / 2
    return out


VOC07_RECALL_THRESHOLDS = matlab_colon(0.0, 0.1, 1.0)  # the devkit's `for t=0:0.1:1`


def voc07_ap(scores: np.ndarray, labels: np.ndarray) -> float:
    """VOC2007 11-point interpolated AP exactly as the devkit's ``VOCevalcls.m`` computes it.

    Stable sort by decreasing score, precision/recall after every (non-difficult) entry, ties not
    grouped; ``ap += max(prec[rec >= t]) / 11`` (0 where no such point) for ``t`` in MATLAB's
    ``0:0.1:1``.
    """
    scores, labels = _check_pair(scores, labels)
    keep = labels != 0  # difficult: tp and fp both unchanged in the devkit, so dropping is equal
    scores, labels = scores[keep], labels[keep]
    pos = labels[np.argsort(-scores, kind="stable")] == 1  # MATLAB's sort(-out) is stable
    tp = np.cumsum(pos)  # (N,) true positives among the top i+1
    fp = np.cumsum(~pos)
    return interpolated_11point(tp / pos.sum(), tp / (fp + tp))


def interpolated_11point(recall: np.ndarray, precision: np.ndarray) -> float:
    """The devkit's 11-point loop (``VOCevalcls.m`` and ``VOCevaldet.m`` alike) over a curve:
    ``ap += max(precision[recall >= t]) / 11`` for ``t`` in MATLAB's ``0:0.1:1``.

    Eleven additions of 1/11 round to 1.0000000000000002: the result is clipped at 1 so that a
    perfect ranking scores 1 (the only place this differs from the devkit, by one ulp)."""
    ap = 0.0
    for t in VOC07_RECALL_THRESHOLDS:
        reached = recall >= t
        ap += (float(precision[reached].max()) if reached.any() else 0.0) / 11
    return min(ap, 1.0)


def voc07_ap_grouped(scores: np.ndarray, labels: np.ndarray) -> float:
    """11-point AP with exact tenths as thresholds and tied scores as one block (order-free).

    Not the devkit's arithmetic (see :func:`voc07_ap`); kept for comparison.
    """
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
    """Mean over classes of the per-class AP (``kind``: ``voc07`` devkit 11-point,
    ``voc07_grouped`` or ``area``)."""
    return float(per_class_ap(scores, labels, kind).mean())


_AP_FUNCS = {"voc07": voc07_ap, "voc07_grouped": voc07_ap_grouped, "area": area_ap}
