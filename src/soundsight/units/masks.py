"""Receptive-field masks of a unit's response on an image (Zhou et al. 2015).

The spatial positions where the unit's activation is at least ``rel_threshold`` (0.5) of that
image's maximum are mapped to input pixels through the receptive-field centre formula
``centre(i) = rf.offset + rf.stride * i`` (pixel-index coordinates, see
``soundsight.models.base.ReceptiveField``); the mask is the union of disks of radius ``radius``
around those centres. Zhou et al.'s empirical conv5 RF of CaffeNet at 227 px has a radius of
about 33 px; ``default_radius`` scales it by ``input_size / 227``. An image on which the unit's
maximum is <= 0 gets an empty mask.
"""

from __future__ import annotations

import numpy as np

from soundsight.models.base import ReceptiveField

RADIUS_AT_227 = 33.0  # half of CaffeNet conv5's empirical RF (Zhou et al. 2015), 227 px input


def default_radius(input_size: int, radius_at_227: float = RADIUS_AT_227) -> float:
    """Disk radius in pixels for ``input_size`` inputs: ``radius_at_227 * input_size / 227``."""
    if input_size < 1:
        raise ValueError(f"input_size must be >= 1, got {input_size}")
    return radius_at_227 * input_size / 227.0


def rf_centers(rf: ReceptiveField, n: int) -> np.ndarray:
    """(n,) input-pixel coordinates of the RF centres of positions 0..n-1 along one axis."""
    return rf.offset + rf.stride * np.arange(n, dtype=np.float64)


def high_positions(act_map: np.ndarray, rel_threshold: float = 0.5) -> np.ndarray:
    """(P, 2) (row, col) positions of a (h, w) map with activation >= rel_threshold * max.

    Empty when the map's maximum is <= 0 (the unit is silent on this image).
    """
    if act_map.ndim != 2:
        raise ValueError(f"activation map must be (h, w), got shape {act_map.shape}")
    peak = float(act_map.max())
    if not peak > 0:
        return np.zeros((0, 2), np.int64)
    return np.argwhere(act_map >= rel_threshold * peak)


def disk_union(centres: np.ndarray, image_size: int, radius: float) -> np.ndarray:
    """(S, S) bool: pixels within ``radius`` of any (y, x) centre in ``centres`` (P, 2)."""
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    grid = np.arange(image_size, dtype=np.float64)
    mask = np.zeros((image_size, image_size), bool)
    for cy, cx in centres:
        d2 = (grid[:, None] - cy) ** 2 + (grid[None, :] - cx) ** 2  # (S, S)
        mask |= d2 <= radius * radius
    return mask


def rf_mask(
    act_map: np.ndarray,
    rf: ReceptiveField,
    image_size: int,
    radius: float,
    rel_threshold: float = 0.5,
) -> np.ndarray:
    """(S, S) bool receptive-field mask of one (h, w) activation map."""
    pos = high_positions(act_map, rel_threshold)  # (P, 2) rows, cols
    cy = rf_centers(rf, act_map.shape[0])[pos[:, 0]]
    cx = rf_centers(rf, act_map.shape[1])[pos[:, 1]]
    return disk_union(np.stack([cy, cx], axis=1), image_size, radius)


def disk_table(
    rf: ReceptiveField, map_shape: tuple[int, int], image_size: int, radius: float
) -> np.ndarray:
    """(h * w, S, S) bool: the disk of every map position (row-major), for fast mask unions."""
    h, w = map_shape
    cy = np.repeat(rf_centers(rf, h), w)  # (h * w,)
    cx = np.tile(rf_centers(rf, w), h)
    centres = np.stack([cy, cx], axis=1)[:, None]  # (h * w, 1, 2)
    return np.stack([disk_union(c, image_size, radius) for c in centres])


def unit_masks(
    maps: np.ndarray,
    rf: ReceptiveField,
    image_size: int,
    radius: float,
    rel_threshold: float = 0.5,
) -> np.ndarray:
    """(K, S, S) bool masks of one unit's (K, h, w) maps on its top-K images.

    Same result as ``rf_mask`` on each map, using one precomputed disk per map position.
    """
    if maps.ndim != 3:
        raise ValueError(f"maps must be (K, h, w), got shape {maps.shape}")
    table = disk_table(rf, maps.shape[1:], image_size, radius)  # (h * w, S, S)
    out = np.zeros((len(maps), image_size, image_size), bool)
    for k, m in enumerate(maps):
        pos = high_positions(m, rel_threshold)  # (P, 2)
        if len(pos):
            out[k] = table[pos[:, 0] * maps.shape[2] + pos[:, 1]].any(axis=0)
    return out


def apply_mask(image: np.ndarray, mask: np.ndarray, dim: float = 0.2) -> np.ndarray:
    """(S, S, 3) uint8 image with pixels outside ``mask`` scaled by ``dim`` (0 = black)."""
    if image.shape[:2] != mask.shape:
        raise ValueError(f"image {image.shape[:2]} and mask {mask.shape} sizes differ")
    if not 0.0 <= dim <= 1.0:
        raise ValueError(f"dim must be in [0, 1], got {dim}")
    scale = np.where(mask, 1.0, dim)[..., None]  # (S, S, 1)
    return np.round(image.astype(np.float32) * scale).astype(np.uint8)
