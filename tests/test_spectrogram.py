"""The L3 / AVE audio front end against scipy's STFT on the same signals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import get_window, stft

from soundsight.audio.spectrogram import DB_EPS, SpectrogramFrontEnd, log_spectrogram


def _signals(n: int = 2, rate: int = 48_000, seed: int = 0) -> np.ndarray:
    """(n, rate) float64: a chirp plus noise, one per row."""
    rng = np.random.default_rng(seed)
    t = np.arange(rate) / rate
    chirp = np.sin(2 * np.pi * (200 * t + 4000 * t**2))
    return 0.5 * chirp[None] + 0.1 * rng.standard_normal((n, rate))


def _scipy_magnitude(x: np.ndarray, window: int = 480, n_fft: int = 512) -> np.ndarray:
    """|STFT| (n, 257, T), unnormalised: scipy's 'spectrum' scaling undone (x window sum)."""
    win = get_window("hann", window)  # periodic, as torch.hann_window
    _, _, z = stft(
        x, window=win, nperseg=window, noverlap=window // 2, nfft=n_fft, boundary=None,
        padded=False, detrend=False, return_onesided=True, axis=-1,
    )  # fmt: skip
    return np.abs(z) * win.sum()


def test_l3_valid_padding_gives_257_by_199_equal_to_scipy():
    x = _signals()
    front = SpectrogramFrontEnd(padding="valid", scale="linear")
    assert (front.window, front.hop, front.n_fft) == (480, 240, 512)
    mag = front(torch.from_numpy(x).float())
    assert mag.shape == (2, 1, 257, 199) and mag.dtype == torch.float32
    ref = _scipy_magnitude(x)
    assert ref.shape == (2, 257, 199)
    np.testing.assert_allclose(mag[:, 0].numpy(), ref, rtol=1e-4, atol=2e-4)


def test_ave_end_padding_gives_200_frames_the_last_over_zeros():
    x = _signals(seed=1)
    mag = SpectrogramFrontEnd(padding="end", scale="linear")(torch.from_numpy(x).float())
    assert mag.shape == (2, 1, 257, 200)
    padded = np.concatenate([x, np.zeros((2, 240))], axis=1)  # tf pad_end: 240 zeros at the end
    ref = _scipy_magnitude(padded)
    assert ref.shape == (2, 257, 200)
    np.testing.assert_allclose(mag[:, 0].numpy(), ref, rtol=1e-4, atol=2e-4)
    valid = SpectrogramFrontEnd(padding="valid", scale="linear")(torch.from_numpy(x).float())
    torch.testing.assert_close(mag[..., :199], valid)


def test_db_scale_and_its_offset():
    x = torch.from_numpy(_signals(n=1)).float()
    db = log_spectrogram(x, SpectrogramFrontEnd(scale="db"))
    ref = 10 * np.log10(_scipy_magnitude(x.double().numpy()) ** 2 + DB_EPS)
    np.testing.assert_allclose(db[:, 0].numpy(), ref, rtol=0, atol=2e-3)
    silent = log_spectrogram(torch.zeros(1, 48_000))
    assert torch.all(silent == -100.0)  # 10 log10(1e-10)
    logged = log_spectrogram(x, SpectrogramFrontEnd(scale="log"))
    lin = log_spectrogram(x, SpectrogramFrontEnd(scale="linear"))
    torch.testing.assert_close(logged, torch.log1p(lin))


def test_pure_tone_peaks_at_its_bin_and_batch_matches_single():
    rate = 48_000
    t = torch.arange(rate) / rate
    tone = torch.sin(2 * torch.pi * 3000.0 * t)  # bin 3000 / (48000 / 512) = 32
    batch = torch.stack([tone, 0.5 * tone, torch.zeros(rate)])  # (3, 48000)
    spec = log_spectrogram(batch[:, None])  # (B, 1, N) input too
    assert spec.shape == (3, 1, 257, 199)
    assert (spec[0, 0].argmax(0) == 32).all()
    torch.testing.assert_close(spec[1:2], log_spectrogram(batch[1:2]))
    # half the amplitude: -6.02 dB everywhere the tone dominates
    torch.testing.assert_close(spec[0, 0, 32] - spec[1, 0, 32], torch.full((199,), 6.0206),
                               atol=1e-3, rtol=0)  # fmt: skip


def test_other_rates_keep_the_frame_counts_and_bad_inputs_raise():
    for rate in (8000, 16000, 32000):
        for frames in (199, 200):
            front = SpectrogramFrontEnd.for_frames(rate, 512, frames)
            assert front(torch.randn(1, rate)).shape == (1, 1, 257, frames)
    assert SpectrogramFrontEnd.for_frames(48_000, 512, 200).padding == "end"
    with pytest.raises(ValueError, match="199.*200"):
        SpectrogramFrontEnd.for_frames(48_000, 512, 198)
    with pytest.raises(ValueError, match="n_fft"):
        SpectrogramFrontEnd(n_fft=256)
    with pytest.raises(ValueError, match=r"\(B, N\)"):
        log_spectrogram(torch.zeros(2, 2, 100))
    with pytest.raises(ValueError, match="shorter than one"):
        log_spectrogram(torch.zeros(1, 100))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    x = torch.from_numpy(_signals()).float()
    torch.testing.assert_close(log_spectrogram(x.cuda()).cpu(), log_spectrogram(x), atol=1e-3,
                               rtol=1e-4)  # fmt: skip
