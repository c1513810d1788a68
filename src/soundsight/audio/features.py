"""Batched per-clip audio features: 502-d sound texture and 32-d cochlear spectrum.

Registered as ``texture`` and ``spectrum`` (``soundsight.audio.registry``), computed together.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from soundsight.audio.registry import register_features
from soundsight.audio.texture import N_BANDS, N_FEATURES, texture_and_spectrum
from soundsight.device import resolve_device

logger = logging.getLogger(__name__)


def clip_features(
    audio: np.ndarray,
    sr: int,
    batch_size: int = 16,
    device: str = "cpu",
    dtype: torch.dtype = torch.float64,
    progress: bool = True,
    window_s: float = 1.0 / 30.0,
) -> dict[str, np.ndarray]:
    """Texture (N, 502) and spectrum (N, 32) features of ``audio`` (N clips, n samples) at sr.

    Clips are processed ``batch_size`` at a time on ``device`` (``"auto"`` picks cuda when
    available) in ``dtype``; outputs are numpy arrays of the matching float dtype.
    """
    audio = np.asarray(audio)
    if audio.ndim != 2:
        raise ValueError(f"audio must be 2-D (clips, samples), got shape {audio.shape}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    dev = resolve_device(device)
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
    n_clips = audio.shape[0]
    texture = np.empty((n_clips, N_FEATURES), dtype=np_dtype)  # (N, 502)
    spectrum = np.empty((n_clips, N_BANDS), dtype=np_dtype)  # (N, 32)
    logger.info("texture features of %d clips on %s (%s)", n_clips, dev, dtype)
    starts = range(0, n_clips, batch_size)
    for start in tqdm(starts, desc="texture", unit="batch", disable=not progress):
        stop = min(start + batch_size, n_clips)
        batch = torch.as_tensor(audio[start:stop], device=dev).to(dtype)  # (b, n)
        with torch.no_grad():
            tex, spec = texture_and_spectrum(batch, sr, window_s, device=dev, dtype=dtype)
        texture[start:stop] = tex.cpu().numpy()
        spectrum[start:stop] = spec.cpu().numpy()
    return {"texture": texture, "spectrum": spectrum}


@register_features("texture", "spectrum")
def cochlear_features(audio: np.ndarray, sr: int, cfg: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``texture`` (N, 502) and ``spectrum`` (N, 32) with the ``features:`` config's settings.

    ``cfg`` keys (schema defaults when absent): ``batch_size``, ``device``, ``dtype``,
    ``spectrum_window_s``.
    """
    return clip_features(
        audio,
        sr,
        batch_size=cfg.get("batch_size", 16),
        device=cfg.get("device", "auto"),
        dtype=getattr(torch, cfg.get("dtype", "float32")),
        window_s=cfg.get("spectrum_window_s", 0.0333),
    )
