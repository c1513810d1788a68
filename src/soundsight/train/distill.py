"""Teacher posteriors cached per corpus, and waveform crops matched to them (distillation).

**The teacher cache** (one ``.npz`` per corpus, :func:`write_teacher_cache` /
:func:`read_teacher_cache`): one row per (video, teacher step), rows of a video in time order:

- ``video_id`` (M,) str, ``time_s`` (M,) float64: the video and the centre of the span the
  teacher looked at (file timeline, the tracks' ``t0`` convention);
- one (M, K_head) float32 array per head (e.g. ``object``, ``scene``): the teacher's posterior,
  non-negative, summing to 1 per row.

Any key other than ``video_id`` and ``time_s`` is a head. The steps of a video are
``step_s`` apart (the original SoundNet: teacher frames 5 s apart).

**The dataset** (:class:`PosteriorCrops`): every run of ``steps`` consecutive cached steps of a
video is one item; its waveform crop covers those steps' spans, ``[time_0 - step_s / 2,
time_last + step_s / 2)``, so a 4-step run 5 s apart is the original's 20 s crop. Items are
``(wave (1, N) float32 in [-scale, scale], {head: (K_head, steps) posteriors})``, the
layout :class:`soundsight.train.tasks.DistillationTask` compares with a student's per-step
logits (it aligns the teacher's ``steps`` with the student's output steps).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from soundsight.models.input_spec import WaveformSpec
from soundsight.train.dataset import SampleKey
from soundsight.train.loop import TrainConfig, train
from soundsight.train.pairs import TrackClips
from soundsight.train.targets import read_table
from soundsight.train.tasks import DistillationTask

KEY_COLUMNS = ("video_id", "time_s")


def write_teacher_cache(
    path: str | Path, video_id: list[str], time_s: np.ndarray, heads: Mapping[str, np.ndarray]
) -> Path:
    """Write the cache of one corpus (ValueError on mismatched lengths or a reserved name)."""
    n = len(video_id)
    if len(time_s) != n or any(len(p) != n for p in heads.values()):
        raise ValueError("video_id, time_s and every head need one row per teacher step")
    if set(heads) & set(KEY_COLUMNS) or not heads:
        raise ValueError(f"need at least one head, none named {KEY_COLUMNS}")
    path = Path(path)
    arrays = {h: np.asarray(p, dtype=np.float32) for h, p in heads.items()}
    np.savez(
        path, video_id=np.asarray(video_id, dtype=str), time_s=np.asarray(time_s, np.float64),
        **arrays,
    )  # fmt: skip
    return path


def read_teacher_cache(path: str | Path) -> dict[str, np.ndarray]:
    """``{"video_id", "time_s", head: (M, K) ...}`` from :func:`write_teacher_cache`'s file."""
    with np.load(path, allow_pickle=False) as data:
        cache = {k: data[k] for k in data.files}
    missing = [k for k in KEY_COLUMNS if k not in cache]
    if missing:
        raise ValueError(f"{path} lacks {missing}")
    return cache


def step_runs(video_id: np.ndarray, time_s: np.ndarray, steps: int) -> list[np.ndarray]:
    """Row indices of every run of ``steps`` consecutive (time-ordered) steps of a video."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    _, first, inverse = np.unique(video_id, return_index=True, return_inverse=True)
    video = np.argsort(np.argsort(first))[inverse]  # (M,) videos numbered in first-seen order
    order = np.lexsort((time_s, video))  # by video, then time; stable on ties
    bounds = np.flatnonzero(np.diff(video[order])) + 1
    runs: list[np.ndarray] = []
    for rows in np.split(order, bounds) if len(order) else []:
        runs += [rows[i : i + steps] for i in range(len(rows) - steps + 1)]
    return runs


class PosteriorCrops(Dataset):
    """Waveform crops and the teacher posteriors of their steps (see the module docstring).

    ``videos`` (optional) keeps the items of those videos only (a train or held-out split).
    ``targets``: ``{head: (n, K_head, steps)}`` float32, the loop's held-out baselines.
    """

    def __init__(
        self,
        cache: Mapping[str, np.ndarray],
        clips: TrackClips,
        spec: WaveformSpec,
        steps: int,
        step_s: float,
        videos: set[str] | None = None,
    ) -> None:
        if step_s <= 0:
            raise ValueError(f"step_s must be > 0, got {step_s}")
        vid = np.asarray(cache["video_id"]).astype(str)
        time_s = np.asarray(cache["time_s"], dtype=np.float64)
        self.heads = tuple(k for k in cache if k not in KEY_COLUMNS)
        runs = step_runs(vid, time_s, steps)
        if videos is not None:
            runs = [r for r in runs if vid[r[0]] in videos]
        if not runs:
            raise ValueError(f"no video has {steps} cached teacher steps")
        self.clips, self.spec, self.steps, self.step_s = clips, spec, int(steps), float(step_s)
        self.video_ids = [str(vid[r[0]]) for r in runs]
        self.starts = np.array([time_s[r[0]] - step_s / 2 for r in runs])  # crop starts, s
        rows = np.stack(runs)  # (n, steps) cache rows of every item
        self.targets = {
            h: np.asarray(cache[h], np.float32)[rows].transpose(0, 2, 1) for h in self.heads
        }  # {head: (n, K, steps)}

    @property
    def duration_s(self) -> float:
        """Length of every crop: ``steps * step_s``."""
        return self.steps * self.step_s

    def __len__(self) -> int:
        return len(self.video_ids)

    def __getitem__(self, key: int | SampleKey) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """``(wave (1, N), {head: (K, steps)})``; ``key`` an index or the loop's
        ``(index, epoch, seed)``."""
        i = int(key[0] if isinstance(key, tuple) else key)
        wave = self.clips.clip(
            self.video_ids[i], float(self.starts[i]), self.duration_s, self.spec.sample_rate
        )  # (N,) in [-1, 1]
        x = torch.from_numpy(wave * np.float32(self.spec.scale))[None]  # (1, N)
        return x, {h: torch.from_numpy(t[i]) for h, t in self.targets.items()}

    def describe(self) -> dict[str, Any]:
        """Sizes for logs and metrics: items, steps, crop length, heads and their classes."""
        return {
            "n": len(self), "steps": self.steps, "duration_s": self.duration_s,
            "heads": {h: int(t.shape[1]) for h, t in self.targets.items()},
        }  # fmt: skip


@dataclass(frozen=True)
class DistillConfig:
    """How a student distils the cache: which ``heads`` (both, or one for Table 5's
    single-teacher rows), the ``divergence`` (``kl`` or Table 5's ``l2``), and crops of
    ``steps`` cached steps ``step_s`` apart (the original: 4 steps 5 s apart, 20 s crops)."""

    heads: tuple[str, ...] = ("object", "scene")
    divergence: str = "kl"
    steps: int = 4
    step_s: float = 5.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "heads": list(self.heads)}


def split_videos(split_csv: str | Path) -> dict[str, set[str]]:
    """``{"train": videos, "test": videos}`` of a frame split table (frame_id, video_id, split);
    ValueError when a video has frames on both sides or a side is empty."""
    split = read_table(split_csv, ["frame_id", "video_id", "split"], "split table")
    sides = split.groupby("video_id")["split"].nunique()
    if (sides > 1).any():
        raise ValueError(
            f"videos with frames in both splits: {sides[sides > 1].index[:5].tolist()}"
        )
    out = {s: set(split.loc[split["split"] == s, "video_id"]) for s in ("train", "test")}
    empty = [s for s, v in out.items() if not v]
    if empty:
        raise ValueError(f"{split_csv} has no {empty} videos")
    return out


def train_distillation(
    cache_npz: str | Path,
    split_csv: str | Path,
    tracks_csv: str | Path,
    ingest_dir: str | Path,
    cfg: TrainConfig,
    out_dir: str | Path,
    distill: DistillConfig,
) -> dict[str, Any]:
    """Train ``cfg.model`` (soundnet8 / soundnet5) on the cached teacher posteriors of the train
    videos; held out: the test videos' crops. Head sizes come from the cache."""
    from soundsight.models import build_model, model_input_spec

    cache = read_teacher_cache(cache_npz)
    missing = [h for h in distill.heads if h not in cache]
    if missing:
        raise ValueError(f"{cache_npz} has no teacher head(s) {missing}")
    cache = {k: v for k, v in cache.items() if k in KEY_COLUMNS or k in distill.heads}
    sizes = {"object": 1, "scene": 1} | {h: int(cache[h].shape[1]) for h in distill.heads}
    rate = model_input_spec(cfg.model, **cfg.model_kwargs).sample_rate  # no weights built
    torch.manual_seed(cfg.seed)
    model = build_model(
        cfg.model, num_outputs=sizes["object"], num_scene_outputs=sizes["scene"],
        num_samples=round(distill.steps * distill.step_s * rate), **cfg.model_kwargs,
    )  # fmt: skip
    spec = model.input_spec
    videos = split_videos(split_csv)
    clips = TrackClips(pd.read_csv(tracks_csv, dtype={"video_id": str}), ingest_dir)
    sets = [
        PosteriorCrops(cache, clips, spec, distill.steps, distill.step_s, videos[s])
        for s in ("train", "test")
    ]
    task = DistillationTask(distill.heads, distill.divergence)
    metrics = train(model, sets[0], sets[1], task, cfg, Path(out_dir))
    built = {"num_scene_outputs": sizes["scene"], "num_samples": spec.num_samples}
    return {
        **metrics, "distillation": distill.to_dict(), "crops": sets[0].describe(),
        "num_outputs": sizes["object"], "model_kwargs": built,
    }  # fmt: skip
