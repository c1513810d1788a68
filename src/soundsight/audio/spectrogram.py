"""Log-spectrograms of 1 s audio clips: the L3-Net / AVE-Net / AVOL-Net audio front end.

Exactly what is computed (batched ``torch.stft``, CPU or CUDA, float32):

- **window**: periodic Hann of ``window = round(0.01 * rate)`` samples (480 at 48 kHz: 0.01 s);
- **hop**: ``window // 2`` (240 at 48 kHz: the papers' half-window overlap);
- **FFT**: ``n_fft`` = 512 points, each 480-sample frame zero-padded to 512 (257 bins);
  the STFT is unnormalised (``X[f, t] = sum_n w[n] x[t * hop + n] exp(-2 pi i f n / n_fft)``);
- **padding** (frames of 1 s = 48,000 samples):

  - ``"valid"`` (L3-Net, as marl/l3embedding): no padding at all; frames start at
    ``0, hop, ...`` while the whole window fits: ``1 + (48000 - 480) // 240 = 199`` frames;
  - ``"end"`` (AVE / AVOL-Net): zeros appended at the end only, as TensorFlow's
    ``tf.signal.stft(..., pad_end=True)``: ``ceil(48000 / 240) = 200`` frames, the first 199
    equal to ``"valid"``'s and the last one covering the clip's final 240 samples followed by
    240 zeros;

- **scale**: ``"db"`` (default): ``10 * log10(|X|^2 + 1e-10)`` (the power in dB with an offset
  of 1e-10 inside the log: digital silence gives -100 dB, never -inf); ``"log"``:
  ``log(1 + |X|)`` (the ``SpectrogramSpec`` "log" scale); ``"linear"``: ``|X|``.

``torch.stft`` frames ``n_fft`` samples with the window centred in them, so the signal is
padded by ``(n_fft - window) / 2`` = 16 zeros on each side first: frame ``t`` then sees exactly
samples ``t * hop .. t * hop + window - 1`` (magnitudes equal ``scipy.signal.stft``'s with
``nperseg=480, noverlap=240, nfft=512, boundary=None, padded=False`` times the window sum).

>>> front = SpectrogramFrontEnd.for_frames(48_000, 512, 199)
>>> front.window, front.hop, front.padding
(480, 240, 'valid')
>>> tuple(front(torch.zeros(2, 48_000)).shape)
(2, 1, 257, 199)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

Padding = Literal["valid", "end"]
Scale = Literal["db", "log", "linear"]
WINDOW_S = 0.01  # the papers' 0.01 s analysis window
DB_EPS = 1e-10  # offset inside the dB log (power floor: -100 dB)
L3_FRAMES, AVE_FRAMES = 199, 200  # 1 s at any rate: valid / end padding


@dataclass(frozen=True)
class SpectrogramFrontEnd:
    """Waveforms (B, N) or (B, 1, N) -> log-spectrograms (B, 1, n_fft // 2 + 1, T)."""

    sample_rate: int = 48_000
    n_fft: int = 512
    padding: Padding = "valid"
    scale: Scale = "db"

    def __post_init__(self) -> None:
        if self.padding not in ("valid", "end"):
            raise ValueError(f"padding must be 'valid' or 'end', got {self.padding!r}")
        if self.scale not in ("db", "log", "linear"):
            raise ValueError(f"scale must be 'db', 'log' or 'linear', got {self.scale!r}")
        if self.window < 2 or self.n_fft < self.window:
            raise ValueError(
                f"need a window of >= 2 samples and n_fft >= window; got window {self.window} "
                f"(0.01 s at {self.sample_rate} Hz) and n_fft {self.n_fft}"
            )

    @classmethod
    def for_frames(
        cls, sample_rate: int, n_fft: int, n_frames: int, scale: Scale = "db"
    ) -> SpectrogramFrontEnd:
        """The front end giving ``n_frames`` frames per second: 199 -> valid, 200 -> end."""
        paddings = {L3_FRAMES: "valid", AVE_FRAMES: "end"}
        if n_frames not in paddings:
            raise ValueError(
                f"1 s spectrograms have 199 (valid) or 200 (end) frames, not {n_frames}"
            )
        return cls(int(sample_rate), int(n_fft), paddings[n_frames], scale)  # type: ignore[arg-type]

    @property
    def window(self) -> int:
        """Analysis window in samples: 0.01 s."""
        return round(WINDOW_S * self.sample_rate)

    @property
    def hop(self) -> int:
        """Hop in samples: half the window."""
        return self.window // 2

    @property
    def n_freq(self) -> int:
        """Frequency bins: n_fft // 2 + 1."""
        return self.n_fft // 2 + 1

    def n_frames(self, n_samples: int) -> int:
        """Frames of an ``n_samples`` clip under this padding."""
        if self.padding == "end":
            return max(1, math.ceil(n_samples / self.hop))
        return 1 + (n_samples - self.window) // self.hop if n_samples >= self.window else 0

    def __call__(self, wave: Tensor) -> Tensor:
        """(B, N) or (B, 1, N) float waveforms -> (B, 1, n_freq, T) float32 spectrograms."""
        return log_spectrogram(wave, self)


def _frames_input(wave: Tensor, front: SpectrogramFrontEnd) -> Tensor:
    """(B, N) -> (B, N') padded so that torch.stft's n_fft frames hold the wanted windows."""
    n = wave.shape[-1]
    frames = front.n_frames(n)
    if frames < 1:
        raise ValueError(f"a clip of {n} samples is shorter than one {front.window}-sample window")
    end = (frames - 1) * front.hop + front.window - n  # zeros after the clip ("end" only)
    side = (front.n_fft - front.window) // 2
    extra = (front.n_fft - front.window) % 2  # odd difference: torch centres the window left
    return torch.nn.functional.pad(wave, (side, side + extra + max(end, 0)))


def log_spectrogram(wave: Tensor, front: SpectrogramFrontEnd | None = None) -> Tensor:
    """Log-spectrograms of a batch of clips (see the module docstring for every parameter).

    ``wave``: (B, N) or (B, 1, N) samples in [-1, 1]; returns (B, 1, n_freq, T) float32 on the
    same device.
    """
    front = front or SpectrogramFrontEnd()
    if wave.ndim == 3 and wave.shape[1] == 1:
        wave = wave[:, 0]
    if wave.ndim != 2:
        raise ValueError(f"waveforms must be (B, N) or (B, 1, N), got {tuple(wave.shape)}")
    x = _frames_input(wave.float(), front)  # (B, N')
    window = torch.hann_window(front.window, periodic=True, device=x.device)  # (480,)
    spec = torch.stft(
        x, n_fft=front.n_fft, hop_length=front.hop, win_length=front.window, window=window,
        center=False, return_complex=True,
    )  # fmt: skip
    spec = spec[..., : front.n_frames(wave.shape[-1])]  # (B, n_freq, T) complex
    mag = spec.abs()  # (B, n_freq, T)
    if front.scale == "db":
        out = 10.0 * torch.log10(mag.square() + DB_EPS)
    elif front.scale == "log":
        out = torch.log1p(mag)
    else:
        out = mag
    return out.unsqueeze(1).float()  # (B, 1, n_freq, T)


__all__ = ["AVE_FRAMES", "DB_EPS", "L3_FRAMES", "SpectrogramFrontEnd", "log_spectrogram"]
