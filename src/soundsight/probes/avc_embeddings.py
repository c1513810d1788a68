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
manifest's order.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch import nn
from tqdm import tqdm

from soundsight.data.decode import VideoRejectedError, decode_frames_at, decode_track
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
    labels: list[str]
    images: list[Image.Image]  # one frame per clip
    waves: list[np.ndarray]  # (n_samples,) float32 mono per clip
    rejects: pd.DataFrame  # video_id, path, reason


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


def _label(value: Any) -> str | None:
    """The clip's one label, or None when it has none or several."""
    if not isinstance(value, str) or not value.strip() or ";" in value:
        return None
    return value.strip()


def _clip_problem(row: pd.Series) -> str | None:
    """Why a manifest row cannot be read as one labelled clip, or None."""
    if _label(row.get("labels")) is None:
        return f"bad_label: expected one label, got {row.get('labels')!r}"
    start, end = float(row["start"]), float(row["end"])
    if not (math.isfinite(start) and math.isfinite(end) and end > start):
        return f"bad_bounds: need finite start < end, got start={start}, end={end}"
    return None


def _read_clip(
    path: str | Path, start: float, end: float, short_side: int, rate: int, duration_s: float
) -> tuple[Image.Image, np.ndarray]:
    """The frame nearest the clip's centre and the ``duration_s`` of audio centred on it."""
    t = 0.5 * (float(start) + float(end))
    frames, _ = decode_frames_at(path, np.array([t]), short_side)
    track = decode_track(path, t - duration_s / 2, t + duration_s / 2, rate)
    return frames[0], track.samples


def read_clip_inputs(
    manifest: str | Path,
    short_side: int,
    sample_rate: int,
    duration_s: float,
    keep: Sequence[str] | None = None,
) -> ClipInputs:
    """Decode each clip's centre frame and centred ``duration_s`` of audio (see the module);
    ``keep``: only the clips with these ids (the others are neither read nor rejected)."""
    videos = list_videos(manifest)
    for column in ("start", "end", "labels"):
        if column not in videos.columns:
            raise ValueError(f"{manifest}: a labelled clip manifest needs a {column!r} column")
    if keep is not None:
        videos = videos.loc[videos["video_id"].astype(str).isin(set(map(str, keep)))]
    n = round(duration_s * sample_rate)
    ids, labels, images, waves, rejects = [], [], [], [], []
    for _, row in tqdm(videos.iterrows(), total=len(videos), desc="clips", unit="clip"):
        reason = _clip_problem(row)
        if reason is None:
            try:
                image, wave = _read_clip(
                    row["path"], row["start"], row["end"], short_side, sample_rate, duration_s
                )
            except VideoRejectedError as err:
                reason = err.reason
        if reason is not None:
            rejects.append(
                {"video_id": row["video_id"], "path": str(row["path"]), "reason": reason}
            )
            continue
        ids.append(str(row["video_id"]))
        labels.append(str(_label(row["labels"])))
        images.append(image)
        waves.append(fit_length(wave, n))
    log.info("%d clips read, %d rejected", len(ids), len(rejects))
    return ClipInputs(
        ids, labels, images, waves, pd.DataFrame(rejects, columns=["video_id", "path", "reason"])
    )


def _embed(model: nn.Module, stream: str, x: torch.Tensor) -> np.ndarray:
    """(B, D) float32: the stream's embedding layer on one batch of its inputs."""
    (name,) = model.check_layers([STREAM_LAYERS[stream]])
    out = model.forward_intermediates({STREAM_INPUTS[stream]: x}, [name])[name]
    return out.flatten(1).float().cpu().numpy()


def stream_embeddings(
    model: nn.Module,
    images: Sequence[Image.Image],
    waves: Sequence[np.ndarray],
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> dict[str, np.ndarray]:
    """``{"vision": (N, Dv), "audio": (N, Da)}`` float32 embeddings of N frames and N waves."""
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
            rows["vision"].append(_embed(model, "vision", x.to(device)))
            a = torch.from_numpy(np.stack(waves[i : i + batch_size])).to(device)  # (B, n)
            rows["audio"].append(_embed(model, "audio", front(a)))  # front: (B, 1, F, T)
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


__all__ = ["clip_embeddings", "read_clip_inputs", "stream_embeddings"]
