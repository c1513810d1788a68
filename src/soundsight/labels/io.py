"""Reading the inputs of the label rules: the frame split and the merged sound features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.audio.store import load_features


def load_frames_and_features(
    split_csv: str | Path, features_npz: str | Path
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The split table and the features, rows aligned by ``frame_id`` (raises on any mismatch)."""
    frames = pd.read_csv(split_csv, dtype={"frame_id": str, "video_id": str})
    ids, feats = load_features(features_npz)
    if len(ids) != len(frames) or not np.array_equal(ids, frames["frame_id"].to_numpy(str)):
        raise ValueError(
            f"{features_npz} and {split_csv} do not list the same frames in the same order "
            f"({len(ids)} vs {len(frames)} rows)"
        )
    return frames, feats
