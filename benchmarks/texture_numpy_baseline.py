"""Straightforward per-clip numpy/scipy texture statistics (benchmark baseline only).

Same math as ``soundsight.audio.texture`` (README method A), written the plain way, one clip at a
time: ``scipy.signal.resample``, numpy real FFT filtering, ``scipy.signal.hilbert`` per band,
time-domain modulation filtering, Python loops over bands and pairs. Filterbanks are cached per
length so that the timing measures the per-clip work only.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.signal import hilbert, resample

WORK_SR = 20000
DECIMATION = 50
EPS = 2.0**-23


def _erb(f: np.ndarray) -> np.ndarray:
    """ERB number of frequency f (Hz)."""
    return 9.265 * np.log(1 + np.asarray(f, dtype=np.float64) / (24.7 * 9.265))


def _inv_erb(e: np.ndarray) -> np.ndarray:
    """Frequency (Hz) of ERB number e."""
    return 24.7 * 9.265 * (np.exp(np.asarray(e, dtype=np.float64) / 9.265) - 1)


@functools.lru_cache(maxsize=8)
def cochlear_filters(n: int) -> np.ndarray:
    """(32, n//2+1) cochlear gains: low-pass, 30 ERB half-cosines, high-pass."""
    freqs = np.arange(n // 2 + 1) * WORK_SR / n
    edges = _inv_erb(np.linspace(_erb(20.0), _erb(10000.0), 32))
    filts = np.zeros((32, len(freqs)))
    for j in range(1, 31):
        lo, hi = edges[j - 1], edges[j + 1]
        for m, f in enumerate(freqs):
            if lo < f < hi:
                mid = (_erb(lo) + _erb(hi)) / 2
                filts[j, m] = math.cos((_erb(f) - mid) / (_erb(hi) - _erb(lo)) * math.pi)
    for m, f in enumerate(freqs):
        if f < edges[1]:
            filts[0, m] = math.sqrt(1 - filts[1, m] ** 2)
        if f > edges[30]:
            filts[31, m] = math.sqrt(1 - filts[30, m] ** 2)
    return filts


@functools.lru_cache(maxsize=8)
def modulation_filters(m: int) -> np.ndarray:
    """(10, m//2+1) normalised constant-Q modulation gains at 400 Hz."""
    freqs = np.arange(m // 2 + 1) * 400.0 / m
    centres = [
        2 ** (math.log2(0.5) + k * (math.log2(200.0) - math.log2(0.5)) / 9) for k in range(10)
    ]
    filts = np.zeros((10, len(freqs)))
    for k, cf in enumerate(centres):
        for i, f in enumerate(freqs):
            if 0 < f < 2 * cf:
                filts[k, i] = math.cos((f - cf) / (2 * cf) * math.pi)
    total = (filts**2).sum(axis=0)
    sel = (freqs >= centres[3]) & (freqs <= centres[6])
    return filts / math.sqrt(total[sel].mean())


def envelopes(x: np.ndarray, sr: int) -> np.ndarray:
    """Compressed 400 Hz envelopes (32, M) of one clip x (n,) at sr Hz."""
    x = np.clip(x, -1, 1)
    r = WORK_SR / sr
    kept = int(math.floor(len(x) / r) * r)
    kept -= kept % 100
    x = np.clip(resample(x[:kept], int(round(kept * r))), -1, 1)
    x = x[: len(x) - len(x) % DECIMATION]
    n = len(x)
    spec = np.fft.rfft(x)
    filts = cochlear_filters(n)
    env = np.zeros((32, n // DECIMATION))
    for j in range(32):
        sub = np.fft.irfft(spec * filts[j], n)
        e = np.abs(hilbert(sub)) ** 0.3
        env[j] = resample(e, n // DECIMATION)
    return np.clip(env, -1, 1)


def texture(x: np.ndarray, sr: int) -> np.ndarray:
    """502-d texture statistics of one clip x (n,) at sr Hz."""
    env = envelopes(x, sr)
    norms = np.sqrt((env**2).sum(axis=0))
    loud = np.median(norms)
    env = env / loud
    m = env.shape[1]
    mean = env.mean(axis=1)
    var = env.var(axis=1)
    sdmean = np.sqrt(var / (EPS + mean**2))
    cc = np.nan_to_num(np.corrcoef(env))
    corr = [cc[i, i + d] for i in range(32) for d in (1, 2, 3, 5) if i + d < 32]
    mfilts = modulation_filters(m)
    modpow = np.zeros((32, 10))
    for j in range(32):
        spec = np.fft.rfft(env[j])
        for k in range(10):
            out = np.fft.irfft(spec * mfilts[k], m)
            modpow[j, k] = math.sqrt(np.mean(out**2) / (EPS + var[j]))
    return np.concatenate([mean, sdmean, corr, modpow.ravel(), [loud]])
