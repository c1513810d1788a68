"""MFCCs of each frame's audio window (librosa): the student reproduction's alternative targets.

*Improving Visual Recognition using Ambient Sound for Supervision* (``shared/papers/001_*``)
clusters MFCCs as Owens et al. cluster sound textures. It says only that it uses "MFCC from
Librosa" (citing librosa 0.7.1) and flattens the MFCC matrices into vectors; every number of its
MFCC description was lost. So the parameters here are librosa's defaults, the likeliest choice
of a student calling ``librosa.feature.mfcc`` without arguments, and they are all configurable
under ``features.mfcc``:

* the window's own rate, ``ingest.audio_rate`` = 22,050 Hz, also ``librosa.load``'s default;
* 2048-point Hann STFT (92.9 ms) every 512 samples (23.2 ms), frames centred with **reflect**
  padding: librosa 0.7.1's default (0.10 changed it to zeros), so the version the paper cites;
* power spectrum on 128 Slaney mel bands (0 Hz to Nyquist), in dB with an 80 dB range
  (``power_to_db(top_db=80)``), orthonormal type-II DCT, 20 coefficients, no liftering.

A 3.75 s window gives a (20, 162) matrix, kept per frame in two ways:

* ``mfcc``: the mean and the standard deviation over time of each coefficient, 40 numbers
  (means first). Like the texture, a summary that does not depend on where in the window a
  sound falls, cheap to store and to cluster at any corpus size: the default.
* ``mfcc_flat``: the matrix flattened coefficient-major (``M.reshape(-1)``: c0 over time, then
  c1, ...), 3240 numbers: the paper's literal "flatten them into vectors", 80 times larger.
  Opt in by adding it to ``features.names``.

Cost: about 1.5 ms per 3.75 s window on one CPU core, batched; the first call in a fresh
environment also compiles librosa's numba kernels once (cached on disk afterwards).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from soundsight.audio.registry import register_features

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MfccParams:
    """Arguments of ``librosa.feature.mfcc`` (see the module doc for why these defaults)."""

    n_mfcc: int = 20
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    fmin: float = 0.0
    fmax: float | None = None  # None = Nyquist
    pad_mode: str = "reflect"
    batch_size: int = 16  # windows per librosa call (memory: batch * (n_fft/2+1) * T complex64)

    def __post_init__(self) -> None:
        for name in ("n_mfcc", "n_fft", "hop_length", "n_mels", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"mfcc {name} must be >= 1, got {getattr(self, name)}")
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"mfcc n_mfcc ({self.n_mfcc}) exceeds n_mels ({self.n_mels})")

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any] | None) -> MfccParams:
        """From the ``features.mfcc`` section (absent keys keep the defaults)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (cfg or {}).items() if k in known})

    def librosa_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``librosa.feature.mfcc`` (all but ``batch_size``)."""
        kwargs = asdict(self)
        del kwargs["batch_size"]
        return kwargs


def mfcc_matrices(audio: np.ndarray, sr: int, params: MfccParams) -> np.ndarray:
    """MFCC matrices of ``audio`` (N, n) at ``sr``: (N, n_mfcc, T) float32, T = 1 + n // hop."""
    import librosa  # imported here: numba's start-up is paid only where MFCCs are computed

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 2:
        raise ValueError(f"audio must be 2-D (windows, samples), got shape {audio.shape}")
    n_frames = 1 + audio.shape[1] // params.hop_length
    out = np.empty((len(audio), params.n_mfcc, n_frames), dtype=np.float32)  # (N, C, T)
    for start in range(0, len(audio), params.batch_size):
        batch = audio[start : start + params.batch_size]  # (b, n)
        out[start : start + len(batch)] = librosa.feature.mfcc(
            y=batch, sr=sr, **params.librosa_kwargs()
        )
    return out


def summarise(matrices: np.ndarray) -> dict[str, np.ndarray]:
    """``mfcc`` (N, 2C): mean then std over time; ``mfcc_flat`` (N, C*T): coefficient-major."""
    mean = matrices.mean(axis=2, dtype=np.float64)  # (N, C)
    std = matrices.std(axis=2, dtype=np.float64)  # (N, C), population std
    stats = np.concatenate([mean, std], axis=1).astype(np.float32)  # (N, 2C)
    n, c, t = matrices.shape
    return {"mfcc": stats, "mfcc_flat": matrices.reshape(n, c * t)}


@register_features("mfcc", "mfcc_flat")
def mfcc_features(audio: np.ndarray, sr: int, cfg: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``mfcc`` (N, 40) and ``mfcc_flat`` (N, 20 * T) with ``cfg['mfcc']`` (``features.mfcc``)."""
    params = MfccParams.from_config(cfg.get("mfcc"))
    logger.info("MFCCs of %d windows at %d Hz: %s", len(audio), sr, params)
    return summarise(mfcc_matrices(audio, sr, params))  # (N, C, T) -> per-frame vectors
