"""SoundNet's Table 7 (Aytar et al. §4.3): videos classified from sound, vision, and both.

The paper labels 9,478 videos the networks never saw with 44 categories, trains a multi-class
SVM on 60 % of them and tests on the rest, from SoundNet's conv7 / conv8 features (sound), the
two VGG teachers' fc7 features averaged over 4 frames and concatenated (vision), and both.
On the embedded world:

- **Videos and labels**: the corpus's **held-out** videos (``split == "test"`` of the frame
  split the student and the teachers trained on, :func:`soundsight.train.distill.split_videos`),
  labelled with their scene (the scene teacher's target table ``world_scene``: one label a
  video). They are split 60/40 **per class** (:func:`split_held_out`, seeded): a class needs
  two held-out videos to be on both sides; rarer classes are left out and counted.
- **Sound** (:func:`sound_features`): the student on each video's whole track (ingest's
  tracks, as distillation reads them), tiled circularly to the net's minimum length as the
  probes do; conv7 (C7, T) and conv8 (the two heads' logits concatenated, (K_obj + K_scene, T))
  mean-pooled over time: one vector a video.
- **Vision** (:func:`vision_features`): each teacher's ``fc7`` on the frames at the teacher
  steps (decoded, JPEG-encoded and transformed exactly as for the teacher cache,
  :func:`soundsight.train.teachers.step_frames`), averaged over a video's frames; the teachers'
  vectors concatenated in head order.
- **Both**: sound ⊕ vision, each block z-scored with the training part's statistics.
- **Classifier** (:func:`evaluate`): one-vs-rest linear SVM (``LinearSVC``, through
  :func:`soundsight.probes.clips.train_clip_probe` with one row per video), its cost chosen
  from a small grid by k-fold CV on the training part (one cost: fixed); accuracy on the test
  part. Baselines: the training part's most common class, and chance (1 / classes).

The per-video results come in the clip-probe ``.npz`` format the audit reads
(``correct_<bench>_f1``, ``clip_ids_<bench>_f1``) for the benches of :data:`BENCHES`.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from soundsight.probes.clips import (
    ClipProbeResult,
    ZScore,
    clips_npz_arrays,
    train_clip_probe,
)
from soundsight.probes.waveform import layer_windows
from soundsight.train.distill import split_videos
from soundsight.train.pairs import TrackClips
from soundsight.train.targets import read_table
from soundsight.train.teachers import frame_batches, step_frames

log = logging.getLogger(__name__)

SOUND_LAYERS: dict[str, tuple[str, ...]] = {
    "conv7": ("conv7",),
    "conv8": ("conv8.object", "conv8.scene"),  # the two heads, concatenated
}
FEATURES = ("conv7", "conv8", "vision")
BENCHES = (
    "t7_sound_conv7",
    "t7_sound_conv8",
    "t7_vision",
    "t7_both_conv7",
    "t7_both_conv8",
    "t7_majority",
)
MIN_PER_CLASS = 2  # one training and one test video


@dataclass(frozen=True)
class Table7Config:
    """The ``soundnet.table7`` config: the test share, the SVM cost grid, its CV folds and the
    teachers' layer."""

    test_fraction: float = 0.4
    costs: tuple[float, ...] = (0.001, 0.01, 0.1, 1.0)
    cv_folds: int = 3
    vision_layer: str = "fc7"

    def __post_init__(self) -> None:
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError(f"soundnet.table7.test_fraction must be in (0, 1), got {self}")
        if not self.costs or min(self.costs) <= 0:
            raise ValueError(f"soundnet.table7.costs must be positive numbers, got {self.costs}")
        if self.cv_folds < 2:
            raise ValueError(f"soundnet.table7.cv_folds must be >= 2, got {self.cv_folds}")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Table7Config:
        """From the ``soundnet.table7`` mapping (missing keys: the defaults)."""
        kw = dict(section)
        if "costs" in kw:
            kw["costs"] = tuple(float(c) for c in kw["costs"])
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "costs": list(self.costs)}


# ------------------------------------------------------------------------------------------------
# videos, labels and features
# ------------------------------------------------------------------------------------------------


def held_out_videos(split_csv: str | Path, scene_csv: str | Path) -> pd.DataFrame:
    """``video_id, label`` (sorted by video) of the held-out videos of the frame split, with
    their scene from the ``world_scene`` table; ValueError naming videos without one label."""
    test = split_videos(split_csv)["test"]
    scene = read_table(scene_csv, ["frame_id", "video_id", "label"], "scene label table")
    scene = scene[scene["video_id"].isin(test)]
    labels = scene.groupby("video_id")["label"].agg(["nunique", "first"])
    mixed = labels.index[labels["nunique"] > 1].tolist()
    if mixed:
        raise ValueError(f"{scene_csv}: videos with frames of several scenes: {mixed[:5]}")
    missing = sorted(test - set(labels.index))
    if missing:
        raise ValueError(f"{scene_csv}: held-out videos without a scene label: {missing[:5]}")
    out = labels["first"].astype(int).rename("label").reset_index()
    return out.sort_values("video_id", ignore_index=True)


def sound_features(
    model: nn.Module,
    clips: TrackClips,
    tracks: pd.DataFrame,
    video_ids: Sequence[str],
    device: str = "cpu",
) -> dict[str, np.ndarray]:
    """``{"conv7": (N, C7), "conv8": (N, K_obj + K_scene)}``: each video's whole track through
    the student (tiled to its minimum length), every layer mean-pooled over time."""
    rows = tracks.drop_duplicates("video_id").set_index(tracks["video_id"].astype(str))
    missing = [v for v in video_ids if v not in rows.index]
    if missing:
        raise ValueError(f"{len(missing)} video(s) have no ingested track, e.g. {missing[:3]}")
    rate = model.input_spec.sample_rate
    waves = [
        clips.clip(v, float(rows.loc[v, "t0_s"]), float(rows.loc[v, "duration_s"]), rate)
        for v in video_ids
    ]  # (n_i,) in [-1, 1]
    names = [n for layers in SOUND_LAYERS.values() for n in layers]
    windows = layer_windows(model, waves, names, device, min_seconds=0.0)  # {layer: [(T, C)]}
    pooled = {n: np.stack([w.mean(axis=0) for w in windows[n]]) for n in names}  # (N, C)
    return {
        key: np.concatenate([pooled[n] for n in layers], axis=1)
        for key, layers in SOUND_LAYERS.items()
    }


@torch.no_grad()
def frame_layer(
    model: nn.Module, jpgs: list[Path], layer: str, batch_size: int, device: str
) -> np.ndarray:
    """(M, D) float32: ``layer`` of ``model`` on each frame (its eval transform), flattened."""
    out = []
    for x in frame_batches(model, jpgs, batch_size, device):  # (B, 3, S, S)
        got = model.forward_intermediates(x, [layer])
        if layer not in got:
            raise KeyError(f"{type(model).__name__}.forward_intermediates gave no {layer!r}")
        out.append(got[layer].flatten(1).float().cpu().numpy())  # (B, D)
    return np.concatenate(out)


def video_means(values: np.ndarray, video_id: Sequence[str], order: Sequence[str]) -> np.ndarray:
    """(len(order), D): the mean of the rows of each video of ``order``."""
    vid = np.asarray(video_id).astype(str)
    return np.stack([values[vid == v].mean(axis=0) for v in order])


def vision_features(
    teachers: Mapping[str, nn.Module],
    videos: pd.DataFrame,
    tracks: pd.DataFrame,
    step_s: float,
    short_side: int,
    layer: str = "fc7",
    jpeg_quality: int = 90,
    batch_size: int = 32,
    device: str = "cpu",
) -> tuple[list[str], np.ndarray, pd.DataFrame, dict[str, int]]:
    """The teachers' ``layer`` on every track's teacher-step frames, averaged per video and
    concatenated over teachers: (videos with frames, (N, sum D_h), rejects, {head: D_h})."""
    if not teachers:
        raise ValueError("need at least one teacher (soundnet.teachers)")
    with tempfile.TemporaryDirectory(prefix="table7-frames-") as tmp:
        frames = step_frames(videos, tracks, step_s, short_side, Path(tmp), jpeg_quality)
        kept = list(dict.fromkeys(frames.video_id))
        blocks = {
            h: video_means(frame_layer(m, frames.jpgs, layer, batch_size, device),
                           frames.video_id, kept)
            for h, m in teachers.items()
        }  # fmt: skip  # {head: (N, D_h)}
    dims = {h: int(b.shape[1]) for h, b in blocks.items()}
    return kept, np.concatenate(list(blocks.values()), axis=1), frames.rejects, dims


def multimodal_features(
    student: nn.Module,
    teachers: Mapping[str, nn.Module],
    held_out: pd.DataFrame,
    tracks: pd.DataFrame,
    videos: pd.DataFrame,
    ingest_dir: str | Path,
    step_s: float,
    short_side: int,
    cfg: Table7Config,
    jpeg_quality: int = 90,
    batch_size: int = 32,
    device: str = "cpu",
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The features ``.npz`` arrays (``video_id``, ``label``, conv7, conv8, vision; one row per
    held-out video with frames) and the counts (held out, rejected, kept, dims)."""
    tracks = tracks.assign(video_id=tracks["video_id"].astype(str))
    held = tracks[tracks["video_id"].isin(set(held_out["video_id"]))]
    kept, vision, rejects, dims = vision_features(
        teachers, videos, held, step_s, short_side, cfg.vision_layer, jpeg_quality,
        batch_size, device,
    )  # fmt: skip
    sound = sound_features(student, TrackClips(tracks, ingest_dir), tracks, kept, device)
    label = held_out.set_index("video_id").loc[kept, "label"].to_numpy(np.int64)  # (N,)
    arrays = {"video_id": np.asarray(kept, dtype=str), "label": label, **sound, "vision": vision}
    counts = {
        "n_held_out": len(held_out), "n_without_track": len(held_out) - len(held),
        "n_rejected": len(rejects), "rejected": rejects.to_dict("records"), "n_videos": len(kept),
        "dims": {k: int(arrays[k].shape[1]) for k in FEATURES}, "vision_dims": dims,
    }  # fmt: skip
    log.info("table 7 features: %s", {k: counts[k] for k in ("n_held_out", "n_videos", "dims")})
    return arrays, counts


# ------------------------------------------------------------------------------------------------
# split and classifiers
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A per-class split of the videos: masks (N,) and the classes left out (too rare)."""

    train: np.ndarray  # (N,) bool
    test: np.ndarray  # (N,) bool
    dropped: dict[int, int]  # class -> held-out videos, fewer than MIN_PER_CLASS


def split_held_out(labels: np.ndarray, test_fraction: float, seed: int) -> Split:
    """Stratified split: each class with n >= 2 videos puts ``round(test_fraction * n)`` of
    them (at least 1, at most n - 1), drawn with ``seed``, on the test side.

    Per class rather than sklearn's ``train_test_split(stratify=...)``, which refuses sets with
    fewer test items than classes; here every kept class is on both sides at any size."""
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = np.zeros(len(y), bool), np.zeros(len(y), bool)
    dropped: dict[int, int] = {}
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if len(idx) < MIN_PER_CLASS:
            dropped[int(c)] = len(idx)
            continue
        n_test = min(max(round(test_fraction * len(idx)), 1), len(idx) - 1)
        idx = rng.permutation(idx)
        test[idx[:n_test]], train[idx[n_test:]] = True, True
    return Split(train, test, dropped)


def zscore_blocks(blocks: Sequence[np.ndarray], train: np.ndarray) -> np.ndarray:
    """(N, sum D): every (N, D_b) block z-scored with its training rows' statistics, side by
    side."""
    return np.concatenate([ZScore.fit(b[train])(b) for b in blocks], axis=1)


def bench_inputs(features: Mapping[str, np.ndarray], train: np.ndarray) -> dict[str, np.ndarray]:
    """The (N, D) input of every SVM bench: sound conv7 / conv8, vision, both."""
    missing = [k for k in FEATURES if k not in features]
    if missing:
        raise ValueError(f"table 7 features lack {missing}; have {list(features)}")
    sound7, sound8, vision = (np.asarray(features[k], np.float64) for k in FEATURES)
    return {
        "t7_sound_conv7": sound7,
        "t7_sound_conv8": sound8,
        "t7_vision": vision,
        "t7_both_conv7": zscore_blocks([sound7, vision], train),
        "t7_both_conv8": zscore_blocks([sound8, vision], train),
    }


def majority_result(
    y_train: np.ndarray, y_test: np.ndarray, test_ids: np.ndarray
) -> ClipProbeResult:
    """Every test video called the training part's most common class (ties: the lowest)."""
    classes, counts = np.unique(y_train, return_counts=True)
    scores = np.zeros((len(y_test), len(classes)))
    scores[:, int(np.argmax(counts))] = 1.0  # (C, K) one-hot
    return ClipProbeResult(test_ids, classes, scores, y_test, math.nan)


def evaluate(
    features: Mapping[str, np.ndarray],
    video_id: Sequence[str],
    labels: Sequence[int],
    cfg: Table7Config,
    seed: int,
    class_names: Sequence[str] | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Every bench's accuracy (fraction) on the test part, the counts, and the clip-probe
    ``.npz`` arrays. With fewer than two classes on both sides no SVM runs: accuracies NaN,
    ``status`` says why."""
    ids, y = np.asarray(video_id).astype(str), np.asarray(labels, dtype=np.int64)
    if len(ids) != len(y) or any(len(features[k]) != len(y) for k in FEATURES if k in features):
        raise ValueError("table 7 needs one video id, label and feature row per video")
    split = split_held_out(y, cfg.test_fraction, seed)
    name = (lambda c: str(class_names[c])) if class_names is not None else str
    kept = np.unique(y[split.train])
    summary: dict[str, Any] = {
        "n_videos": len(y), "n_train": int(split.train.sum()), "n_test": int(split.test.sum()),
        "n_classes": len(kept), "chance": 1.0 / len(kept) if len(kept) else math.nan,
        "classes": {name(c): {"train": int((y[split.train] == c).sum()),
                              "test": int((y[split.test] == c).sum())} for c in kept},
        "dropped_classes": {name(c): n for c, n in split.dropped.items()},
        "settings": cfg.to_dict(), "seed": seed, "benches": {},
    }  # fmt: skip
    if len(kept) < 2:
        summary["status"] = (
            f"too few held-out videos: {len(kept)} class(es) with >= {MIN_PER_CLASS} videos "
            f"({len(y)} videos); no classifier trained"
        )
        summary["benches"] = {b: {"accuracy": math.nan} for b in BENCHES}
        log.warning("table 7: %s", summary["status"])
        return summary, {}
    summary["status"] = "ok"
    tr, te = split.train, split.test
    results: dict[str, ClipProbeResult] = {}
    dims = {"t7_majority": 0}
    for bench, X in bench_inputs(features, tr).items():
        dims[bench] = int(X.shape[1])
        grid = list(cfg.costs) if len(cfg.costs) > 1 else None
        results[bench] = train_clip_probe(
            X[tr], ids[tr], y[tr], X[te], ids[te], y[te], cfg.costs[0], grid, seed, cfg.cv_folds
        )
    results["t7_majority"] = majority_result(y[tr], y[te], ids[te])
    arrays: dict[str, np.ndarray] = {}
    for bench, res in results.items():
        summary["benches"][bench] = {
            "accuracy": res.accuracy,
            "cost": None if math.isnan(res.cost) else res.cost,  # None: no SVM (majority)
            "n_test": len(res.labels),
            "dim": dims[bench],
        }
        arrays |= clips_npz_arrays(bench, [res])
    log.info("table 7: %s", {b: round(v["accuracy"], 3) for b, v in summary["benches"].items()})
    return summary, arrays
