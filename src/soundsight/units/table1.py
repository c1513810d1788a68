"""Table 1 of Owens et al. 2018: detectors, sound-making detectors and whether the sound is heard.

Rows per model (our reading of the table and its caption):

1. ``n_detectors``: units that are detectors for some object.
2. ``n_sound_detectors``: detectors whose object makes a characteristic sound (world:
   ``Category.makes_sound``; the paper's * categories).
3. ``videos_with_object_sound``: over all detectors, the fraction of each unit's top-30 videos
   whose audio contains the sound of the unit's object; a detector of a silent object
   contributes its videos with no sound ("computed only for object classes with characteristic
   sounds"). Pooled over units: sum(audible videos) / sum(videos).
4. ``characteristic_sound_rate``: the same fraction restricted to detectors of sound-making
   objects, i.e. P(object's sound audible | the unit detects a sound-making object).

The reading is pinned by the published numbers, which satisfy row 3 = row 4 x row 2 / row 1:
Sound 49/91 x 81.2% = 43.7%, Places 26/117 x 75.9% = 16.9%.

A unit's *top-30 videos* are the distinct videos of its top-ranked frames, in rank order, up to
30 (fewer when its top-K frames span fewer videos). A video's audio contains category ``o``
when its ground truth (``groundtruth/V.json``) lists an object of category ``o`` with
``audible`` true, or an off-screen source of category ``o`` with ``frames_audible`` > 0.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.world import SOUND_CATEGORIES

log = logging.getLogger(__name__)

TABLE1_COLUMNS = [
    "model",
    "n_units",
    "n_detectors",
    "n_sound_detectors",
    "videos_with_object_sound",
    "characteristic_sound_rate",
    "n_videos_checked",
    "n_sound_videos_checked",
]


def audible_categories(gt: Mapping) -> set[str]:
    """Categories whose sound is audible somewhere in a video, from its ground-truth JSON."""
    heard = {str(o["category"]) for o in gt.get("objects", []) if o.get("audible")}
    heard |= {
        str(s["category"])
        for s in gt.get("offscreen_sources", [])
        if int(s.get("frames_audible", 1)) > 0
    }
    return heard


def load_audible(groundtruth_dir: str | Path, video_ids: Iterable[str]) -> dict[str, set[str]]:
    """{video_id: audible categories} read from ``groundtruth_dir/{video_id}.json``."""
    out = {}
    for v in sorted(set(video_ids)):
        path = Path(groundtruth_dir) / f"{v}.json"
        if not path.exists():
            raise FileNotFoundError(f"no world ground truth for video {v}: {path}")
        out[v] = audible_categories(json.loads(path.read_text()))
    return out


def top_videos(ranked: Sequence[int], frame_videos: Sequence[str], n: int = 30) -> list[str]:
    """The first ``n`` distinct videos of a unit's ranked pool indices."""
    seen: list[str] = []
    for i in ranked:
        v = str(frame_videos[int(i)])
        if v not in seen:
            seen.append(v)
            if len(seen) == n:
                break
    return seen


def unit_sound_counts(
    labels: pd.DataFrame,
    top_indices: np.ndarray,
    frame_videos: Sequence[str],
    audible: Mapping[str, set[str]],
    n_videos: int = 30,
) -> pd.DataFrame:
    """Per detector: unit, category, n_videos (checked), n_audible (object sound heard)."""
    rows = []
    for r in labels[labels.is_detector.astype(bool)].itertuples(index=False):
        videos = top_videos(top_indices[int(r.unit)], frame_videos, n_videos)
        missing = [v for v in videos if v not in audible]
        if missing:
            raise KeyError(f"no audible-category ground truth for videos {missing[:5]}")
        heard = sum(str(r.category) in audible[v] for v in videos)
        rows.append((int(r.unit), str(r.category), len(videos), heard))
    return pd.DataFrame(rows, columns=["unit", "category", "n_videos", "n_audible"])


def _rate(counts: pd.DataFrame) -> float:
    """Pooled sum(n_audible) / sum(n_videos), NaN when there is nothing to count."""
    total = counts.n_videos.sum()
    return float(counts.n_audible.sum() / total) if total else float("nan")


def table1_row(
    labels: pd.DataFrame,
    top_indices: np.ndarray,
    frame_videos: Sequence[str],
    audible: Mapping[str, set[str]],
    sound_categories: Sequence[str] = SOUND_CATEGORIES,
    n_videos: int = 30,
) -> dict[str, float]:
    """Table 1 values of one model.

    ``labels``: one row per unit with unit, category, is_detector (automatic or human labels);
    ``top_indices`` (C, K): each unit's ranked pool indices; ``frame_videos`` (N,): the video of
    every pool frame; ``audible``: {video_id: audible categories} (``load_audible``).
    """
    missing = {"unit", "category", "is_detector"} - set(labels.columns)
    if missing:
        raise ValueError(f"labels table lacks columns {sorted(missing)}")
    counts = unit_sound_counts(labels, top_indices, frame_videos, audible, n_videos)
    sound = set(sound_categories)
    # silent objects have no characteristic sound to hear: their videos count as not audible
    counts.loc[~counts.category.isin(sound), "n_audible"] = 0
    sound_counts = counts[counts.category.isin(sound)]
    return {
        "n_units": int(len(labels)),
        "n_detectors": int(len(counts)),
        "n_sound_detectors": int(len(sound_counts)),
        "videos_with_object_sound": _rate(counts),
        "characteristic_sound_rate": _rate(sound_counts),
        "n_videos_checked": int(counts.n_videos.sum()),
        "n_sound_videos_checked": int(sound_counts.n_videos.sum()),
    }


def build_table1(rows: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Table 1 as a DataFrame, one row per model (TABLE1_COLUMNS)."""
    return pd.DataFrame([{"model": m, **r} for m, r in rows.items()], columns=TABLE1_COLUMNS)
