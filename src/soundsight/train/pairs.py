"""Audio-visual correspondence pairs: balanced positives and negatives, with or without the
shortcut prevention of *Objects that Sound* (§3.3).

A set of ``n`` frames gives ``2 n`` pairs: item ``2 j`` is the **positive** of frame ``j`` (its
own video's audio), item ``2 j + 1`` its **negative** (1 s from another video of the same set,
chosen uniformly: no label is used to choose negatives). Targets: 1 = corresponds, 0 = not.
Every pair is a function of its sample key ``(index, epoch, seed)`` only (its own generator,
never the global RNG): training draws new audio every epoch, a held-out set (keys
``(index, 0, 0)``) is the same fixed, balanced set of pairs at every evaluation.

With ``t`` the frame's presentation time and ``[lo, hi]`` the starts at which 1 s fits inside
the track (``t0_s .. t0_s + duration_s - 1``), the audio window ``[s, s + 1)`` is:

- ``shortcut_prevention`` **on** (L3-Net's sampling + Objects that Sound's fix): every start,
  positive and negative, lies on the frame grid ``k / fps`` of the file timeline. A positive's
  window is misaligned from the frame at random: its mid-point ``s + 0.5`` lies within
  ``max_misalign_s`` (at most 0.5 s, the default, so the window always contains the frame: L3's
  "random 1 s that overlaps the frame"; its start is up to 1 s before the frame) of ``t``, drawn
  uniformly among the grid starts there; a negative's start is uniform over the grid starts of
  the other track.
- **off** (the naive sampler that lets the network cheat): a positive has the frame at its
  mid-point (``s = t - 0.5``, no misalignment), a negative's start is uniform (continuous) over
  ``[lo, hi]``, so only positives keep a fixed phase relative to the frame grid.

Near a track's edges a positive's start is clamped into ``[lo, hi]`` (then snapped to the grid
inside it when prevention is on). Training pairs get a random gain in ``[1 - gain, 1 + gain]``
(L3: "up to 10%", consistently over the clip); held-out pairs keep gain 1.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from soundsight.audio.spectrogram import SpectrogramFrontEnd
from soundsight.data.tracks import ShardTracks
from soundsight.models.input_spec import ImageSpec, InputSpec
from soundsight.train.dataset import FrameDataset, SampleKey, sample_key

PAIR_STREAM = 0xA7C  # separates the pair draws from the image augmentation of the same key
_EPS = 1e-9


@dataclass(frozen=True)
class PairConfig:
    """How pairs are drawn (see the module docstring)."""

    shortcut_prevention: bool = True
    fps: float = 25.0
    max_misalign_s: float = 0.5
    gain: float = 0.1
    clip_s: float = 1.0

    def __post_init__(self) -> None:
        if self.fps <= 0 or self.clip_s <= 0:
            raise ValueError(f"PairConfig needs fps > 0 and clip_s > 0, got {self}")
        if not 0 <= self.max_misalign_s <= self.clip_s / 2:
            raise ValueError(
                f"max_misalign_s must be in [0, clip_s / 2] = [0, {self.clip_s / 2}] so that a "
                f"positive's audio overlaps its frame, got {self.max_misalign_s}"
            )
        if not 0 <= self.gain < 1:
            raise ValueError(f"gain must be in [0, 1), got {self.gain}")

    def to_dict(self) -> dict[str, float | bool]:
        return asdict(self)


@dataclass(frozen=True)
class Pair:
    """One pair: frame ``frame`` of the set, audio of ``audio_video`` from ``start_s``."""

    frame: int
    label: int  # 1 = corresponds (positive), 0 = not
    audio_video: str
    start_s: float
    gain: float


class PairSampler:
    """Pairs for a set of frames and the tracks of their videos.

    ``frames``: one row per frame with ``video_id`` and ``frame_time_s`` (or ``time_s``);
    ``tracks``: one row per video with ``video_id``, ``t0_s`` and ``duration_s`` (tracks.csv).
    """

    def __init__(self, frames: pd.DataFrame, tracks: pd.DataFrame, cfg: PairConfig) -> None:
        self.cfg = cfg
        self.video = frames["video_id"].astype(str).to_numpy()
        self.time = frame_times(frames)  # (n,) s
        bounds = tracks.drop_duplicates("video_id").set_index(tracks["video_id"].astype(str))
        missing = sorted(set(self.video) - set(bounds.index))
        if missing:
            raise ValueError(f"{len(missing)} video(s) have no track, e.g. {missing[:3]}")
        self.videos = sorted(set(self.video))
        if len(self.videos) < 2:
            raise ValueError("negatives need frames of at least two videos")
        t0 = bounds["t0_s"].astype(float)
        self.lo = {v: float(t0[v]) for v in self.videos}
        self.hi = {v: float(t0[v] + bounds.loc[v, "duration_s"] - cfg.clip_s) for v in self.videos}
        short = [v for v in self.videos if self.hi[v] < self.lo[v] - _EPS]
        if short:
            raise ValueError(f"tracks shorter than {cfg.clip_s} s: {short[:3]}")
        self._video_index = {v: i for i, v in enumerate(self.videos)}

    def __len__(self) -> int:
        return 2 * len(self.video)

    @property
    def targets(self) -> np.ndarray:
        """(2n,) int64: 1, 0, 1, 0, ... (positive, negative of each frame)."""
        return np.tile(np.array([1, 0], dtype=np.int64), len(self.video))

    def pair(self, key: int | SampleKey, augment: bool = False) -> Pair:
        """The pair of sample ``key`` (a function of the key alone)."""
        index, epoch, seed = sample_key(key)
        if not 0 <= index < len(self):
            raise IndexError(f"pair {index} outside [0, {len(self)})")
        rng = np.random.default_rng([seed, epoch, index, PAIR_STREAM])
        frame, positive = index // 2, index % 2 == 0
        if positive:
            video = self.video[frame]
            start = self._positive_start(video, float(self.time[frame]), rng)
        else:
            video = self._other_video(self.video[frame], rng)
            start = self._negative_start(video, rng)
        g = self.cfg.gain
        gain = float(rng.uniform(1 - g, 1 + g)) if augment and g > 0 else 1.0
        return Pair(frame, int(positive), video, start, gain)

    def table(self, epoch: int = 0, seed: int = 0, augment: bool = False) -> pd.DataFrame:
        """Every pair of one epoch: frame, label, video_id, audio_video, start_s, gain."""
        rows = [self.pair((i, epoch, seed), augment) for i in range(len(self))]
        table = pd.DataFrame([asdict(p) for p in rows])
        table.insert(2, "video_id", self.video[table["frame"].to_numpy()])
        table["frame_time_s"] = self.time[table["frame"].to_numpy()]
        return table

    # --- draws ---------------------------------------------------------------------------------
    def _other_video(self, own: str, rng: np.random.Generator) -> str:
        """A uniformly drawn video other than ``own``."""
        j = int(rng.integers(len(self.videos) - 1))
        return self.videos[j + (j >= self._video_index[own])]

    def _grid(self, lo: float, hi: float) -> tuple[int, int]:
        """First and last k with k / fps in [lo, hi] (kmin > kmax: none)."""
        fps = self.cfg.fps
        return math.ceil(lo * fps - _EPS), math.floor(hi * fps + _EPS)

    def _grid_draw(self, video: str, lo: float, hi: float, rng: np.random.Generator) -> float:
        """A uniform grid start in [lo, hi] ∩ the track's starts, else the nearest inside it."""
        lo_v, hi_v = self.lo[video], self.hi[video]
        kmin, kmax = self._grid(max(lo, lo_v), min(hi, hi_v))
        if kmin > kmax:  # no grid start in the wanted interval: the nearest valid one
            tmin, tmax = self._grid(lo_v, hi_v)
            if tmin > tmax:
                raise ValueError(f"track of {video!r} has no frame-aligned 1 s window")
            target = min(max((lo + hi) / 2 * self.cfg.fps, tmin), tmax)
            return round(target) / self.cfg.fps
        return int(rng.integers(kmin, kmax + 1)) / self.cfg.fps

    def _positive_start(self, video: str, t: float, rng: np.random.Generator) -> float:
        half = self.cfg.clip_s / 2
        if not self.cfg.shortcut_prevention:  # naive: the frame at the mid-point
            return min(max(t - half, self.lo[video]), self.hi[video])
        m = self.cfg.max_misalign_s
        return self._grid_draw(video, t - half - m, t - half + m, rng)

    def _negative_start(self, video: str, rng: np.random.Generator) -> float:
        lo, hi = self.lo[video], self.hi[video]
        if self.cfg.shortcut_prevention:
            return self._grid_draw(video, lo, hi, rng)
        return float(rng.uniform(lo, hi))


def frame_times(frames: pd.DataFrame) -> np.ndarray:
    """(n,) presentation time of each frame: ``frame_time_s``, else ``time_s`` where missing."""
    if "time_s" not in frames and "frame_time_s" not in frames:
        raise ValueError(f"frames need a frame_time_s or time_s column, have {list(frames)}")

    def column(name: str) -> np.ndarray:  # '' (a CSV's empty cell) counts as missing
        return pd.to_numeric(frames[name], errors="coerce").to_numpy(float)

    base = column("time_s") if "time_s" in frames else None
    if "frame_time_s" not in frames:
        return base  # type: ignore[return-value]
    t = column("frame_time_s")
    times = t if base is None else np.where(np.isfinite(t), t, base)
    if not np.isfinite(times).all():
        raise ValueError(f"{int((~np.isfinite(times)).sum())} frame(s) have no time")
    return times


class TrackClips:
    """Clips of the whole tracks of several shards: ``clip(video, start_s, duration_s, rate)``.

    ``tracks``: the merged tracks.csv (``video_id``, ``shard_dir``) and ``ingest_dir`` its folder.
    """

    def __init__(self, tracks: pd.DataFrame, ingest_dir: str | Path) -> None:
        self.ingest_dir = Path(ingest_dir)
        self.shard_of = dict(
            zip(tracks["video_id"].astype(str), tracks["shard_dir"].astype(str), strict=True)
        )
        self._shards: dict[str, ShardTracks] = {}

    def clip(self, video: str, start_s: float, duration_s: float, rate: int) -> np.ndarray:
        """(round(duration_s * rate),) float32 samples."""
        shard = self.shard_of[video]
        if shard not in self._shards:  # memory-mapped, opened once per process
            self._shards[shard] = ShardTracks(self.ingest_dir / shard)
        return self._shards[shard].clip(video, start_s, duration_s, rate)

    def __getstate__(self) -> dict:  # loader workers open their own memory maps
        return {**self.__dict__, "_shards": {}}


class CorrespondenceDataset(Dataset):
    """Balanced audio-visual pairs as model inputs: items ``({"image": (3, S, S), "audio":
    (1, F, T)}, target)``; :meth:`batch` builds ``({"image": (B, 3, S, S), "audio":
    (B, 1, F, T)}, (B,) int64)`` at once (one batched STFT).

    Images are cropped and normalised as ``spec["image"]`` says (random crop + flip when
    ``train``, the centre crop otherwise); audio is ``clip_s`` at the spectrogram's rate, times
    the pair's gain, through ``front_end``.
    """

    builds_batches = True  # the training loop and predict() build batches with .batch(keys)

    def __init__(
        self,
        image_paths: list[Path],
        sampler: PairSampler,
        clips: TrackClips,
        spec: dict[str, InputSpec],
        front_end: SpectrogramFrontEnd,
        train: bool,
    ) -> None:
        if len(image_paths) * 2 != len(sampler):
            raise ValueError(f"{len(image_paths)} frames for a sampler of {len(sampler)} pairs")
        image = spec["image"]
        if not isinstance(image, ImageSpec):
            raise ValueError(f"the image stream needs an ImageSpec, got {image!r}")
        self.images = FrameDataset(image_paths, np.zeros(len(image_paths), np.int64), image, train)
        self.sampler, self.clips, self.front_end = sampler, clips, front_end
        self.audio_spec = spec["audio"]
        self.train = bool(train)
        self.targets = sampler.targets  # (2n,) int64

    def __len__(self) -> int:
        return len(self.sampler)

    def __getitem__(self, key: int | SampleKey) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        x, y = self.batch([key])
        return {k: v[0] for k, v in x.items()}, y[0]

    def batch(self, keys: list[int | SampleKey]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        keys = [sample_key(k) for k in keys]
        # a frame's positive (2j) and negative (2j + 1) get their own crop streams
        image_keys = [(i // 2, e, 2 * s + i % 2) for i, e, s in keys]
        images, _ = self.images.batch(image_keys)  # (B, 3, S, S)
        rate = self.front_end.sample_rate
        waves = np.empty((len(keys), round(self.sampler.cfg.clip_s * rate)), np.float32)
        for j, key in enumerate(keys):
            p = self.sampler.pair(key, augment=self.train)
            waves[j] = self.clips.clip(p.audio_video, p.start_s, self.sampler.cfg.clip_s, rate)
            waves[j] *= p.gain
        audio = self.front_end(torch.from_numpy(waves))  # (B, 1, F, T)
        self.audio_spec.check(audio, "audio")
        y = torch.from_numpy(self.targets[[k[0] for k in keys]])  # (B,) int64
        return {"image": images, "audio": audio}, y


__all__ = [
    "CorrespondenceDataset",
    "Pair",
    "PairConfig",
    "PairSampler",
    "TrackClips",
    "frame_times",
]
