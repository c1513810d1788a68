"""Frozen per-item features of a multi-label clip set for cross-modal retrieval.

Objects that Sound, Sect. 3.2 (Table 1): the database holds, per test video, *one random frame
and its 1 s of audio*; every item is a query in each direction (im-im, im-aud, aud-im, aud-aud).
Here, for each clip of an AudioSet-style manifest (``video_id,path,start,end,labels``, labels
``;``-joined display names; :func:`soundsight.data.audioset.segments_manifest` writes it):

- the instant ``t`` is drawn uniformly in ``[start + d/2, end - d/2]`` (``d`` the audio stream's
  duration, 1 s) from :func:`soundsight.data.decode.video_rng` of ``(seed, video_id)``, so the
  same clip gets the same instant in every model's features; a segment shorter than ``d`` is
  read at its centre; a clip whose bounds are not given (a trimmed AudioSet clip used whole)
  is bounded by its audio track (:func:`soundsight.probes.avc_embeddings.read_clip_inputs` with
  a multi-label, seeded :class:`~soundsight.probes.avc_embeddings.ClipReading`);
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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from torch import nn

from soundsight.probes.avc_embeddings import (
    ClipReading,
    image_spec_of,
    read_clip_inputs,
    stream_embeddings,
)
from soundsight.probes.linear import vision_features

log = logging.getLogger(__name__)
DEFAULT_BATCH = 64
# an image model's items are read with 1 s of audio at this rate, never used: the same decode
# (and so the same rejects) as the two-stream models' items
IMAGE_MODEL_AUDIO = (16_000, 1.0)


def is_two_stream(model: nn.Module) -> bool:
    """Whether the model takes ``{"image", "audio"}`` and has retrieval embeddings."""
    return isinstance(getattr(model, "input_spec", None), dict) and hasattr(model, "embeddings")


def _read_spec(model: nn.Module) -> tuple[int, int, float]:
    """(short side, audio rate, audio duration) the items are decoded at for this model."""
    image = image_spec_of(model)
    if is_two_stream(model):
        audio = model.input_spec["audio"]
        return image.resize_size, int(audio.sample_rate), float(audio.duration_s)
    return image.resize_size, *IMAGE_MODEL_AUDIO


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
    reading = ClipReading(multi_label=True, blank_bounds=True, seed=seed)
    items = read_clip_inputs(manifest, short_side, rate, duration_s, reading=reading)
    if not items.ids:
        raise ValueError(f"{manifest}: no clip could be read ({len(items.rejects)} rejected)")
    if is_two_stream(model):
        feats = stream_embeddings(model, items.images, items.waves, batch_size, device, None)
        layers = {"vision": "embeddings (image)", "audio": "embeddings (audio)"}
    else:
        images = items.images
        feats = {"vision": vision_features(model, images, image_layer, None, batch_size, device)}
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


__all__ = ["is_two_stream", "retrieval_features"]
