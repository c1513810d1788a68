"""Network Dissection (Bau et al. 2017): unit/concept IoU over a pool with segmentations.

For unit k, the threshold ``T_k`` is the ``quantile`` (0.995) of its activation over the pool,
computed on the maps upsampled to the image (sampled on a regular pixel grid when the pool is
large, at most ``max_samples`` values per unit). Each image's map is upsampled to the image by
linear interpolation between receptive-field centres (``rf.offset + rf.stride * i``, clamped at
the borders) and thresholded at ``T_k``; the unit's IoU with concept ``c`` is
``sum |M_k & L_c| / sum |M_k | L_c|`` over the pool. A unit is a detector for its best concept
when that IoU exceeds ``iou_threshold`` (0.04).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from soundsight.models.base import ReceptiveField
from soundsight.units.views import LabelSource

log = logging.getLogger(__name__)


@dataclass
class DissectLabels:
    """Result of ``netdissect_labels``: ``table`` (unit, category, category_index, iou,
    is_detector), ``iou`` (C, n_categories) and ``thresholds`` (C,)."""

    table: pd.DataFrame
    iou: np.ndarray
    thresholds: np.ndarray


def rf_interpolation(rf: ReceptiveField, n: int, pixels: np.ndarray) -> np.ndarray:
    """(P, n) weights linearly interpolating n map positions at input pixel coordinates."""
    u = np.clip((np.asarray(pixels, np.float64) - rf.offset) / rf.stride, 0, n - 1)  # (P,)
    lo = np.floor(u).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    w_hi = u - lo
    out = np.zeros((len(u), n), np.float32)
    np.add.at(out, (np.arange(len(u)), lo), 1.0 - w_hi)
    np.add.at(out, (np.arange(len(u)), hi), w_hi)
    return out


def rf_upsample(
    maps: np.ndarray, rf: ReceptiveField, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """(..., h, w) maps -> (..., len(rows), len(cols)) values at those pixel coordinates."""
    wy = rf_interpolation(rf, maps.shape[-2], rows)  # (R, h)
    wx = rf_interpolation(rf, maps.shape[-1], cols)  # (Q, w)
    return np.einsum("rh,...hw,qw->...rq", wy, maps.astype(np.float32), wx, optimize=True)


def unit_thresholds(
    maps: np.ndarray,
    rf: ReceptiveField,
    image_size: int,
    quantile: float = 0.995,
    max_samples: int = 4_000_000,
) -> np.ndarray:
    """(C,) per-unit ``quantile`` of the upsampled activations over the pool (N, C, h, w)."""
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile}")
    n = len(maps)
    step = max(1, math.ceil(math.sqrt(n * image_size * image_size / max_samples)))
    grid = np.arange(step // 2, image_size, step)  # sampled pixel coordinates
    if step > 1:
        log.info("thresholds from a %d-px pixel grid (%d values/unit)", step, n * len(grid) ** 2)
    out = np.empty(maps.shape[1], np.float32)
    for c in range(maps.shape[1]):
        values = rf_upsample(maps[:, c], rf, grid, grid)  # (N, G, G)
        out[c] = np.quantile(values.ravel(), quantile)
    return out


def dissect_iou(
    maps: np.ndarray,
    label_source: LabelSource,
    rf: ReceptiveField,
    image_size: int,
    thresholds: np.ndarray,
    batch_size: int = 8,
    progress: bool = True,
) -> np.ndarray:
    """(C, n_categories) pool-wide IoU of thresholded unit maps with the concept masks."""
    if len(maps) != len(label_source):
        raise ValueError(f"{len(maps)} maps but {len(label_source)} label maps in the pool")
    n_cat = len(label_source.categories)
    C = maps.shape[1]
    pixels = np.arange(image_size)
    inter = np.zeros((C, n_cat), np.float64)
    act_area = np.zeros(C, np.float64)
    cat_area = np.zeros(n_cat, np.float64)
    codes = np.arange(1, n_cat + 1, dtype=np.uint8)[None, :, None, None]
    for start in tqdm(range(0, len(maps), batch_size), desc="dissect", disable=not progress):
        idx = list(range(start, min(start + batch_size, len(maps))))
        up = rf_upsample(maps[idx], rf, pixels, pixels)  # (B, C, S, S)
        act = (up > thresholds[None, :, None, None]).astype(np.float32)
        labels = label_source(idx)  # (B, S, S)
        onehot = (labels[:, None] == codes).astype(np.float32)  # (B, n_cat, S, S)
        A = act.transpose(1, 0, 2, 3).reshape(C, -1)  # (C, B*S*S)
        L = onehot.transpose(1, 0, 2, 3).reshape(n_cat, -1)  # (n_cat, B*S*S)
        inter += A @ L.T
        act_area += A.sum(axis=1)
        cat_area += L.sum(axis=1)
    union = act_area[:, None] + cat_area[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def netdissect_labels(
    maps: np.ndarray,
    label_source: LabelSource,
    rf: ReceptiveField,
    image_size: int,
    quantile: float = 0.995,
    iou_threshold: float = 0.04,
    batch_size: int = 8,
    max_samples: int = 4_000_000,
    progress: bool = True,
) -> DissectLabels:
    """Network Dissection labels of every unit from pool maps (N, C, h, w) (``pool_maps``)."""
    if maps.ndim != 4:
        raise ValueError(f"maps must be (N, C, h, w), got shape {maps.shape}")
    thresholds = unit_thresholds(maps, rf, image_size, quantile, max_samples)
    iou = dissect_iou(maps, label_source, rf, image_size, thresholds, batch_size, progress)
    best = iou.argmax(axis=1)  # (C,)
    best_iou = iou[np.arange(len(iou)), best]
    has = best_iou > 0
    categories = label_source.categories
    table = pd.DataFrame(
        {
            "unit": np.arange(len(iou)),
            "category": [categories[b] if h else "" for b, h in zip(best, has, strict=True)],
            "category_index": np.where(has, best, -1),
            "iou": best_iou,
            "is_detector": best_iou > iou_threshold,
        }
    )
    log.info("NetDissect: %d of %d units are detectors", table.is_detector.sum(), len(table))
    return DissectLabels(table=table, iou=iou, thresholds=thresholds)
