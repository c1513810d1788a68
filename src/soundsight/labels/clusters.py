"""Sound-cluster labels (Owens et al. 2018 §3.2, *Clustering* model).

k-means on the training frames' sound textures defines the categories; each frame is labelled with
its nearest centroid; training frames farther from their centroid than the median distance over all
training frames are dropped, as the paper does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans


@dataclass(frozen=True)
class ClusterModel:
    """A fitted k-means labelling: centroids in the (scaled) feature space and the drop radius."""

    centroids: np.ndarray  # (k, D)
    median_distance: float  # median train distance to own centroid; farther train frames dropped
    scaling: str  # texture group scaling applied before clustering

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])

    def assign(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest centroid and its Euclidean distance for each row of ``X`` (N, D)."""
        d2 = (
            (X**2).sum(1, keepdims=True)
            - 2.0 * X @ self.centroids.T
            + (self.centroids**2).sum(1)[None, :]
        )  # (N, k) squared distances
        label = d2.argmin(1)
        dist = np.sqrt(np.maximum(d2[np.arange(len(X)), label], 0.0))
        return label, dist

    def save(self, path: str | Path) -> None:
        """Write the model as a pickle-free ``.npz``."""
        np.savez(
            path,
            centroids=self.centroids,
            median_distance=self.median_distance,
            scaling=np.array(self.scaling),
        )

    @classmethod
    def load(cls, path: str | Path) -> ClusterModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(z["centroids"], float(z["median_distance"]), str(z["scaling"]))


def fit_clusters(X_train: np.ndarray, k: int, seed: int, scaling: str = "none") -> ClusterModel:
    """Fit k-means with ``k`` clusters on training features (N, D) already scaled by ``scaling``."""
    if k < 2:
        raise ValueError(f"labels.k must be >= 2, got {k}")
    if len(X_train) < k:
        raise ValueError(
            f"k-means with k={k} needs at least {k} training frames, got {len(X_train)}"
        )
    km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X_train.astype(np.float64))
    model = ClusterModel(km.cluster_centers_, 0.0, scaling)
    _, dist = model.assign(X_train.astype(np.float64))
    return ClusterModel(km.cluster_centers_, float(np.median(dist)), scaling)


def cluster_labels(
    model: ClusterModel, X: np.ndarray, is_train: np.ndarray, drop_far: bool = True
) -> dict[str, np.ndarray]:
    """Label every frame; ``keep`` is False for training frames beyond the median distance.

    Test frames are always kept (they are labelled, never used to fit).
    """
    label, dist = model.assign(X.astype(np.float64))
    keep = np.ones(len(X), dtype=bool)
    if drop_far:
        keep &= ~(is_train & (dist > model.median_distance))
    return {"label": label, "distance": dist, "keep": keep}
