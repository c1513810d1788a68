"""Label tables for the pretext models, built from per-frame sound features and the split.

Each function returns a frame table (one row per ingested frame, in index order) plus the fitted
model and a small JSON-able summary; the Snakemake scripts only read inputs and write these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from soundsight.audio.layout import scale_groups
from soundsight.labels.clusters import ClusterModel, cluster_labels, fit_clusters
from soundsight.labels.codes import CodeModel, fit_codes

TEXTURE = "texture"


def cluster_input(
    features: Mapping[str, np.ndarray], feature: str, group_scaling: str | None
) -> tuple[np.ndarray, str | None]:
    """What k-means clusters for ``feature`` (a name stored in ``sound.npz``) and its scaling.

    The sound texture keeps its per-group scaling (``labels.group_scaling``, Owens et al.); any
    other feature (``mfcc``, ``spectrum``, ...) is clustered as stored, unscaled: the student
    reproduction clusters its MFCC vectors "the same" way and names no rescaling.
    """
    if feature not in features:
        raise KeyError(f"feature {feature!r} not in the sound features ({sorted(features)})")
    return features[feature], (group_scaling if feature == TEXTURE else None)


def _train_mask(split: pd.Series) -> np.ndarray:
    return (split.to_numpy() == "train").astype(bool)


def build_cluster_labels(
    frames: pd.DataFrame,
    texture: np.ndarray,
    k: int,
    seed: int,
    scaling: str | None,
    drop_far: bool = True,
) -> tuple[pd.DataFrame, ClusterModel, dict[str, Any]]:
    """Cluster labels for every frame (columns frame_id, video_id, split).

    ``texture`` (N, D) rows align with ``frames``; k-means is fitted on the training rows only.
    ``scaling`` is the texture group scaling (``None`` for other features, e.g. texton histograms).
    """
    is_train = _train_mask(frames["split"])
    X = np.asarray(texture, dtype=np.float64)  # (N, D)
    if scaling is not None:
        X = scale_groups(X, scaling)
    model = fit_clusters(X[is_train], k, seed, scaling or "none")
    lab = cluster_labels(model, X, is_train, drop_far)
    table = frames[["frame_id", "video_id", "split"]].copy()
    table["label"], table["distance"], table["keep"] = lab["label"], lab["distance"], lab["keep"]
    return table, model, _cluster_summary(table, k)


def _cluster_summary(table: pd.DataFrame, k: int) -> dict[str, Any]:
    train = table[table["split"] == "train"]
    kept = train[train["keep"]]
    test = table[table["split"] == "test"]
    counts = np.bincount(kept["label"], minlength=k)
    train_majority = int(counts.argmax())
    return {
        "k": k,
        "n_train": len(train),
        "n_train_kept": len(kept),
        "n_train_dropped": len(train) - len(kept),
        "n_test": len(test),
        "kept_per_cluster": counts.tolist(),
        "empty_clusters": int((counts == 0).sum()),
        "chance_accuracy": 1.0 / k,
        "majority_label": train_majority,
        "majority_accuracy_test": float((test["label"] == train_majority).mean()),
    }


def build_code_labels(
    frames: pd.DataFrame,
    features: np.ndarray,
    n_projections: int,
    threshold: str,
    scaling: str | None = None,
) -> tuple[pd.DataFrame, CodeModel, dict[str, Any]]:
    """Binary codes for every frame from PCA projections fitted on the training rows.

    ``scaling`` is the texture group scaling (``None`` for non-texture features such as spectra).
    """
    is_train = _train_mask(frames["split"])
    X = np.asarray(features, dtype=np.float64)
    if scaling is not None:
        X = scale_groups(X, scaling)
    model = fit_codes(X[is_train], n_projections, threshold)
    bits = model.encode(X)  # (N, P) uint8
    table = frames[["frame_id", "video_id", "split"]].copy()
    table["code"] = ["".join(map(str, row)) for row in bits]
    summary = {
        "n_bits": model.n_bits,
        "threshold": threshold,
        "scaling": scaling,
        "bit_on_rate_train": bits[is_train].mean(0).round(4).tolist(),
        "explained_variance_ratio": model.explained_variance_ratio.round(6).tolist(),
        "n_distinct_codes": int(len(set(table["code"]))),
    }
    return table, model, summary


def decode_codes(codes: pd.Series) -> np.ndarray:
    """Bit strings (N,) -> (N, P) uint8 array."""
    return np.array([[int(c) for c in s] for s in codes.astype(str)], dtype=np.uint8)


def scaling_effect(
    frames: pd.DataFrame, texture: np.ndarray, k: int, seed: int, modes: list[str]
) -> dict[str, Any]:
    """How the per-group texture scaling changes the clusters: pairwise ARI of the assignments.

    Also reports each mode's share of k-means' squared distance carried by each texture group,
    which is what the scaling is meant to rebalance.
    """
    from soundsight.audio.texture import TEXTURE_GROUPS

    is_train = _train_mask(frames["split"])
    labels, shares = {}, {}
    for mode in modes:
        X = scale_groups(np.asarray(texture, dtype=np.float64), mode)[is_train]
        model = fit_clusters(X, k, seed, mode)
        labels[mode] = model.assign(X)[0]
        var = X.var(0)
        shares[mode] = {g: float(var[sl].sum() / var.sum()) for g, sl in TEXTURE_GROUPS.items()}
    ari = {
        f"{a}|{b}": float(adjusted_rand_score(labels[a], labels[b]))
        for i, a in enumerate(modes)
        for b in modes[i + 1 :]
    }
    return {"k": k, "modes": modes, "adjusted_rand_index": ari, "variance_share": shares}
