"""Clustering quality and unit preference (Look, Listen and Learn, Table 4 and Sect. 4.4).

- **NMI**: k-means (k = 64 in the paper) on frozen embeddings, Normalized Mutual Information
  between the clusters and the ground-truth classes (``sklearn.metrics.
  normalized_mutual_info_score``, arithmetic normalisation, sklearn's default). The
  **random-assignment** baseline gives every item a uniformly random cluster id out of k
  (seeded) and scores it the same way.
- **Unit preference**: rank all inputs by a unit's activation (its spatial maximum), keep the
  top ``n``; the unit *prefers* a class when at least ``m`` of those ``n`` inputs are of that
  class. The paper counts **classes covered**: how many of the classes have at least one unit
  that prefers them (10 / 11 of 34 at 4-of-5 for trained vision / audio, 23 / 20 at 3-of-5),
  not how many units prefer some class. Ties in activation are broken by input index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

NMI_CLUSTERS = 64
PREFERENCE_RULES: tuple[tuple[int, int], ...] = ((4, 5), (3, 5))  # (m, n): m of the top n


def _labels(labels: Sequence[object] | np.ndarray, n: int | None = None) -> np.ndarray:
    """Class labels as a 1-D array, checked against ``n`` items when given."""
    y = np.asarray(labels)
    if y.ndim != 1 or not len(y):
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {y.shape}")
    if n is not None and len(y) != n:
        raise ValueError(f"{len(y)} labels for {n} items")
    return y


def nmi(clusters: np.ndarray, labels: Sequence[object] | np.ndarray) -> float:
    """NMI between cluster ids (N,) and class labels (N,)."""
    y = _labels(labels)
    c = _labels(clusters, len(y))
    return float(normalized_mutual_info_score(y, c))


def kmeans_clusters(
    features: np.ndarray, k: int = NMI_CLUSTERS, seed: int = 0, n_init: int = 4
) -> np.ndarray:
    """k-means cluster ids (N,) of features (N, D); k is capped at the number of items."""
    X = np.asarray(features, dtype=np.float64)
    if X.ndim != 2 or not len(X) or not np.isfinite(X).all():
        raise ValueError(f"features must be a finite, non-empty (N, D) array, got {X.shape}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    km = KMeans(n_clusters=min(k, len(X)), n_init=n_init, random_state=seed)
    return km.fit_predict(X).astype(np.int64)


def random_assignment(n: int, k: int = NMI_CLUSTERS, seed: int = 0) -> np.ndarray:
    """Uniformly random cluster ids (n,) in 0..k-1 (the random-assignment baseline)."""
    if n < 1 or k < 1:
        raise ValueError(f"need n >= 1 items and k >= 1 clusters, got n={n}, k={k}")
    return np.random.default_rng(seed).integers(0, k, size=n)


@dataclass(frozen=True)
class NmiResult:
    """NMI of one clustering, with the per-item cluster ids (for a bootstrap over items)."""

    nmi: float
    clusters: np.ndarray  # (N,)


def kmeans_nmi(
    features: np.ndarray,
    labels: Sequence[object] | np.ndarray,
    k: int = NMI_CLUSTERS,
    seed: int = 0,
    n_init: int = 4,
) -> NmiResult:
    """k-means (k) on features (N, D), NMI against labels (N,)."""
    y = _labels(labels, len(features))
    clusters = kmeans_clusters(features, k, seed, n_init)
    return NmiResult(nmi(clusters, y), clusters)


def random_assignment_nmi(
    labels: Sequence[object] | np.ndarray, k: int = NMI_CLUSTERS, seed: int = 0
) -> NmiResult:
    """NMI of uniformly random cluster ids (seeded) against labels (N,)."""
    y = _labels(labels)
    clusters = random_assignment(len(y), k, seed)
    return NmiResult(nmi(clusters, y), clusters)


# ------------------------------------------------------------------------------------------------
# unit preference
# ------------------------------------------------------------------------------------------------


def top_inputs(activations: np.ndarray, n: int = 5) -> np.ndarray:
    """Indices (U, n) of each unit's n highest-activating inputs, from activations (N, U)."""
    A = np.asarray(activations, dtype=np.float64)
    if A.ndim != 2 or not A.size:
        raise ValueError(
            f"activations must be a non-empty (N inputs, U units) array, got {A.shape}"
        )
    if not 1 <= n <= len(A):
        raise ValueError(f"n must be in 1..{len(A)} (inputs), got {n}")
    return np.argsort(-A, axis=0, kind="stable")[:n].T  # (U, n) ties by input index


def preferred_classes(
    activations: np.ndarray, labels: Sequence[object] | np.ndarray, m: int = 4, n: int = 5
) -> list[object | None]:
    """Per unit, the class that at least ``m`` of its top ``n`` inputs share, else None.

    ``activations`` (N, U): each input's activation of each unit (its spatial maximum). With
    ``2 m > n`` at most one class can qualify; otherwise the most frequent (first on ties).
    """
    if not 1 <= m <= n:
        raise ValueError(f"need 1 <= m <= n, got m={m}, n={n}")
    y = _labels(labels, len(np.asarray(activations)))
    out: list[object | None] = []
    for rows in top_inputs(activations, n):
        values, counts = np.unique(y[rows], return_counts=True)
        best = int(np.argmax(counts))
        out.append(values[best].item() if counts[best] >= m else None)
    return out


def classes_covered(
    activations: np.ndarray, labels: Sequence[object] | np.ndarray, m: int = 4, n: int = 5
) -> set[object]:
    """The classes preferred by at least one unit (the paper's count is its size)."""
    return {c for c in preferred_classes(activations, labels, m, n) if c is not None}


def preference_counts(
    activations: np.ndarray,
    labels: Sequence[object] | np.ndarray,
    rules: Sequence[tuple[int, int]] = PREFERENCE_RULES,
) -> dict[str, int]:
    """Classes covered under each (m, n) rule, keyed ``"<m>of<n>"`` (``{"4of5": 10, ...}``)."""
    return {f"{m}of{n}": len(classes_covered(activations, labels, m, n)) for m, n in rules}


# ------------------------------------------------------------------------------------------------
# one model's embeddings -> the NMI file the audit reads (report.audit_metrics.Nmi)
# ------------------------------------------------------------------------------------------------

STREAMS = ("vision", "audio")  # the embeddings' streams (Table 4's columns)


def _embedding_arrays(arrays: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``item_ids`` and ``labels`` (N,) of an embeddings file, checked against its streams."""
    for key in ("item_ids", "labels", *STREAMS):
        if key not in arrays:
            raise ValueError(f"embeddings lack the {key!r} array")
    ids, labels = np.asarray(arrays["item_ids"]).astype(str), _labels(arrays["labels"])
    for s in STREAMS:
        if len(arrays[s]) != len(ids) or len(labels) != len(ids):
            raise ValueError(f"{s} has {len(arrays[s])} rows for {len(ids)} items")
    return ids, labels.astype(str)


def embedding_clusters(
    arrays: Mapping[str, np.ndarray], k: int = NMI_CLUSTERS, seed: int = 0, n_init: int = 4
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """k-means of each stream's embeddings (N, D) against the labels: the summary (NMI and the
    unit-preference counts per stream) and the ``nmi.npz`` arrays (``item_ids``, ``labels``,
    ``clusters_<stream>``)."""
    ids, labels = _embedding_arrays(arrays)
    out: dict[str, np.ndarray] = {"item_ids": ids, "labels": labels}
    summary: dict[str, Any] = {"k": int(k), "n_items": len(ids), "nmi": {}, "preference": {}}
    for stream in STREAMS:
        result = kmeans_nmi(arrays[stream], labels, k, seed, n_init)
        out[f"clusters_{stream}"] = result.clusters
        summary["nmi"][stream] = result.nmi
        summary["preference"][stream] = preference_counts(arrays[stream], labels)
    summary["n_classes"] = len(set(labels.tolist()))
    return summary, out


def random_assignment_clusters(
    arrays: Mapping[str, np.ndarray], k: int = NMI_CLUSTERS, seed: int = 0
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The random-assignment baseline over the same items: uniformly random cluster ids per
    stream (seeds ``seed``, ``seed + 1``), scored against the labels like a model's."""
    ids, labels = _embedding_arrays(arrays)
    out: dict[str, np.ndarray] = {"item_ids": ids, "labels": labels}
    summary: dict[str, Any] = {"k": int(k), "n_items": len(ids), "nmi": {}}
    for i, stream in enumerate(STREAMS):
        result = random_assignment_nmi(labels, k, seed + i)
        out[f"clusters_{stream}"] = result.clusters
        summary["nmi"][stream] = result.nmi
    summary["n_classes"] = len(set(labels.tolist()))
    return summary, out
