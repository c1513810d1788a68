"""Visual teachers' posteriors at fixed steps through every video (SoundNet, Aytar et al. §3.2).

The original runs ImageNet and Places networks on frames 5 s apart and distils their class
posteriors into the sound network. Here the teachers are any trained image models of the
registry (the world's supervised ``object`` and ``scene`` models stand for ImageNet / Places);
each video's frames are decoded at its teacher steps, **once**, and the posteriors cached
(:func:`soundsight.train.distill.write_teacher_cache`), so training never reruns a teacher.

- **Steps**: for a track of ``duration_s`` starting at ``t0_s`` (the ingest's ``tracks.csv``),
  ``floor(duration_s / step_s)`` steps centred at ``t0_s + (i + 1/2) step_s``; a video shorter
  than one step has none and is listed as a reject with that reason (accepted + rejected =
  tracks).
- **Frames**: the decoded frame nearest each step, short side resized as ingest resizes its
  frames, then JPEG-encoded at ingest's quality and read back through the teacher's own eval
  transform (:class:`soundsight.train.dataset.FrameDataset`): the teacher sees frames exactly
  as it saw its held-out frames.
- **Posterior**: the softmax of the teacher's logits (the original's softmax outputs). The
  world's object teacher was trained multi-label (its sigmoids need not sum to 1); the softmax
  of its logits is the distribution over objects the student learns, as the ImageNet teacher's
  softmax is.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm import tqdm

from soundsight.data.decode import VideoRejectedError, decode_frames_at
from soundsight.train.dataset import FrameDataset

log = logging.getLogger(__name__)


def load_teachers(
    models: Mapping[str, str],
    weights: Sequence[str | Path],
    local: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, nn.Module]:
    """``{head: teacher}`` in eval mode: ``models`` is ``{head: model name}`` and ``weights``
    their files in the same order. A name in ``local`` (``soundnet.local_teachers``) is the
    user's own weights of a registered architecture (:func:`soundsight.models.spec.load_local`);
    any other is a model this DAG trained (``model.pt`` beside its ``model.json``)."""
    from soundsight.models.spec import load_local, load_trained

    if len(models) != len(weights):
        raise ValueError(f"{len(models)} teachers {dict(models)} but {len(weights)} weight files")
    local = local or {}
    teachers = {}
    for (head, name), path in zip(models.items(), weights, strict=True):
        entry = local.get(name)
        teachers[head] = load_local(**entry) if entry else load_trained(path)
    return teachers


def step_times(t0_s: float, duration_s: float, step_s: float) -> np.ndarray:
    """Centres (n,) of the ``floor(duration_s / step_s)`` whole steps of a track, s."""
    if step_s <= 0:
        raise ValueError(f"step_s must be > 0, got {step_s}")
    n = max(int(math.floor(duration_s / step_s + 1e-9)), 0)
    return t0_s + step_s * (np.arange(n) + 0.5)


@dataclass
class TeacherOutputs:
    """Cache rows (one per video step) and the videos that gave none, with a reason."""

    video_id: list[str]
    time_s: np.ndarray  # (M,)
    heads: dict[str, np.ndarray]  # {head: (M, K_head)} posteriors
    rejects: pd.DataFrame  # video_id, reason


def teacher_posteriors(
    videos: pd.DataFrame,
    tracks: pd.DataFrame,
    teachers: Mapping[str, nn.Module],
    step_s: float,
    short_side: int,
    batch_size: int = 32,
    device: str = "cpu",
    jpeg_quality: int = 90,
) -> TeacherOutputs:
    """Posteriors of every teacher (``{head: model}``) at the steps of every track.

    ``videos``: ``video_id, path`` (the corpus's video list); ``tracks``: ``video_id, t0_s,
    duration_s`` (ingest's tracks.csv: the videos that were ingested, in order);
    ``jpeg_quality``: ingest's (``ingest.jpeg_quality``), so teachers see frames as trained."""
    if not teachers:
        raise ValueError("need at least one teacher")
    with tempfile.TemporaryDirectory(prefix="teacher-frames-") as tmp:
        frames = step_frames(videos, tracks, step_s, short_side, Path(tmp), jpeg_quality)
        heads = {h: _posteriors(m, frames.jpgs, batch_size, device) for h, m in teachers.items()}
    log.info(
        "teachers %s: %d steps of %d videos, %d videos rejected",
        list(teachers), len(frames.jpgs), len(tracks) - len(frames.rejects), len(frames.rejects),
    )  # fmt: skip
    return TeacherOutputs(frames.video_id, frames.time_s, heads, frames.rejects)


@dataclass
class StepFrames:
    """The frames at every track's teacher steps, as JPEGs, and the videos that gave none."""

    video_id: list[str]  # (M,) one per frame, a video's frames in time order
    time_s: np.ndarray  # (M,) the steps' centres
    jpgs: list[Path]  # (M,)
    rejects: pd.DataFrame  # video_id, reason


def step_frames(
    videos: pd.DataFrame,
    tracks: pd.DataFrame,
    step_s: float,
    short_side: int,
    folder: Path,
    jpeg_quality: int = 90,
) -> StepFrames:
    """Decode the frame nearest each teacher step of every track (``videos``/``tracks`` as for
    :func:`teacher_posteriors`) and save it in ``folder`` as ingest saves its frames."""
    paths = dict(zip(videos["video_id"].astype(str), videos["path"].astype(str), strict=True))
    missing = sorted(set(tracks["video_id"].astype(str)) - set(paths))
    if missing:
        raise ValueError(f"{len(missing)} ingested video(s) not in the video list: {missing[:5]}")
    rows: list[tuple[str, float]] = []
    jpgs: list[Path] = []
    rejects: list[dict[str, str]] = []
    for t in tqdm(tracks.itertuples(), total=len(tracks), desc="teacher frames", unit="video"):
        vid = str(t.video_id)
        times = step_times(float(t.t0_s), float(t.duration_s), step_s)
        if not len(times):
            rejects.append({"video_id": vid, "reason": f"shorter than one {step_s} s step"})
            continue
        try:
            images, _ = decode_frames_at(paths[vid], times, short_side)
        except VideoRejectedError as err:
            rejects.append({"video_id": vid, "reason": f"frames: {err}"})
            continue
        for time, image in zip(times, images, strict=True):
            jpg = Path(folder) / f"{len(rows):07d}.jpg"
            image.save(jpg, quality=jpeg_quality)
            jpgs.append(jpg)
            rows.append((vid, float(time)))
    if not rows:
        raise ValueError(f"no video has a whole {step_s} s teacher step")
    return StepFrames(
        [r[0] for r in rows],
        np.array([r[1] for r in rows], dtype=np.float64),
        jpgs,
        pd.DataFrame(rejects, columns=["video_id", "reason"]),
    )


def frame_batches(
    model: nn.Module, jpgs: list[Path], batch_size: int, device: str
) -> Iterator[torch.Tensor]:
    """Batches (B, 3, S, S) of the frames through ``model``'s eval transform, on ``device``
    (the model is put in eval mode there)."""
    model.eval().to(device)
    frames = FrameDataset(jpgs, np.zeros(len(jpgs), dtype=np.int64), model.input_spec, False)
    for start in range(0, len(frames), batch_size):
        x, _ = frames.batch(list(range(start, min(start + batch_size, len(frames)))))
        yield x.to(device)


@torch.no_grad()
def _posteriors(model: nn.Module, jpgs: list[Path], batch_size: int, device: str) -> np.ndarray:
    """(M, K) softmax posteriors of ``model`` on the frames, through its eval transform."""
    out = [
        torch.softmax(model(x).float(), dim=1).cpu().numpy()  # (B, K)
        for x in frame_batches(model, jpgs, batch_size, device)
    ]
    return np.concatenate(out)


def build_teacher_cache(
    video_source: str | Path,
    tracks_csv: str | Path,
    teachers: Mapping[str, nn.Module],
    step_s: float,
    short_side: int,
    out_npz: str | Path,
    out_rejects: str | Path,
    batch_size: int = 32,
    device: str = "cpu",
    jpeg_quality: int = 90,
) -> dict[str, object]:
    """Run :func:`teacher_posteriors` over a corpus (its video list and ingest's tracks.csv);
    write the cache and the rejected videos; return counts that reconcile (videos = cached +
    rejected)."""
    from soundsight.data.manifest import list_videos
    from soundsight.train.distill import write_teacher_cache

    tracks = pd.read_csv(tracks_csv, dtype={"video_id": str}, keep_default_na=False)
    out = teacher_posteriors(
        list_videos(video_source),
        tracks,
        teachers,
        step_s,
        short_side,
        batch_size,
        device,
        jpeg_quality,
    )
    write_teacher_cache(out_npz, out.video_id, out.time_s, out.heads)
    out.rejects.to_csv(out_rejects, index=False)
    cached = len(set(out.video_id))
    return {
        "n_videos": len(tracks), "n_cached": cached, "n_rejected": len(out.rejects),
        "n_steps": len(out.video_id), "step_s": step_s,
        "heads": {h: int(p.shape[1]) for h, p in out.heads.items()},
        "mean_max_posterior": {h: float(p.max(1).mean()) for h, p in out.heads.items()},
    }  # fmt: skip
