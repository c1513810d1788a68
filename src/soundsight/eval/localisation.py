"""Pointing accuracy of localisation maps (Objects that Sound, Sect. 5.2).

A localisation map (h, w) (AVOL-Net's 14 x 14 sigmoid map) is upsampled bilinearly to the
image size (H, W) (``torch.nn.functional.interpolate``, ``align_corners=False``) and its
**mode**, the argmax pixel (first in row-major order on ties), is the prediction. A frame is a
**hit** when the prediction lies within ``radius`` pixels of an annotated point of a sounding
object, or inside its annotated mask/box. The **centre baseline** always predicts the image
centre ``((H - 1) / 2, (W - 1) / 2)``. Pointing accuracy = mean of the per-frame hits.
Coordinates are ``(y, x)`` in pixels, row first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F


def map_peaks(maps: np.ndarray | torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Argmax ``(y, x)`` (B, 2) of maps (B, h, w) upsampled bilinearly to ``size = (H, W)``."""
    m = torch.as_tensor(maps, dtype=torch.float32)
    if m.ndim == 2:
        m = m[None]
    if m.ndim != 3 or not m.numel():
        raise ValueError(f"maps must be (B, h, w) or (h, w), got {tuple(m.shape)}")
    H, W = size
    if H < 1 or W < 1:
        raise ValueError(f"image size must be positive, got {size}")
    up = F.interpolate(m[:, None], size=(H, W), mode="bilinear", align_corners=False)[:, 0]
    flat = up.reshape(len(up), -1).argmax(dim=1)  # (B,) first maximum in row-major order
    return torch.stack([flat // W, flat % W], dim=1).cpu().numpy()  # (B, 2) (y, x)


def centre_peaks(n: int, size: tuple[int, int]) -> np.ndarray:
    """The centre-of-image baseline's prediction ``(y, x)`` (n, 2)."""
    H, W = size
    return np.tile([(H - 1) / 2.0, (W - 1) / 2.0], (n, 1))


def point_hits(
    peaks: np.ndarray, points: Sequence[np.ndarray | Sequence[Sequence[float]]], radius: float
) -> np.ndarray:
    """Per-frame hit (B,): the peak lies within ``radius`` px of one of the frame's points.

    ``points[b]`` (P_b, 2) are the sounding object(s)' annotated ``(y, x)``; a frame with
    no point is never a hit.
    """
    p = np.asarray(peaks, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) != len(points):
        raise ValueError(f"peaks {p.shape} must be (B, 2) with one point list per frame")
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    hits = np.zeros(len(p), dtype=bool)
    for b, pts in enumerate(points):
        q = np.asarray(pts, dtype=np.float64).reshape(-1, 2)  # (P, 2)
        hits[b] = bool(len(q)) and bool((np.linalg.norm(q - p[b], axis=1) <= radius).any())
    return hits


def mask_hits(peaks: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per-frame hit (B,): the rounded peak lies on the frame's object mask (B, H, W)."""
    p = np.rint(np.asarray(peaks, dtype=np.float64)).astype(np.int64)
    M = np.asarray(masks, dtype=bool)
    if M.ndim != 3 or p.shape != (len(M), 2):
        raise ValueError(f"masks {M.shape} must be (B, H, W) and peaks (B, 2), got {p.shape}")
    ys = np.clip(p[:, 0], 0, M.shape[1] - 1)
    xs = np.clip(p[:, 1], 0, M.shape[2] - 1)
    return M[np.arange(len(M)), ys, xs]


def pointing_accuracy(hits: np.ndarray) -> float:
    """Fraction of frames hit."""
    h = np.asarray(hits, dtype=bool).ravel()
    if not len(h):
        raise ValueError("no frames to score")
    return float(h.mean())
