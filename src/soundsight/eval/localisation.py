"""Pointing accuracy of localisation maps (Objects that Sound, Sect. 5.2).

A localisation map (h, w) (AVOL-Net's 14 x 14 sigmoid map) is upsampled bilinearly to the
image size (H, W) (``torch.nn.functional.interpolate``, ``align_corners=False``) and its
**mode**, the argmax pixel (first in row-major order on ties), is the prediction. A frame is a
**hit** when the prediction lies within ``radius`` pixels of an annotated point of a sounding
object, or inside its annotated mask/box. The **centre baseline** always predicts the image
centre ``((H - 1) / 2, (W - 1) / 2)``. Pointing accuracy = mean of the per-frame hits.
Coordinates are ``(y, x)`` in pixels, row first.

:func:`localise_frames` runs a localisation model (AVOL-Net's ``localisation_map``) on an
annotated frame set: each whole frame (resized to the model's input, not cropped, so the map
covers it) with the first second of its own audio, and with the audio of another frame whose
sounding object is of another category (the paper's Fig. 6, "drums on a violin frame"). A
frame is a hit when its map's mode lies in the sounding object's box; the centre baseline is
scored on the same boxes (:func:`soundsight.data.localisation.centre_baseline_hits`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from soundsight.data.localisation import centre_baseline_hits, pointing_hits, sounding_objects
from soundsight.probes.avc_audio import audio_spec
from soundsight.probes.avc_embeddings import fit_length, image_spec_of
from soundsight.probes.extract import load_image, probe_transform
from soundsight.probes.waveform import read_wave


def upsample_maps(maps: np.ndarray | torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Maps (B, h, w) or (h, w) upsampled bilinearly to ``size = (H, W)``: (B, H, W) float32."""
    m = torch.as_tensor(maps, dtype=torch.float32)
    if m.ndim == 2:
        m = m[None]
    if m.ndim != 3 or not m.numel():
        raise ValueError(f"maps must be (B, h, w) or (h, w), got {tuple(m.shape)}")
    H, W = size
    if H < 1 or W < 1:
        raise ValueError(f"image size must be positive, got {size}")
    return F.interpolate(m[:, None], size=(H, W), mode="bilinear", align_corners=False)[:, 0]


def map_peaks(maps: np.ndarray | torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Argmax ``(y, x)`` (B, 2) of maps (B, h, w) upsampled bilinearly to ``size = (H, W)``."""
    up = upsample_maps(maps, size)
    H, W = size
    flat = up.reshape(len(up), -1).argmax(dim=1)  # (B,) first maximum in row-major order
    return torch.stack([flat // W, flat % W], dim=1).cpu().numpy()  # (B, 2) (y, x)


def centre_peaks(n: int, size: tuple[int, int]) -> np.ndarray:
    """The centre-of-image baseline's prediction ``(y, x)`` (n, 2)."""
    H, W = size
    return np.tile([(H - 1) / 2.0, (W - 1) / 2.0], (n, 1))


def point_hits(
    peaks: np.ndarray, points: Sequence[np.ndarray | Sequence[Sequence[float]]], radius: float
) -> np.ndarray:
    """Per-frame hit (B,): the peak lies within ``radius`` px of one of the frame's points.

    ``points[b]`` (P_b, 2) are the sounding object(s)' annotated ``(y, x)``; a frame with
    no point is never a hit.
    """
    p = np.asarray(peaks, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) != len(points):
        raise ValueError(f"peaks {p.shape} must be (B, 2) with one point list per frame")
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    hits = np.zeros(len(p), dtype=bool)
    for b, pts in enumerate(points):
        q = np.asarray(pts, dtype=np.float64).reshape(-1, 2)  # (P, 2)
        hits[b] = bool(len(q)) and bool((np.linalg.norm(q - p[b], axis=1) <= radius).any())
    return hits


def mask_hits(peaks: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per-frame hit (B,): the rounded peak lies on the frame's object mask (B, H, W)."""
    p = np.rint(np.asarray(peaks, dtype=np.float64)).astype(np.int64)
    M = np.asarray(masks, dtype=bool)
    if M.ndim != 3 or p.shape != (len(M), 2):
        raise ValueError(f"masks {M.shape} must be (B, H, W) and peaks (B, 2), got {p.shape}")
    ys = np.clip(p[:, 0], 0, M.shape[1] - 1)
    xs = np.clip(p[:, 1], 0, M.shape[2] - 1)
    return M[np.arange(len(M)), ys, xs]


def pointing_accuracy(hits: np.ndarray) -> float:
    """Fraction of frames hit."""
    h = np.asarray(hits, dtype=bool).ravel()
    if not len(h):
        raise ValueError("no frames to score")
    return float(h.mean())


# ------------------------------------------------------------------------------------------------
# a localisation model on an annotated frame set (soundsight.data.localisation's layout)
# ------------------------------------------------------------------------------------------------


def mismatch_partners(categories: Sequence[str], seed: int) -> np.ndarray:
    """(N,) for each frame, another frame whose sounding category differs (the audio it is
    shown with in the mismatched condition: "drums on a violin frame"); -1 when every frame
    has the same category. Deterministic in ``seed``: each frame takes the first frame of a
    seeded cyclic order after it with another category."""
    cats = np.asarray(categories).astype(str)
    order = np.random.default_rng(seed).permutation(len(cats))
    out = np.full(len(cats), -1, dtype=np.int64)
    for k, i in enumerate(order):
        for step in range(1, len(cats)):
            j = order[(k + step) % len(cats)]
            if cats[j] != cats[i]:
                out[i] = j
                break
    return out


def _frame_inputs(
    model: torch.nn.Module, frames: pd.DataFrame
) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 3, S, S) whole frames resized to the model's input (no crop: the map covers the
    frame) and (N, 1, F, T) spectrograms of each frame's audio (its first ``duration_s``)."""
    spec, audio = image_spec_of(model), audio_spec(model)
    transform = probe_transform(spec, spec.input_size)
    images = torch.stack([transform(load_image(p)) for p in frames["image"]])
    n = round(audio.duration_s * audio.sample_rate)
    waves = np.stack([fit_length(read_wave(p, audio.sample_rate), n) for p in frames["audio"]])
    return images, model.front_end(torch.from_numpy(waves))


def _maps(
    model: torch.nn.Module, images: torch.Tensor, spectra: torch.Tensor, batch: int, device: str
) -> np.ndarray:
    """(N, h, w) class-1 localisation maps of images with the given audio, in batches."""
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = {"image": images[i : i + batch], "audio": spectra[i : i + batch]}
            m = model.localisation_map({k: v.to(device) for k, v in x.items()})
            out.append(m[:, -1].float().cpu())  # (B, h, w): the "corresponds" map
    return torch.cat(out).numpy()


def localise_frames(
    model: torch.nn.Module,
    frames: pd.DataFrame,
    objects: pd.DataFrame,
    seed: int,
    batch_size: int = 32,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Localisation maps of every frame with its own audio and with a mismatched frame's
    (:func:`mismatch_partners`), the maps' modes scored against the sounding object's box
    beside the centre baseline. Returns the summary and the ``pointing.npz`` arrays
    (``frame_ids``, ``hits``, ``centre_hits``, ``peak``, ``peak_mismatched`` (N,), ``kind``,
    ``partner``, ``modes`` (N, 2) (y, x), ``maps`` / ``maps_mismatched`` (N, h, w))."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    target = sounding_objects(frames, objects)
    partner = mismatch_partners(target["category"], seed)
    model = model.eval()
    images, spectra = _frame_inputs(model, frames)  # (N, 3, S, S), (N, 1, F, T) on the CPU
    model = model.to(device)
    maps = _maps(model, images, spectra, batch_size, device)  # (N, h, w)
    other = np.where(partner >= 0, partner, np.arange(len(partner)))
    mismatched = _maps(model, images, spectra[torch.from_numpy(other)], batch_size, device)
    sizes = frames[["height", "width"]].to_numpy(dtype=int)
    modes = np.concatenate([map_peaks(m, (h, w)) for m, (h, w) in zip(maps, sizes, strict=True)])
    boxes = target[["x0", "y0", "x1", "y1"]].to_numpy(dtype=float)
    hits = pointing_hits(modes[:, ::-1].astype(float), boxes)  # (x, y) against the box
    centre = centre_baseline_hits(frames, objects)
    kinds = np.asarray(frames["kind"], dtype=str)  # (N,) unicode, not object (npz without pickle)
    arrays = {
        "frame_ids": np.asarray(frames["image_id"], dtype=str),
        "hits": hits,
        "centre_hits": centre,
        "peak": maps.reshape(len(maps), -1).max(axis=1),
        "peak_mismatched": mismatched.reshape(len(maps), -1).max(axis=1),
        "kind": kinds,
        "partner": partner,
        "modes": modes,
        "maps": maps,
        "maps_mismatched": mismatched,
    }
    summary = {
        "n_frames": len(frames),
        "pointing_accuracy": pointing_accuracy(hits),
        "centre_accuracy": pointing_accuracy(centre),
        "by_kind": {
            k: {"n": int((kinds == k).sum()), "pointing_accuracy": float(hits[kinds == k].mean())}
            for k in sorted(set(kinds))
        },
        "mean_peak": float(arrays["peak"].mean()),
        "mean_peak_mismatched": float(arrays["peak_mismatched"][partner >= 0].mean())
        if (partner >= 0).any()
        else None,
        "n_without_partner": int((partner < 0).sum()),
        "map_size": list(maps.shape[1:]),
    }
    return summary, arrays
