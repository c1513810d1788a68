"""Owens' own sound-texture arithmetic, one clip at a time (benchmark baseline only).

A re-implementation, written for this project, of the computation in Andrew Owens'
``src/aolib/subband.py`` (public repository ``andrewowens/multisensory``, file as of commit
``ca7177c4``): ``subband_envs`` followed by ``texture_stats(envs, 400, normalize_envs=True)``.
It keeps the *way* his code computes, because that is what the texture benchmark compares
against, not just the maths (``texture_numpy_baseline.py`` is the project's own maths written
plainly, which is a different, faster baseline):

* numpy/scipy in float64, one clip per call, arrays time-major ``(samples, bands)``;
* length trim, then ``scipy.signal.resample`` to 20 kHz (always, even when the rate is already
  20 kHz: an identity FFT round trip), clip to [-1, 1], cut to a multiple of 50 samples;
* the ERB filterbank and the modulation filterbank are rebuilt on every call, per band with
  index ranges found by ``np.flatnonzero`` (his ``erb_filters`` / ``mod_filters``);
* subbands by one real FFT of the signal and an inverse real FFT of the ``(F, 32)`` product;
  envelopes by ``scipy.signal.hilbert(subbands, axis=0)`` (a full complex FFT pair per band),
  ``abs``, ``** 0.3``, ``scipy.signal.resample`` to 400 Hz along axis 0, clip to [-1, 1];
* statistics: loudness = median frame norm, envelopes divided by it, mean / variance with
  ``eps = float32 eps``, one ``np.corrcoef`` call per band pair (117 calls), modulation power by
  one filterbank pass per band (real FFT, ``(F, 10)`` product, inverse real FFT), NaN checks.

On the oracle fixtures this reproduces ``owens_502`` to about 1e-12 (see ``test_benchmarks``).
"""

from __future__ import annotations

import numpy as np
import scipy.signal

WORK_SR = 20000.0
ENV_SR = 400.0
N_BANDS = 30  # cosine bands; plus a low-pass and a high-pass band
LOW_HZ, HIGH_HZ = 20.0, 10000.0
COMP_EXP = 0.3
CORR_OFFSETS = (1, 2, 3, 5)


def freq2erb(freq_hz: np.ndarray | float) -> np.ndarray:
    """ERB number of a frequency (Hz)."""
    return 9.265 * np.log(1 + freq_hz / (24.7 * 9.265))


def erb2freq(n_erb: np.ndarray | float) -> np.ndarray:
    """Frequency (Hz) of an ERB number."""
    return 24.7 * 9.265 * (np.exp(n_erb / 9.265) - 1)


def rfftfreq(n: int, d: float = 1.0) -> np.ndarray:
    """Real-FFT bin frequencies, as his own helper computes them."""
    return np.arange(0, n // 2 + 1, dtype=int) * (1.0 / (n * d))


def erb_filters(length: int, sr: float) -> np.ndarray:
    """(F, 32) cochlear gains: low-pass, 30 half-cosines equally spaced in ERB, high-pass."""
    freqs = rfftfreq(length, 1.0 / sr)
    hi_lim = min(HIGH_HZ, sr / 2.0)
    cos_filts = np.zeros((len(freqs), N_BANDS))
    cutoffs = erb2freq(np.linspace(freq2erb(LOW_HZ), freq2erb(hi_lim), 2 + N_BANDS))
    for k in range(N_BANDS):
        lo, hi = cutoffs[k], cutoffs[k + 2]
        l_ind = np.flatnonzero(freqs > lo)[0]
        h_ind = np.flatnonzero(freqs < hi)[-1]
        avg = 0.5 * (freq2erb(lo) + freq2erb(hi))
        rnge = freq2erb(hi) - freq2erb(lo)
        sel = slice(l_ind, h_ind + 1)
        cos_filts[sel, k] = np.cos((freq2erb(freqs[sel]) - avg) / rnge * np.pi)
    filts = np.zeros((len(freqs), N_BANDS + 2))
    filts[:, 1 : N_BANDS + 1] = cos_filts
    h_ind = np.flatnonzero(freqs < cutoffs[1])[-1]
    filts[: h_ind + 1, 0] = np.sqrt(1 - filts[: h_ind + 1, 1] ** 2)
    l_ind = np.flatnonzero(freqs > cutoffs[N_BANDS])[0]
    filts[l_ind:, N_BANDS + 1] = np.sqrt(1 - filts[l_ind:, N_BANDS] ** 2)
    return filts


def mod_filters(length: int, sr: float, n_channels: int = 10, q: float = 1.0) -> np.ndarray:
    """(F, 10) constant-Q modulation gains, 0.5-200 Hz, normalised in the middle band."""
    freqs = rfftfreq(length, 1.0 / sr)
    hi_lim = min(200.0, sr / 2.0)
    cos_filts = np.zeros((len(freqs), n_channels))
    cfs = 2 ** np.linspace(np.log2(0.5), np.log2(hi_lim), n_channels)
    for k in range(n_channels):
        bw = cfs[k] / q
        lo, hi = cfs[k] - bw, cfs[k] + bw
        ok = np.flatnonzero((lo < freqs) & (freqs < hi))
        sel = slice(ok[0], 1 + ok[-1])
        cos_filts[sel, k] = np.cos((freqs[sel] - cfs[k]) / (hi - lo) * np.pi)
    energy = np.sum(cos_filts**2, axis=1)
    middle = energy[(freqs >= cfs[3]) & (freqs <= cfs[-4])]
    return cos_filts / np.sqrt(middle.mean())


def subbands_from_sound(signal: np.ndarray, filts: np.ndarray) -> np.ndarray:
    """(n, bands) zero-phase subbands of a 1-D signal: rfft, gain per band, irfft along time."""
    ft_signal = np.fft.rfft(signal)
    return np.fft.irfft(filts * ft_signal[:, np.newaxis], axis=0).real


def resample(signal: np.ndarray, scale: float, num_samples: int | None = None) -> np.ndarray:
    """``scipy.signal.resample`` along axis 0 to ``round(n * scale)`` samples, clipped to ±1."""
    n = int(round(signal.shape[0] * scale)) if num_samples is None else num_samples
    return np.clip(scipy.signal.resample(signal, n), -1, 1)


def good_resample_length(n: int, new_sr: float, old_sr: float, factor2: int = 100) -> int:
    """Samples kept before resampling: whole output samples, rounded down to a multiple of 100."""
    factor = new_sr / old_sr
    new_len = int(np.floor(n / factor) * factor)
    return new_len - new_len % factor2


def subband_envs(signal0: np.ndarray, sr0: float) -> np.ndarray:
    """Compressed cochlear envelopes at 400 Hz of one mono clip: (M, 32), time-major."""
    signal0 = np.clip(np.asarray(signal0, dtype=np.float64), -1, 1)
    signal0 = signal0[: good_resample_length(signal0.shape[0], WORK_SR, sr0)]
    signal = resample(signal0, WORK_SR / sr0)
    ds_factor = int(np.floor(WORK_SR / ENV_SR))
    signal = signal[: int((len(signal) // ds_factor) * ds_factor)]
    audio_filts = erb_filters(len(signal), WORK_SR)
    subbands = subbands_from_sound(signal, audio_filts)  # (N, 32)
    analytic = scipy.signal.hilbert(subbands, axis=0)  # (N, 32) complex128
    envs = np.abs(analytic)
    envs **= COMP_EXP
    return resample(envs, ENV_SR / WORK_SR)  # (M, 32)


def mod_power(envs: np.ndarray, sr: float) -> np.ndarray:
    """(M, 32, 10) modulation subbands of every band's envelope."""
    filts = mod_filters(envs.shape[0], sr)
    mod_subbands = [subbands_from_sound(envs[:, j], filts) for j in range(envs.shape[1])]
    return np.array(mod_subbands).transpose((1, 0, 2))


def texture_stats(envs: np.ndarray, sr: float) -> tuple[np.ndarray, ...]:
    """(mean, sd/mean, corr, modpow (32, 10), loudness) of (M, 32) envelopes, loudness-normed."""
    envs = envs.astype("float64")
    loudness = np.median(np.sqrt(np.sum(envs**2, axis=1)))
    envs = envs / loudness
    eps = np.finfo(np.float32).eps
    env_mu = envs.mean(0)
    env_var = envs.var(0)
    env_stdev_norm = np.sqrt(env_var / (eps + env_mu**2))
    num_bands = envs.shape[1]
    corrs = []
    for i in range(num_bands):
        for d in CORR_OFFSETS:
            if i + d < num_bands:
                corrs.append(np.corrcoef(envs[:, i], envs[:, i + d])[0, 1])
    corrs = np.array(corrs)
    corrs[np.isnan(corrs)] = 0.0
    mods = mod_power(envs, sr)
    mod_pow_norm = np.zeros(mods.shape[1:])
    for j in range(num_bands):
        mod_pow_unnorm = np.mean(mods[:, j] ** 2, axis=0)
        mod_pow_norm[j, :] = np.sqrt(mod_pow_unnorm / (eps + env_var[j]))
    for x in (env_mu, env_stdev_norm, corrs, mod_pow_norm, loudness):
        assert not np.any(np.isnan(x)) and not np.any(np.isinf(x))
    return env_mu, env_stdev_norm, corrs, mod_pow_norm, loudness


def texture(signal: np.ndarray, sr: float) -> np.ndarray:
    """502-d texture vector of one clip, in the order of the oracle fixtures."""
    mu, sdmean, corrs, modpow, loud = texture_stats(subband_envs(signal, sr), ENV_SR)
    return np.concatenate([mu, sdmean, corrs, modpow.ravel(), [loud]])
