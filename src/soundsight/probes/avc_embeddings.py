"""Frozen per-stream embeddings of a labelled clip set from a two-stream correspondence model.

Look, Listen and Learn, Sect. 4.4 (Table 4's NMI, Fig. 10's t-SNE, the unit-preference
counts) reads the L3-Net's *embeddings* of Kinetics-Sounds clips: each subnet's ``pool4`` (the
global max of its ``conv4_2`` map, 512-d at width 1), one vector per clip and stream. Here, for
each clip of a Kinetics-Sounds-style manifest (``path,start,end,labels,video_id``, one label per
clip; :func:`soundsight.world.labelsets.write_kinetics_sounds` writes the world's):

- the clip's centre ``t = (start + end) / 2`` (file timeline) is the one instant read;
- the frame nearest ``t`` (:func:`~soundsight.data.decode.decode_frames_at`) is resized and
  centre-cropped as the model's image spec says (:class:`~soundsight.probes.extract.
  ProbeTransform`), so the vision stream sees what the probes see;
- the ``duration_s`` of audio centred on ``t`` (:func:`~soundsight.data.decode.decode_track`,
  mono at the audio stream's rate; zero-padded where the file is shorter) goes through the
  model's own front end (B, 1, F, T);
- a clip that cannot be decoded, or has no single label or no finite start/end, is rejected with
  its reason (nothing is dropped silently; the counts reconcile).

The embeddings of both streams come back as float32 arrays, one row per kept clip in the
manifest's order. The same reader serves other clip sets (:class:`ClipReading`): Objects that
Sound's retrieval items (:mod:`soundsight.probes.retrieval`) are multi-label, read at a seeded
random instant, and may be whole trimmed files.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch import nn
from tqdm import tqdm

from soundsight.data.decode import (
    VideoRejectedError,
    decode_frames_at,
    decode_track,
    video_rng,
)
from soundsight.data.manifest import list_videos
from soundsight.models.input_spec import ImageSpec
from soundsight.probes.avc_audio import audio_spec
from soundsight.probes.extract import probe_transform

log = logging.getLogger(__name__)
STREAM_LAYERS = {"vision": "vision.pool4", "audio": "audio.pool4"}  # stream -> embedding layer
STREAM_INPUTS = {"vision": "image", "audio": "audio"}  # stream -> model input name
DEFAULT_BATCH = 64


@dataclass
class ClipInputs:
    """The decoded inputs of the kept clips (manifest order) and the rejected ones."""

    ids: list[str]
    labels: list[str]  # one label per clip (';'-joined labels with ``multi_label``)
    images: list[Image.Image]  # one frame per clip
    waves: list[np.ndarray]  # (n_samples,) float32 mono per clip
    rejects: pd.DataFrame  # video_id, path, reason
    times: list[float]  # the instant read per clip (file timeline, s)


@dataclass(frozen=True)
class ClipReading:
    """How clips are read: one label or several (``multi_label``, ';'-joined), whether a row
    with blank start and end is the whole file (``blank_bounds``: AudioSet's trimmed clips),
    and the instant: the clip's centre (``seed`` None) or drawn uniformly in
    ``[start + d/2, end - d/2]`` from (``seed``, the clip's id)."""

    multi_label: bool = False
    blank_bounds: bool = False
    seed: int | None = None


CENTRE = ClipReading()
WHOLE_FILE_S = 1e9  # an end time past any file: decode the whole track


def image_spec_of(model: nn.Module) -> ImageSpec:
    """The image input spec of an image model, or of a multi-stream model's ``image`` stream;
    ValueError for a model that takes no image."""
    specs = getattr(model, "input_spec", None)
    spec = specs.get("image") if isinstance(specs, dict) else specs
    if not isinstance(spec, ImageSpec):
        raise ValueError(f"{type(model).__name__} takes no image (its input spec: {specs})")
    return spec


def fit_length(samples: np.ndarray, n: int) -> np.ndarray:
    """``samples`` cut or zero-padded at the end to exactly ``n`` samples (float32)."""
    out = np.zeros(n, np.float32)
    k = min(n, len(samples))
    out[:k] = samples[:k]
    return out


def split_labels(value: Any) -> list[str]:
    """A manifest cell's labels (``;``-joined), empty when it has none."""
    if not isinstance(value, str):
        return []
    return [s.strip() for s in value.split(";") if s.strip()]


def _label(value: Any, multi_label: bool = False) -> str | None:
    """The clip's label(s) ';'-joined, or None when it has none (or several, single-label)."""
    labels = split_labels(value)
    if not labels or (not multi_label and ";" in str(value)):
        return None
    return ";".join(labels)


def _clip_problem(row: pd.Series, reading: ClipReading) -> str | None:
    """Why a manifest row cannot be read as one labelled clip, or None."""
    if _label(row.get("labels"), reading.multi_label) is None:
        if reading.multi_label:
            return f"no_label: no label in {row.get('labels')!r}"
        return f"bad_label: expected one label, got {row.get('labels')!r}"
    start, end = float(row["start"]), float(row["end"])
    if reading.blank_bounds and math.isnan(start) and math.isnan(end):
        return None  # the whole file
    if not (math.isfinite(start) and math.isfinite(end) and end > start):
        return f"bad_bounds: need finite start < end, got start={start}, end={end}"
    return None


def clip_instant(seed: int, clip_id: str, start: float, end: float, duration_s: float) -> float:
    """A seeded instant uniform in ``[start + d/2, end - d/2]``; the centre when the clip is
    shorter than ``d``."""
    low, high = start + duration_s / 2, end - duration_s / 2
    if high <= low:
        return 0.5 * (start + end)
    return float(video_rng(seed, clip_id).uniform(low, high))


def _read_clip(
    row: pd.Series, short_side: int, rate: int, duration_s: float, reading: ClipReading
) -> tuple[float, Image.Image, np.ndarray]:
    """The instant read, the frame nearest it and the ``duration_s`` of audio centred on it
    (a whole file's track is decoded once and sliced)."""
    path, start, end = row["path"], float(row["start"]), float(row["end"])
    whole = None
    if math.isnan(start) and math.isnan(end):
        whole = decode_track(path, 0.0, WHOLE_FILE_S, rate)
        start, end = whole.t0, whole.t0 + len(whole.samples) / whole.rate
    t = 0.5 * (start + end)
    if reading.seed is not None:
        t = clip_instant(reading.seed, str(row["video_id"]), start, end, duration_s)
    frames, _ = decode_frames_at(path, np.array([t]), short_side)
    if whole is None:
        track = decode_track(path, t - duration_s / 2, t + duration_s / 2, rate)
        return t, frames[0], track.samples
    first = max(round((t - duration_s / 2 - whole.t0) * rate), 0)
    return t, frames[0], whole.samples[first : first + round(duration_s * rate)]


def read_clip_inputs(
    manifest: str | Path,
    short_side: int,
    sample_rate: int,
    duration_s: float,
    keep: Sequence[str] | None = None,
    reading: ClipReading = CENTRE,
) -> ClipInputs:
    """Decode one frame and ``duration_s`` of audio per clip (see the module and
    :class:`ClipReading`); ``keep``: only the clips with these ids (the others are neither read
    nor rejected)."""
    videos = list_videos(manifest)
    for column in ("start", "end", "labels"):
        if column not in videos.columns:
            raise ValueError(f"{manifest}: a labelled clip manifest needs a {column!r} column")
    if keep is not None:
        videos = videos.loc[videos["video_id"].astype(str).isin(set(map(str, keep)))]
    n = round(duration_s * sample_rate)
    out = ClipInputs([], [], [], [], pd.DataFrame(), [])
    rejects = []
    for _, row in tqdm(videos.iterrows(), total=len(videos), desc="clips", unit="clip"):
        reason = _clip_problem(row, reading)
        if reason is None:
            try:
                t, image, wave = _read_clip(row, short_side, sample_rate, duration_s, reading)
            except VideoRejectedError as err:
                reason = err.reason
        if reason is not None:
            rejects.append(
                {"video_id": row["video_id"], "path": str(row["path"]), "reason": reason}
            )
            continue
        out.ids.append(str(row["video_id"]))
        out.labels.append(str(_label(row["labels"], reading.multi_label)))
        out.times.append(t)
        out.images.append(image)
        out.waves.append(fit_length(wave, n))
    out.rejects = pd.DataFrame(rejects, columns=["video_id", "path", "reason"])
    log.info("%d clips read, %d rejected", len(out.ids), len(rejects))
    return out


def _embed(
    model: nn.Module, x: torch.Tensor, a: torch.Tensor, layers: Mapping[str, str] | None
) -> dict[str, np.ndarray]:
    """``{stream: (B, D)}`` float32 of one batch of frames x and spectrograms a: the layers
    ``layers`` names per stream, or ``model.embeddings`` (None)."""
    if layers is None:
        out = model.embeddings({"image": x, "audio": a})
        return {s: out[STREAM_INPUTS[s]].flatten(1).float().cpu().numpy() for s in STREAM_INPUTS}
    got = {}
    for stream, inp in ((s, x if s == "vision" else a) for s in STREAM_INPUTS):
        (name,) = model.check_layers([layers[stream]])
        out = model.forward_intermediates({STREAM_INPUTS[stream]: inp}, [name])[name]
        got[stream] = out.flatten(1).float().cpu().numpy()
    return got


def stream_embeddings(
    model: nn.Module,
    images: Sequence[Image.Image],
    waves: Sequence[np.ndarray],
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
    layers: Mapping[str, str] | None = STREAM_LAYERS,
) -> dict[str, np.ndarray]:
    """``{"vision": (N, Dv), "audio": (N, Da)}`` float32 embeddings of N frames and N waves:
    each stream's layer in ``layers``, or the model's retrieval ``embeddings`` (None)."""
    if len(images) != len(waves) or not len(images):
        raise ValueError(f"need as many frames as waves (> 0), got {len(images)} and {len(waves)}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    transform = probe_transform(image_spec_of(model))
    front = model.front_end
    model = model.eval().to(device)
    rows: dict[str, list[np.ndarray]] = {"vision": [], "audio": []}
    with torch.no_grad():
        for i in tqdm(range(0, len(images), batch_size), desc="embeddings", unit="batch"):
            x = torch.stack([transform(im) for im in images[i : i + batch_size]])  # (B, 3, S, S)
            a = torch.from_numpy(np.stack(waves[i : i + batch_size])).to(device)  # (B, n)
            for stream, r in _embed(model, x.to(device), front(a), layers).items():
                rows[stream].append(r)  # front: (B, 1, F, T)
    return {s: np.concatenate(r) for s, r in rows.items()}


def clip_embeddings(
    model: nn.Module,
    manifest: str | Path,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray], pd.DataFrame]:
    """Embeddings of every clip of ``manifest``: the summary, the ``embeddings.npz`` arrays
    (``item_ids``, ``labels`` (N,), ``vision`` / ``audio`` (N, D)) and the rejected clips."""
    image, audio = image_spec_of(model), audio_spec(model)
    inputs = read_clip_inputs(manifest, image.resize_size, audio.sample_rate, audio.duration_s)
    if not inputs.ids:
        raise ValueError(f"{manifest}: no clip could be read ({len(inputs.rejects)} rejected)")
    feats = stream_embeddings(model, inputs.images, inputs.waves, batch_size, device)
    arrays = {"item_ids": np.array(inputs.ids), "labels": np.array(inputs.labels), **feats}
    summary = {
        "n_clips": len(inputs.ids) + len(inputs.rejects),
        "n_embedded": len(inputs.ids),
        "n_rejected": len(inputs.rejects),
        "layers": dict(STREAM_LAYERS),
        "dims": {s: int(f.shape[1]) for s, f in feats.items()},
        "sample_rate": int(audio.sample_rate),
        "duration_s": float(audio.duration_s),
        "label_counts": pd.Series(inputs.labels).value_counts().sort_index().to_dict(),
    }
    return summary, arrays, inputs.rejects


__all__ = [
    "ClipReading",
    "clip_embeddings",
    "clip_instant",
    "read_clip_inputs",
    "split_labels",
    "stream_embeddings",
]
