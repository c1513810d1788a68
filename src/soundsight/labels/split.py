"""Train/test split of frames by video (no video contributes frames to both sides)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def stable_unit_float(key: str, seed: int) -> float:
    """A deterministic number in [0, 1) for ``key`` under ``seed`` (not Python's hash())."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_by_video(index: pd.DataFrame, test_fraction: float, seed: int) -> pd.Series:
    """Assign each frame of ``index`` (columns ``video_id``) to ``train`` or ``test`` by its video.

    A video goes to test when its stable hash under ``seed`` falls below ``test_fraction``, so the
    split of a video does not depend on which other videos are present.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"labels.test_fraction must be in (0, 1), got {test_fraction}")
    videos = index["video_id"].astype(str).unique()
    draws = np.array([stable_unit_float(v, seed) for v in videos])
    is_test = dict(zip(videos, draws < test_fraction, strict=True))
    split = index["video_id"].astype(str).map(is_test).map({True: "test", False: "train"})
    if (split == "train").sum() == 0 or (split == "test").sum() == 0:
        raise ValueError(
            f"split by video left an empty side ({len(videos)} videos, test_fraction="
            f"{test_fraction}); ingest more videos or change labels.test_fraction"
        )
    return split.rename("split")
