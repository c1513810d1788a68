"""Shared pieces of the t-SNE figures (SoundNet Fig. 4, L3-Net Fig. 10): a seeded 2-D
:class:`sklearn.manifold.TSNE`, a class-stratified subset, the k-NN same-class share that says
how well an embedding groups classes it never saw, and one colour (and marker cycle) per class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

NEIGHBOURS = 5  # k of the k-NN class agreement reported with the t-SNE figures


def stratified_subset(labels: Sequence[object], n_max: int, seed: int) -> np.ndarray:
    """Sorted indices of at most ``n_max`` rows, about equally many per class (seeded)."""
    y = np.asarray(labels).astype(str)
    if n_max < 1:
        raise ValueError(f"need n_max >= 1, got {n_max}")
    if len(y) <= n_max:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    rank = np.empty(len(y), dtype=int)  # a row's rank among its class's shuffled rows
    for cls in np.unique(y):
        members = order[y[order] == cls]
        rank[members] = np.arange(len(members))
    keep = np.lexsort((order.argsort(), rank))[:n_max]  # round-robin over classes
    return np.sort(keep)


def tsne_embedding(features: np.ndarray, seed: int, perplexity: float) -> np.ndarray:
    """2-D t-SNE (N, 2) of features (N, D); the perplexity is capped below N / 3."""
    X = np.asarray(features, dtype=np.float64)
    if X.ndim != 2 or len(X) < 4 or not np.isfinite(X).all():
        raise ValueError(f"t-SNE needs finite (N >= 4, D) features, got {X.shape}")
    perplexity = min(float(perplexity), (len(X) - 1) / 3.0)
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return tsne.fit_transform(X)


def neighbour_agreement(points: np.ndarray, labels: Sequence[object], k: int = NEIGHBOURS) -> float:
    """Fraction of each point's ``k`` nearest other points that share its class, averaged."""
    y = np.asarray(labels).astype(str)
    k = min(k, len(y) - 1)
    if k < 1:
        raise ValueError("need at least two points")
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)  # (N, k + 1)
    return float((y[idx[:, 1:]] == y[:, None]).mean())  # column 0: the point itself


def class_colours(n: int) -> list[tuple[float, ...]]:
    """``n`` distinct colours: tab20, then tab20b and tab20c (60), then cycled."""
    pool = [colormaps[m](i) for m in ("tab20", "tab20b", "tab20c") for i in range(20)]
    return [pool[i % len(pool)] for i in range(n)]


def same_class_chance(labels: Sequence[object]) -> float:
    """The share of same-class pairs among all ordered pairs of distinct items."""
    _, counts = np.unique(np.asarray(labels).astype(str), return_counts=True)
    return float((counts * (counts - 1)).sum() / (len(labels) * (len(labels) - 1)))


def draw_classes(ax: Axes, points: np.ndarray, labels: Sequence[object], size: float = 18) -> None:
    """Scatter the embedding (N, 2) on ``ax``, one colour (and marker cycle) per class, no
    ticks."""
    y = np.asarray(labels).astype(str)
    classes = np.unique(y)
    markers = "os^Dv"
    for i, (cls, colour) in enumerate(zip(classes, class_colours(len(classes)), strict=True)):
        mask = y == cls
        ax.scatter(*points[mask].T, s=size, color=colour, marker=markers[i // 20 % 5], label=cls)
    ax.set_xticks([])
    ax.set_yticks([])
