"""The workflow's audio-visual correspondence settings, and its per-pair held-out results.

- :func:`pair_config`: the :class:`~soundsight.train.pairs.PairConfig` of one model from the
  config's ``avc.pairs`` section and the model sheet's ``pairs`` column (``aligned``: shortcut
  prevention on; ``naive``: off);
- (the ``avc`` settings that replace ``pretext``'s are :func:`soundsight.config.avc_overrides`,
  torch-free because the DAG build reads them);
- :func:`avc_pairs` / :func:`write_avc_pairs`: a trained model's ``heldout.npz`` (per held-out
  pair, in the held-out set's order) as the ``avc.npz`` the ``avc_accuracy`` audit metric reads
  (``pair_ids`` ``<frame_id>:pos`` / ``<frame_id>:neg``, ``correct``, ``label``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from soundsight.train.pairs import PairConfig

SAMPLERS = {"aligned": True, "naive": False}  # the sheet's `pairs` -> shortcut prevention
POSITIVE, NEGATIVE = "pos", "neg"


def pair_config(pairs: Mapping[str, Any], sampler: str, world_fps: float | None) -> PairConfig:
    """The pair settings of a model drawn with ``sampler`` (``aligned`` / ``naive``).

    ``pairs`` is the config's ``avc.pairs`` (``fps`` null: ``world_fps``, the rendered world's
    frame rate; a corpus off the world has no such default)."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown pair sampler {sampler!r}; expected one of {list(SAMPLERS)}")
    fps = pairs.get("fps")
    if fps is None:
        if world_fps is None:
            raise ValueError(
                "config key `avc.pairs.fps` is null and the corpus is not the rendered world: "
                "set the videos' frame rate"
            )
        fps = world_fps
    return PairConfig(
        shortcut_prevention=SAMPLERS[sampler],
        fps=float(fps),
        max_misalign_s=float(pairs.get("max_misalign_s", PairConfig.max_misalign_s)),
        gain=float(pairs.get("gain", PairConfig.gain)),
    )


def heldout_pair_ids(split_csv: str | Path) -> np.ndarray:
    """(2 n,) ids of the held-out pairs of a split table: for each test frame in table order,
    ``<frame_id>:pos`` then ``<frame_id>:neg`` (:class:`~soundsight.train.pairs.PairSampler`'s
    item order: ``2 j`` the positive of frame ``j``, ``2 j + 1`` its negative)."""
    split = pd.read_csv(split_csv, dtype={"frame_id": str}, keep_default_na=False)
    missing = {"frame_id", "split"} - set(split.columns)
    if missing:
        raise ValueError(f"split table {split_csv} lacks column(s) {sorted(missing)}")
    ids = split.loc[split["split"] == "test", "frame_id"].to_numpy(dtype=str)
    return np.stack([np.char.add(ids, f":{POSITIVE}"), np.char.add(ids, f":{NEGATIVE}")], 1).ravel()


def avc_pairs(heldout: Mapping[str, np.ndarray], split_csv: str | Path) -> dict[str, np.ndarray]:
    """Per-pair ``pair_ids``, ``correct`` (bool) and ``label`` (1 = corresponds) of a model's
    held-out results (``score``: 1 where the pair was answered right)."""
    if "score" not in heldout:
        raise ValueError(f"held-out results lack `score`; have {sorted(heldout)}")
    score = np.asarray(heldout["score"]).ravel()  # (2 n,) 1 = right
    ids = heldout_pair_ids(split_csv)
    if len(score) != len(ids):
        raise ValueError(
            f"{len(score)} held-out pairs but {split_csv} gives {len(ids)} (2 per test frame): "
            "not this model's split"
        )
    label = np.tile(np.array([1, 0], dtype=np.int64), len(ids) // 2)
    return {"pair_ids": ids, "correct": score > 0.5, "label": label}


def write_avc_pairs(heldout_npz: str | Path, split_csv: str | Path, out_npz: str | Path) -> float:
    """Write :func:`avc_pairs` of ``heldout_npz`` to ``out_npz``; returns the AVC accuracy."""
    with np.load(heldout_npz, allow_pickle=False) as data:
        pairs = avc_pairs({k: data[k] for k in data.files}, split_csv)
    Path(out_npz).parent.mkdir(parents=True, exist_ok=True)
    np.savez(out_npz, **pairs)
    return float(pairs["correct"].mean())
