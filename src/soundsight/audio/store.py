"""Per-frame audio feature files: ``.npz`` with a ``frame_id`` column and one array per feature."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def save_features(
    path: str | Path, frame_id: Sequence[str], features: dict[str, np.ndarray]
) -> None:
    """Write features (each (N, D)) keyed by ``frame_id`` (N,) to a pickle-free ``.npz``."""
    ids = np.asarray(frame_id, dtype=str)
    for name, arr in features.items():
        if len(arr) != len(ids):
            raise ValueError(f"feature {name!r} has {len(arr)} rows for {len(ids)} frame ids")
    np.savez(path, frame_id=ids, **features)


def load_features(path: str | Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a file written by :func:`save_features`: ``(frame_id (N,), {name: (N, D)})``."""
    with np.load(path, allow_pickle=False) as z:
        ids = z["frame_id"]
        return ids, {k: z[k] for k in z.files if k != "frame_id"}


def merge_features(
    paths: Sequence[str | Path], frame_order: Sequence[str]
) -> dict[str, np.ndarray]:
    """Concatenate shard feature files and reorder rows to ``frame_order``.

    Raises if a frame of ``frame_order`` is missing or a frame appears twice: no frame is lost
    or duplicated silently.
    """
    ids, parts = [], {}
    for p in paths:
        fid, feats = load_features(p)
        ids.append(fid)
        for name, arr in feats.items():
            parts.setdefault(name, []).append(arr)
    all_ids = np.concatenate(ids) if ids else np.array([], dtype=str)
    if len(np.unique(all_ids)) != len(all_ids):
        raise ValueError("duplicate frame ids across feature shards")
    pos = {f: i for i, f in enumerate(all_ids)}
    missing = [f for f in frame_order if f not in pos]
    if missing or len(frame_order) != len(all_ids):
        raise ValueError(
            f"feature shards hold {len(all_ids)} frames, the index {len(frame_order)}; "
            f"missing e.g. {missing[:3]}"
        )
    order = np.array([pos[f] for f in frame_order])
    merged = {name: np.concatenate(a)[order] for name, a in parts.items()}
    merged["frame_id"] = np.asarray(frame_order, dtype=str)
    return merged
