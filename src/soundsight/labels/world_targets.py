"""Human-style labels of ingested frames from the world's ground truth.

They train the supervised baselines of Table 2: the *object* model (multi-label: which object
categories are visible, the analogue of ImageNet) and the *scene* model (the analogue of Places).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.world import CATEGORY_NAMES, SCENE_NAMES


def _frame_index(gt: dict, time_s: float) -> int:
    """Index of the video frame shown at ``time_s``."""
    return int(min(round(time_s * gt["fps"]), gt["n_frames"] - 1))


def visible_categories(
    instance_map: np.ndarray, instance_category: np.ndarray, min_fraction: float
) -> set[int]:
    """Categories whose instances cover at least ``min_fraction`` of a (H, W) instance map."""
    counts = np.bincount(instance_map.ravel(), minlength=len(instance_category) + 1)
    frac = counts[1:] / instance_map.size  # instance ids start at 1; 0 is background
    return {int(instance_category[i]) for i in np.flatnonzero(frac >= min_fraction)}


def world_frame_targets(
    frames: pd.DataFrame, groundtruth_dir: str | Path, min_fraction: float = 0.005
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Object and scene label tables for ingested world frames.

    ``frames`` has columns frame_id, video_id, split and ``frame_time_s`` (or ``time_s``).
    Returns (objects: ..., code with one bit per world category; scene: ..., label, keep).
    """
    time_col = "frame_time_s" if "frame_time_s" in frames else "time_s"
    codes, scenes = [], []
    for video_id, rows in frames.groupby("video_id", sort=False):
        gt_path = Path(groundtruth_dir) / f"{video_id}.json"
        if not gt_path.exists():
            raise FileNotFoundError(f"no world ground truth for video {video_id}: {gt_path}")
        gt = json.loads(gt_path.read_text())
        with np.load(gt_path.with_suffix(".npz"), allow_pickle=False) as z:
            inst, cats, names = z["instance_map"], z["instance_category"], z["categories"]
            for idx, t in zip(rows.index, rows[time_col], strict=True):
                seen = visible_categories(inst[_frame_index(gt, t)], cats, min_fraction)
                seen_names = {str(names[c]) for c in seen}
                bits = "".join("1" if c in seen_names else "0" for c in CATEGORY_NAMES)
                codes.append((idx, bits))
                scenes.append((idx, SCENE_NAMES.index(gt["scene"])))
    base = frames[["frame_id", "video_id", "split"]]
    objects = base.assign(code=pd.Series(dict(codes)))
    scene = base.assign(label=pd.Series(dict(scenes)), keep=True)
    return objects, scene
