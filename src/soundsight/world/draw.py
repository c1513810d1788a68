"""Vectorised drawing primitives: shape masks on coordinate grids, textures, colour jitter.

Sprites use coordinates in units of the sprite height: ``v`` runs 0..1 top to bottom and ``u``
runs 0..aspect left to right, so circles stay round whatever the aspect ratio.
"""

from __future__ import annotations

import numpy as np

Color = tuple[float, float, float]


class Sprite:
    """An RGB sprite with a boolean coverage mask, painted shape by shape."""

    def __init__(self, h: int, w: int) -> None:
        if h < 1 or w < 1:
            raise ValueError(f"sprite size must be positive, got {h}x{w}")
        self.h, self.w = h, w
        v = (np.arange(h, dtype=np.float32) + 0.5) / h
        u = (np.arange(w, dtype=np.float32) + 0.5) / h
        self.v, self.u = np.meshgrid(v, u, indexing="ij")  # (h, w) each, units of sprite height
        self.aspect = w / h
        self.rgb = np.zeros((h, w, 3), dtype=np.float32)  # (h, w, 3) in [0, 1]
        self.mask = np.zeros((h, w), dtype=bool)  # (h, w) coverage

    def paint(self, m: np.ndarray, color: Color, texture: np.ndarray | None = None) -> None:
        """Paint colour (optionally modulated by a (h, w) texture around 1) where m is True."""
        col = np.asarray(color, dtype=np.float32)
        if texture is None:
            self.rgb[m] = col
        else:
            self.rgb[m] = np.clip(col[None, :] * texture[m][:, None], 0.0, 1.0)
        self.mask |= m

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (rgb (h, w, 3) float32, mask (h, w) bool)."""
        return self.rgb, self.mask


def ellipse(s: Sprite, cu: float, cv: float, ru: float, rv: float) -> np.ndarray:
    """Mask of an axis-aligned ellipse centred at (cu, cv) with radii (ru, rv)."""
    return ((s.u - cu) / max(ru, 1e-6)) ** 2 + ((s.v - cv) / max(rv, 1e-6)) ** 2 <= 1.0


def rect(s: Sprite, u0: float, v0: float, u1: float, v1: float) -> np.ndarray:
    """Mask of the axis-aligned rectangle [u0, u1] x [v0, v1]."""
    return (s.u >= u0) & (s.u <= u1) & (s.v >= v0) & (s.v <= v1)


def polygon(s: Sprite, points: list[tuple[float, float]]) -> np.ndarray:
    """Mask of a convex polygon given as (u, v) vertices in either winding order."""
    pts = np.asarray(points, dtype=np.float32)
    inside_pos = np.ones(s.u.shape, dtype=bool)
    inside_neg = np.ones(s.u.shape, dtype=bool)
    for k in range(len(pts)):
        (u0, v0), (u1, v1) = pts[k], pts[(k + 1) % len(pts)]
        cross = (u1 - u0) * (s.v - v0) - (v1 - v0) * (s.u - u0)
        inside_pos &= cross >= 0
        inside_neg &= cross <= 0
    return inside_pos | inside_neg


def segment(
    s: Sprite, p0: tuple[float, float], p1: tuple[float, float], width: float
) -> np.ndarray:
    """Mask of a thick line segment from p0 to p1 (u, v) with the given full width."""
    (u0, v0), (u1, v1) = p0, p1
    du, dv = u1 - u0, v1 - v0
    length2 = max(du * du + dv * dv, 1e-9)
    t = np.clip(((s.u - u0) * du + (s.v - v0) * dv) / length2, 0.0, 1.0)
    return (s.u - (u0 + t * du)) ** 2 + (s.v - (v0 + t * dv)) ** 2 <= (width / 2) ** 2


def smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in [0, 1]: a random (cells x cells) grid bilinearly upsampled to (h, w)."""
    cells = max(int(cells), 1)
    grid = rng.random((cells + 1, cells + 1)).astype(np.float32)  # (c+1, c+1)
    ys = np.linspace(0, cells, h, dtype=np.float32)
    xs = np.linspace(0, cells, w, dtype=np.float32)
    y0 = np.minimum(ys.astype(int), cells - 1)
    x0 = np.minimum(xs.astype(int), cells - 1)
    wy = (ys - y0)[:, None]
    wx = (xs - x0)[None, :]
    top = grid[y0][:, x0] * (1 - wx) + grid[y0][:, x0 + 1] * wx
    bottom = grid[y0 + 1][:, x0] * (1 - wx) + grid[y0 + 1][:, x0 + 1] * wx
    return top * (1 - wy) + bottom * wy  # (h, w)


def texture(rng: np.random.Generator, h: int, w: int, cells: int, amount: float) -> np.ndarray:
    """Multiplicative texture around 1: smooth noise plus a little fine grain, shape (h, w)."""
    coarse = smooth_noise(rng, h, w, cells) - 0.5
    fine = rng.random((h, w), dtype=np.float32) - 0.5
    return 1.0 + amount * (coarse + 0.3 * fine)


def jitter(rng: np.random.Generator, color: Color, amount: float = 0.08) -> Color:
    """Per-instance colour variation: independent per-channel offsets, clipped to [0, 1]."""
    c = np.clip(np.asarray(color) + rng.uniform(-amount, amount, size=3), 0.0, 1.0)
    return float(c[0]), float(c[1]), float(c[2])


def vertical_gradient(h: int, w: int, top: Color, bottom: Color) -> np.ndarray:
    """(h, w, 3) image blending linearly from ``top`` to ``bottom``."""
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (1 - t) * np.asarray(top, np.float32) + t * np.asarray(bottom, np.float32)
    return np.broadcast_to(img, (h, w, 3)).copy()


def hue_rotation_matrix(angle: float, saturation: float) -> np.ndarray:
    """3x3 RGB matrix rotating hue by ``angle`` radians (YIQ space) and scaling saturation."""
    to_yiq = np.array(
        [[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32
    )
    c, s = np.cos(angle) * saturation, np.sin(angle) * saturation
    rot = np.array([[1, 0, 0], [0, c, -s], [0, s, c]], np.float32)
    return np.linalg.inv(to_yiq) @ rot @ to_yiq
