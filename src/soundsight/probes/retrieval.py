"""Frozen per-item features of a multi-label clip set for cross-modal retrieval.

Objects that Sound, Sect. 3.2 (Table 1): the database holds, per test video, *one random frame
and its 1 s of audio*; every item is a query in each direction (im-im, im-aud, aud-im, aud-aud).
Here, for each clip of an AudioSet-style manifest (``video_id,path,start,end,labels``, labels
``;``-joined display names; :func:`soundsight.data.audioset.segments_manifest` writes it):

- the instant ``t`` is drawn uniformly in ``[start + d/2, end - d/2]`` (``d`` the audio stream's
  duration, 1 s) from :func:`soundsight.data.decode.video_rng` of ``(seed, video_id)``, so the
  same clip gets the same instant in every model's features; a segment shorter than ``d`` is
  read at its centre; a clip whose bounds are not given (a trimmed AudioSet clip used whole)
  is bounded by its audio track;
- the frame nearest ``t`` and the ``d`` seconds of audio centred on ``t`` are decoded, and each
  model reads them through its own input spec (image transform, audio front end);
- a two-stream correspondence model gives both streams' retrieval embeddings
  (``model.embeddings``: L3-Net's 512-d ``pool4`` vectors, AVE-Net's aligned 128-d
  embeddings); an image model (the supervised object network) gives one ``image_layer`` vector
  per frame and no audio;
- a clip that cannot be decoded, or has no label or bad bounds, is rejected with its reason
  (the counts reconcile).
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

from soundsight.data.decode import VideoRejectedError, decode_frames_at, decode_track, video_rng
from soundsight.data.manifest import list_videos
from soundsight.probes.avc_embeddings import fit_length, image_spec_of
from soundsight.probes.extract import pool_map, probe_transform

log = logging.getLogger(__name__)
DEFAULT_BATCH = 64
STREAMS = ("vision", "audio")  # the arrays of a features npz (audio absent for an image model)
REJECT_COLUMNS = ["video_id", "path", "reason"]
WHOLE_FILE_S = 1e9  # an end time past any file: decode the whole track


@dataclass
class RetrievalItems:
    """The decoded items of the kept clips (manifest order) and the rejected clips."""

    ids: list[str]
    labels: list[str]  # ';'-joined labels per item
    times: list[float]  # the instant read (file timeline, s)
    images: list[Image.Image]
    waves: list[np.ndarray]  # (n_samples,) float32 mono per item
    rejects: pd.DataFrame  # video_id, path, reason


def split_labels(value: Any) -> list[str]:
    """A manifest cell's labels (``;``-joined), empty when it has none."""
    if not isinstance(value, str):
        return []
    return [s.strip() for s in value.split(";") if s.strip()]


def item_instant(seed: int, video_id: str, start: float, end: float, duration_s: float) -> float:
    """The instant read for one item: uniform in ``[start + d/2, end - d/2]`` (seeded by the
    item), the segment's centre when it is shorter than ``d``."""
    low, high = start + duration_s / 2, end - duration_s / 2
    if high <= low:
        return 0.5 * (start + end)
    return float(video_rng(seed, video_id).uniform(low, high))


def _item_problem(row: pd.Series) -> str | None:
    """Why a manifest row cannot be read as one labelled item, or None."""
    if not split_labels(row["labels"]):
        return f"no_label: no label in {row['labels']!r}"
    start, end = float(row["start"]), float(row["end"])
    if math.isnan(start) and math.isnan(end):
        return None  # the whole file
    if not (math.isfinite(start) and math.isfinite(end) and end > start):
        return f"bad_bounds: need finite start < end (or both blank), got {start}, {end}"
    return None


def _bounds(row: pd.Series) -> tuple[float, float]:
    """The clip's start/end; the whole audio track's when the manifest leaves both blank."""
    start, end = float(row["start"]), float(row["end"])
    if math.isnan(start) and math.isnan(end):
        track = decode_track(row["path"], 0.0, WHOLE_FILE_S)
        return track.t0, track.t0 + len(track.samples) / track.rate
    return start, end


def _read_item(
    row: pd.Series, short_side: int, rate: int, duration_s: float, seed: int
) -> tuple[float, Image.Image, np.ndarray]:
    """One item's instant, frame and audio (VideoRejectedError with the reason)."""
    start, end = _bounds(row)
    t = item_instant(seed, str(row["video_id"]), start, end, duration_s)
    frames, _ = decode_frames_at(row["path"], np.array([t]), short_side)
    track = decode_track(row["path"], t - duration_s / 2, t + duration_s / 2, rate)
    return t, frames[0], fit_length(track.samples, round(duration_s * rate))


def read_retrieval_items(
    manifest: str | Path, short_side: int, sample_rate: int, duration_s: float, seed: int
) -> RetrievalItems:
    """Decode one frame and ``duration_s`` of audio per clip of ``manifest`` (see the module)."""
    videos = list_videos(manifest)
    for column in ("start", "end", "labels"):
        if column not in videos.columns:
            raise ValueError(f"{manifest}: a labelled clip manifest needs a {column!r} column")
    items = RetrievalItems([], [], [], [], [], pd.DataFrame(columns=REJECT_COLUMNS))
    rejects = []
    for _, row in tqdm(videos.iterrows(), total=len(videos), desc="items", unit="clip"):
        reason = _item_problem(row)
        if reason is None:
            try:
                t, image, wave = _read_item(row, short_side, sample_rate, duration_s, seed)
            except VideoRejectedError as err:
                reason = err.reason
        if reason is not None:
            rejects.append((str(row["video_id"]), str(row["path"]), reason))
            continue
        items.ids.append(str(row["video_id"]))
        items.labels.append(";".join(split_labels(row["labels"])))
        items.times.append(t)
        items.images.append(image)
        items.waves.append(wave)
    items.rejects = pd.DataFrame(rejects, columns=REJECT_COLUMNS)
    log.info("%d items read, %d rejected", len(items.ids), len(rejects))
    return items


def is_two_stream(model: nn.Module) -> bool:
    """Whether the model takes ``{"image", "audio"}`` and has retrieval embeddings."""
    return isinstance(getattr(model, "input_spec", None), dict) and hasattr(model, "embeddings")


def _batches(n: int, batch_size: int, desc: str) -> Any:
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return tqdm(range(0, n, batch_size), desc=desc, unit="batch")


def pair_embeddings(
    model: nn.Module,
    images: Sequence[Image.Image],
    waves: Sequence[np.ndarray],
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> dict[str, np.ndarray]:
    """``{"vision": (N, D), "audio": (N, D')}`` float32: the model's retrieval embeddings."""
    if len(images) != len(waves) or not len(images):
        raise ValueError(f"need as many frames as waves (> 0), got {len(images)} and {len(waves)}")
    transform = probe_transform(image_spec_of(model))
    model = model.eval().to(device)
    rows: dict[str, list[np.ndarray]] = {s: [] for s in STREAMS}
    with torch.no_grad():
        for i in _batches(len(images), batch_size, "embeddings"):
            x = torch.stack([transform(im) for im in images[i : i + batch_size]])  # (B, 3, S, S)
            a = torch.from_numpy(np.stack(waves[i : i + batch_size])).to(device)  # (B, n)
            out = model.embeddings({"image": x.to(device), "audio": model.front_end(a)})
            rows["vision"].append(out["image"].flatten(1).float().cpu().numpy())
            rows["audio"].append(out["audio"].flatten(1).float().cpu().numpy())
    return {s: np.concatenate(r) for s, r in rows.items()}


def image_features(
    model: nn.Module,
    images: Sequence[Image.Image],
    layer: str,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> np.ndarray:
    """(N, D) float32: an image model's ``layer`` on each frame, flattened."""
    if not len(images):
        raise ValueError("no image to read")
    transform = probe_transform(image_spec_of(model))
    (name,) = model.check_layers([layer])
    model = model.eval().to(device)
    rows = []
    with torch.no_grad():
        for i in _batches(len(images), batch_size, f"{layer} frames"):
            x = torch.stack([transform(im) for im in images[i : i + batch_size]])  # (B, 3, S, S)
            out = model.forward_intermediates(x.to(device), [name])[name]  # (B, C[, h, w])
            rows.append(pool_map(out, None, layer).float().cpu().numpy())
    return np.concatenate(rows)


def _read_spec(model: nn.Module) -> tuple[int, int, float]:
    """(short side, audio rate, audio duration) the items are decoded at for this model; an
    image model's audio is never read, so any rate does (its features have no audio)."""
    image = image_spec_of(model)
    if is_two_stream(model):
        audio = model.input_spec["audio"]
        return image.resize_size, int(audio.sample_rate), float(audio.duration_s)
    return image.resize_size, 16000, 1.0


def retrieval_features(
    model: nn.Module,
    manifest: str | Path,
    image_layer: str,
    seed: int,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray], pd.DataFrame]:
    """Features of every clip of ``manifest``: the summary, the ``features.npz`` arrays
    (``item_ids``, ``labels`` (N,) ';'-joined, ``times`` (N,), ``vision`` (N, D) and, for a
    two-stream model, ``audio`` (N, D')) and the rejected clips."""
    short_side, rate, duration_s = _read_spec(model)
    items = read_retrieval_items(manifest, short_side, rate, duration_s, seed)
    if not items.ids:
        raise ValueError(f"{manifest}: no clip could be read ({len(items.rejects)} rejected)")
    if is_two_stream(model):
        feats = pair_embeddings(model, items.images, items.waves, batch_size, device)
        layers = {"vision": "embeddings (image)", "audio": "embeddings (audio)"}
    else:
        feats = {"vision": image_features(model, items.images, image_layer, batch_size, device)}
        layers = {"vision": image_layer}
    arrays = {
        "item_ids": np.array(items.ids),
        "labels": np.array(items.labels),
        "times": np.array(items.times),
        **feats,
    }
    summary = {
        "n_clips": len(items.ids) + len(items.rejects),
        "n_items": len(items.ids),
        "n_rejected": len(items.rejects),
        "layers": layers,
        "dims": {s: int(f.shape[1]) for s, f in feats.items()},
        "sample_rate": rate,
        "duration_s": duration_s,
    }
    return summary, arrays, items.rejects


__all__ = [
    "image_features",
    "item_instant",
    "pair_embeddings",
    "read_retrieval_items",
    "retrieval_features",
    "split_labels",
]
