"""McDermott–Simoncelli sound-texture statistics (502-d) and cochlear spectrum features.

This is "method A" of ``tests/fixtures/texture/README.md`` (section 5, the "Owens oracle"): a
batched torch transcription of the statistics Owens et al. (2018) use as their sound descriptor.

Pipeline for a batch of mono clips ``(B, n)`` at ``sr`` Hz, all in the requested dtype:

1. clip to [-1, 1];
2. trim to ``int(floor(n / r) * r)`` samples (``r = 20000 / sr``) rounded down to a multiple of
   100, FFT-resample to ``round(kept * r)`` samples at 20 kHz with ``scipy.signal.resample``
   (scipy >= 1.0) semantics, clip to [-1, 1], cut to a multiple of 50 samples (``N``);
3. 32 zero-phase cochlear filters (low-pass, 30 ERB-spaced half-cosines, high-pass; 20 Hz–10 kHz)
   applied in the real-FFT domain; Hilbert envelope; compression ``** 0.3``;
4. FFT-resample every envelope to 400 Hz (``M = N / 50`` frames) and clip to [-1, 1];
5. loudness ``L`` = median over frames of the 32-band Euclidean norm; envelopes / ``L``;
6. statistics: mean, sd/mean, 117 neighbour correlations, 10x32 modulation powers, ``L``.

``eps = 2**-23`` enters exactly where the oracle puts it (sd/mean and modulation power).
"""

from __future__ import annotations

import functools
import logging
import math

import numpy as np
import scipy.fft
import torch

from soundsight.audio.bandfft import BandSplit, band_signal, choose_splits, low_bins
from soundsight.audio.layout import (  # noqa: F401  the 502-d layout, re-exported (torch-free there)
    N_FEATURES,
    SCALE_KINDS,
    SCALE_MODES,
    TEXTURE_GROUPS,
    scale_factors,
    scale_groups,
)

logger = logging.getLogger(__name__)

WORK_SR = 20000  # Hz, rate of the cochlear filterbank
ENV_SR = 400  # Hz, rate of the envelopes
DECIMATION = WORK_SR // ENV_SR  # 50
N_COS_BANDS = 30
N_BANDS = N_COS_BANDS + 2  # low-pass + 30 cosine bands + high-pass
LOW_HZ = 20.0
HIGH_HZ = 10000.0
COMPRESSION = 0.3
N_MOD = 10
MOD_LOW_HZ = 0.5
MOD_HIGH_HZ = 200.0
MOD_Q = 1.0
CORR_OFFSETS = (1, 2, 3, 5)
EPS = 2.0**-23  # float32 machine epsilon, as in the oracle
MIN_DURATION_S = 1.0
MAX_BLOCKS = 32  # pruned path only while a band spans <= 32 rows of its split
ENVELOPE_METHODS = ("auto", "pruned", "dense")
CPU_PRUNED_BATCH = 2  # clips per pass of the pruned band loop on CPU (cache-sized buffers)
CPU_CHUNK_BYTES = 16 * 2**20  # complex working buffer per chunk on CPU (cache-friendly)
GPU_CHUNK_BYTES = 512 * 2**20  # ... and on CUDA


# ----------------------------------------------------------------------------- filterbanks
def freq_to_erb(freq_hz: np.ndarray | float) -> np.ndarray:
    """ERB number of a frequency: ``9.265 * ln(1 + f / (24.7 * 9.265))``."""
    return 9.265 * np.log1p(np.asarray(freq_hz, dtype=np.float64) / (24.7 * 9.265))


def erb_to_freq(erb: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`freq_to_erb`."""
    return 24.7 * 9.265 * np.expm1(np.asarray(erb, dtype=np.float64) / 9.265)


def cochlear_edges() -> np.ndarray:
    """The 32 band edges ``c_0..c_31`` (Hz), equally spaced in ERB from 20 Hz to 10 kHz."""
    erbs = np.linspace(freq_to_erb(LOW_HZ), freq_to_erb(HIGH_HZ), N_COS_BANDS + 2)
    return erb_to_freq(erbs)


def cochlear_centres() -> np.ndarray:
    """Centre frequency (Hz) of bands 1..30 (peak of each half-cosine): the edges ``c_1..c_30``."""
    return cochlear_edges()[1:-1]


def cochlear_filterbank(n: int, sr: int = WORK_SR) -> np.ndarray:
    """Real gains ``(32, n // 2 + 1)`` of the cochlear filters on the real-FFT grid of length n.

    Band 0 is the low-pass, 1..30 the ERB half-cosines, 31 the high-pass; squared gains sum to 1.
    """
    freqs = np.arange(n // 2 + 1, dtype=np.float64) * (sr / n)  # (F,)
    erb_f = freq_to_erb(freqs)
    edges = cochlear_edges()
    erb_edges = freq_to_erb(edges)
    gains = np.zeros((N_BANDS, freqs.size))  # (32, F)
    for j in range(1, N_COS_BANDS + 1):
        lo, hi = edges[j - 1], edges[j + 1]
        inside = (freqs > lo) & (freqs < hi)  # strict inequalities
        mid = 0.5 * (erb_edges[j - 1] + erb_edges[j + 1])
        rng = erb_edges[j + 1] - erb_edges[j - 1]
        gains[j, inside] = np.cos((erb_f[inside] - mid) / rng * np.pi)
    low = freqs < edges[1]
    gains[0, low] = np.sqrt(1.0 - gains[1, low] ** 2)
    high = freqs > edges[N_COS_BANDS]
    gains[N_BANDS - 1, high] = np.sqrt(1.0 - gains[N_COS_BANDS, high] ** 2)
    return gains


def modulation_centres() -> np.ndarray:
    """Centre frequencies (Hz) of the 10 modulation filters, log-spaced 0.5–200 Hz."""
    step = (math.log2(MOD_HIGH_HZ) - math.log2(MOD_LOW_HZ)) / (N_MOD - 1)
    return 2.0 ** (math.log2(MOD_LOW_HZ) + step * np.arange(N_MOD))


def modulation_filterbank(m: int, sr: int = ENV_SR) -> np.ndarray:
    """Normalised constant-Q (Q=1) cosine gains ``(10, m // 2 + 1)`` on the real-FFT grid of m."""
    freqs = np.arange(m // 2 + 1, dtype=np.float64) * (sr / m)  # (F,)
    centres = modulation_centres()
    gains = np.zeros((N_MOD, freqs.size))  # (10, F)
    for k, cf in enumerate(centres):
        lo, hi = cf - cf / MOD_Q, cf + cf / MOD_Q
        inside = (freqs > lo) & (freqs < hi)
        gains[k, inside] = np.cos((freqs[inside] - cf) / (hi - lo) * np.pi)
    total = (gains**2).sum(axis=0)
    in_norm = (freqs >= centres[3]) & (freqs <= centres[N_MOD - 4])
    return gains / np.sqrt(total[in_norm].mean())


def _hilbert_weights(n: int) -> np.ndarray:
    """Analytic-signal weights on the real-FFT grid of even/odd length n (DC, Nyquist once)."""
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    return w


@functools.lru_cache(maxsize=16)
def _analytic_gains(n: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """Cached complex filters (32, n//2+1): cochlear gain x analytic-signal weight."""
    gains = cochlear_filterbank(n) * _hilbert_weights(n)[None, :]
    return torch.as_tensor(gains, dtype=dtype, device=device).to(_complex_dtype(dtype))


@functools.lru_cache(maxsize=16)
def _modulation_weights(m: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """Cached (F, 10) squared modulation gains times Parseval weights / m**2."""
    parseval = _hilbert_weights(m)  # 1 at DC (and Nyquist for even m), else 2
    weights = (modulation_filterbank(m) ** 2 * parseval[None, :]).T / float(m) ** 2
    return torch.as_tensor(weights, dtype=dtype, device=device)


def _complex_dtype(dtype: torch.dtype) -> torch.dtype:
    """complex64 for float32, complex128 for float64."""
    return torch.complex64 if dtype == torch.float32 else torch.complex128


# ----------------------------------------------------------------------------- FFT helpers
def _rfft(x: torch.Tensor) -> torch.Tensor:
    """Real FFT along the last axis; pocketfft (scipy) on CPU, torch elsewhere.

    On CPU, torch's FFT is several times slower than pocketfft for lengths with large prime
    factors (82,600 = 2^3 5^2 7 59 and 74,921 = 7^2 11 139 at 22,050 Hz).
    """
    if x.device.type != "cpu":
        return torch.fft.rfft(x, dim=-1)
    out = scipy.fft.rfft(x.detach().numpy(), axis=-1, workers=torch.get_num_threads())
    return torch.from_numpy(out)


def _irfft(spec: torch.Tensor, n: int) -> torch.Tensor:
    """Inverse real FFT of length n along the last axis (pocketfft on CPU, see :func:`_rfft`)."""
    if spec.device.type != "cpu":
        return torch.fft.irfft(spec, n=n, dim=-1)
    out = scipy.fft.irfft(spec.detach().numpy(), n=n, axis=-1, workers=torch.get_num_threads())
    return torch.from_numpy(out)


# ----------------------------------------------------------------------------- resampling
def _resample_from_rfft(spec: torch.Tensor, n_old: int, num: int) -> torch.Tensor:
    """FFT resampling from a real spectrum ``(..., >= k//2+1)`` of length n_old to num samples.

    scipy >= 1.0 rule: keep bins ``0..k//2`` (k = min(n_old, num)), and for even k double the
    bin k/2 when downsampling, halve it when upsampling; scale by num / n_old.
    """
    k = min(n_old, num)
    kept = spec[..., : k // 2 + 1]
    if k % 2 == 0 and num != n_old:
        factor = torch.ones(kept.shape[-1], dtype=kept.real.dtype, device=kept.device)
        factor[-1] = 2.0 if num < n_old else 0.5
        kept = kept * factor
    return _irfft(kept, num) * (num / n_old)


def fft_resample(x: torch.Tensor, num: int) -> torch.Tensor:
    """Resample real signals ``(..., n)`` to ``(..., num)`` like ``scipy.signal.resample``."""
    if num < 1:
        raise ValueError(f"fft_resample: target length must be >= 1, got {num}")
    n_old = x.shape[-1]
    if num == n_old:
        return x.clone()
    return _resample_from_rfft(_rfft(x), n_old, num)


def trimmed_lengths(n: int, sr: int) -> tuple[int, int, int]:
    """(kept input samples, resampled length at 20 kHz, final length N) of the oracle rules."""
    r = WORK_SR / sr
    kept = int(math.floor(n / r) * r)
    kept -= kept % 100
    resampled = int(round(kept * r))
    return kept, resampled, resampled - resampled % DECIMATION


# ----------------------------------------------------------------------------- input handling
def _as_batch(
    wave: torch.Tensor | np.ndarray,
    sr: int,
    device: str | torch.device | None,
    dtype: torch.dtype,
) -> torch.Tensor:
    """Validate ``(B, n)`` input and return it as a tensor of dtype on device."""
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"sample rate must be a positive integer, got {sr!r}")
    if device is None:
        device = wave.device if isinstance(wave, torch.Tensor) else "cpu"
    x = torch.as_tensor(wave, device=device).to(dtype)
    if x.ndim != 2:
        raise ValueError(f"wave must be 2-D (batch, samples), got shape {tuple(x.shape)}")
    if x.shape[0] < 1:
        raise ValueError("wave has an empty batch dimension")
    if x.shape[1] < MIN_DURATION_S * sr:
        raise ValueError(
            f"clip too short: {x.shape[1]} samples at {sr} Hz = {x.shape[1] / sr:.3f} s, "
            f"need >= {MIN_DURATION_S} s"
        )
    if not bool(torch.isfinite(x).all()):
        raise ValueError("wave contains NaN or infinite samples")
    return x


def to_work_rate(x: torch.Tensor, sr: int) -> torch.Tensor:
    """Clip, trim and FFT-resample ``(B, n)`` clips to 20 kHz: ``(B, N)`` with N % 50 == 0."""
    x = x.clamp(-1.0, 1.0)
    kept, resampled, n_final = trimmed_lengths(x.shape[-1], sr)
    x = x[:, :kept]
    if resampled != kept:
        x = fft_resample(x, resampled).clamp(-1.0, 1.0)  # (B, resampled)
    return x[:, :n_final]  # (B, N)


# ----------------------------------------------------------------------------- envelopes
def default_chunk_bytes(device: torch.device) -> int:
    """Working-buffer budget: small (cache-sized) on CPU, large on GPU."""
    return GPU_CHUNK_BYTES if device.type == "cuda" else CPU_CHUNK_BYTES


def _bands_per_chunk(batch: int, n: int, dtype: torch.dtype, chunk_bytes: int) -> int:
    """Bands processed together so one complex (B, c, n) buffer fits chunk_bytes (c >= 1)."""
    per_band = batch * n * (8 if dtype == torch.float32 else 16)
    return int(min(N_BANDS, max(1, chunk_bytes // per_band)))


def _envelopes_at_work_rate(x: torch.Tensor, chunk_bytes: int | None = None) -> torch.Tensor:
    """Compressed cochlear envelopes of ``(B, N)`` 20 kHz signals, downsampled: (B, 32, M).

    Bands are processed in chunks, batched over all clips, so the complex working buffers stay
    near ``chunk_bytes`` (at least one band for the whole batch).
    """
    batch, n = x.shape
    m = n // DECIMATION
    if chunk_bytes is None:
        chunk_bytes = default_chunk_bytes(x.device)
    spec = torch.fft.rfft(x, dim=-1)[:, None, :]  # (B, 1, N//2+1)
    spec.imag[..., 0] = 0.0  # c2r ignores these; make the analytic spectrum agree
    if n % 2 == 0:
        spec.imag[..., -1] = 0.0
    gains = _analytic_gains(n, str(x.device), x.dtype)  # (32, N//2+1) complex
    out = torch.empty(batch, N_BANDS, m, dtype=x.dtype, device=x.device)  # (B, 32, M)
    step = _bands_per_chunk(batch, n, x.dtype, chunk_bytes)
    for start in range(0, N_BANDS, step):
        stop = min(start + step, N_BANDS)
        analytic = torch.fft.ifft(spec * gains[start:stop], n=n, dim=-1)  # (B, c, N)
        env = analytic.real.square()
        env.addcmul_(analytic.imag, analytic.imag).pow_(0.5 * COMPRESSION)  # |a| ** 0.3
        del analytic
        env_spec = torch.fft.rfft(env, dim=-1)  # (B, c, N//2+1)
        del env
        out[:, start:stop] = _resample_from_rfft(env_spec, n, m)  # (B, c, M)
    return out.clamp_(-1.0, 1.0)  # (B, 32, M)


@functools.lru_cache(maxsize=16)
def band_splits(n: int, q: int | None = None) -> tuple[BandSplit, ...] | None:
    """Per-band pruned-FFT splits of the length-n work signal, or None to use the dense path.

    Each band's split covers its nonzero analytic bins (cochlear gain > 0, in 0..n/2) and the
    ``M // 2 + 1`` low envelope bins the 400 Hz resampler keeps (M = n / 50); all bands share
    one row length q (:func:`~soundsight.audio.bandfft.choose_splits`; ``q`` forces it). None
    when n has no 7-smooth divisor that makes the split cheaper than a dense FFT.
    """
    n_low = min(n, n // DECIMATION) // 2 + 1
    bands = []
    for gains in cochlear_filterbank(n):  # (n//2+1,) per band
        nonzero = np.flatnonzero(gains)
        if nonzero.size == 0:  # an empty band (too short a signal): no split
            return None
        bands.append((int(nonzero[0]), int(nonzero[-1] - nonzero[0] + 1)))
    splits = choose_splits(n, bands, n_low, q)
    if splits is None or max(s.blocks_in for s in splits) > MAX_BLOCKS:
        return None
    return tuple(splits)


@functools.lru_cache(maxsize=16)
def _band_gains(n: int, device: str) -> tuple[torch.Tensor, ...]:
    """Per band, its analytic gains on its own bins, divided by n: float64 ``(width,)`` each."""
    splits = band_splits(n)
    assert splits is not None
    gains = cochlear_filterbank(n) * _hilbert_weights(n)[None, :] / n  # (32, n//2+1)
    return tuple(
        torch.as_tensor(g[s.lo : s.lo + s.width], device=device)
        for g, s in zip(gains, splits, strict=True)
    )


def _work_spectrum(x: torch.Tensor, sr: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The clips at 20 kHz ``(B, N)`` and their real spectrum ``(B, N//2+1)``, in float64.

    Float64 here keeps the rounding of the shared transforms (relative to the whole signal,
    about 1e-7 in float32) out of the weak bands; later stages round relative to each band.
    """
    x = to_work_rate(x.to(torch.float64), sr)  # (B, N)
    spec = _rfft(x)  # (B, N//2+1) complex128
    spec.imag[..., 0] = 0.0  # c2r ignores these; make the analytic spectrum agree
    if x.shape[-1] % 2 == 0:
        spec.imag[..., -1] = 0.0
    return x, spec


def _compressed_magnitude(a: torch.Tensor, exponent: float) -> torch.Tensor:
    """``|a| ** exponent`` of a complex tensor, real; numpy's SIMD kernels on CPU.

    On CPU, numpy's SIMD complex ``abs``, ``log`` and ``exp`` run several times faster than
    torch's ``abs`` and ``pow`` (measured on this project's 2-core machine); ``exp(c log|a|)``
    costs a few ulp (relative error <= 6e-7 in float32) against ``power``. Elsewhere torch's.
    Zeros stay zeros (``exp(-inf) = 0``).
    """
    if a.device.type != "cpu":
        return a.abs().pow_(exponent)
    mag = np.abs(a.resolve_conj().numpy())
    with np.errstate(divide="ignore"):  # log(0) = -inf, on purpose
        np.log(mag, out=mag)
    mag *= mag.dtype.type(exponent)
    np.exp(mag, out=mag)
    return torch.from_numpy(mag)


def _envelopes_pruned(spec: torch.Tensor, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Compressed 400 Hz envelopes (B, 32, M) from the float64 work spectrum, band by band.

    Per band: its bins times gain (cast to dtype) -> pruned inverse FFT -> ``|a| ** 0.3`` at all
    n samples -> pruned forward FFT of only the low bins ->
    (all bands at once) the 400 Hz FFT resampler's inverse transform. Exact up to rounding.
    On CPU, clips go through the band loop ``CPU_PRUNED_BATCH`` at a time, so that one band's
    working buffers (n complex values per clip) stay in cache.
    """
    splits = band_splits(n)
    assert splits is not None
    m = n // DECIMATION
    gains = _band_gains(n, str(spec.device))
    cdtype = _complex_dtype(dtype)
    batch = spec.shape[0]
    low = torch.empty(batch, N_BANDS, splits[0].n_low, dtype=cdtype, device=spec.device)
    step = CPU_PRUNED_BATCH if spec.device.type == "cpu" else batch
    for start in range(0, batch, step):
        part = spec[start : start + step]  # (b, N//2+1)
        for band, (split, gain) in enumerate(zip(splits, gains, strict=True)):
            bins = (part[:, split.lo : split.lo + split.width] * gain).to(cdtype)  # (b, width)
            env = _compressed_magnitude(band_signal(bins, split), COMPRESSION)  # (b, p, q)
            low[start : start + step, band] = low_bins(env, split)  # (b, M//2+1)
    return _resample_from_rfft(low, n, m).clamp_(-1.0, 1.0)  # (B, 32, M)


def cochlear_envelopes(
    wave: torch.Tensor | np.ndarray,
    sr: int,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_bytes: int | None = None,
    method: str = "auto",
) -> torch.Tensor:
    """Compressed cochlear envelopes at 400 Hz, before loudness normalisation: (B, 32, M).

    ``wave`` is ``(B, n)`` at ``sr`` Hz; M = N / 50 frames (1500 for a 3.75 s clip). Matches the
    oracle's ``owens_envs_400hz``. The clip-level transforms (input resampling, the work
    signal's spectrum) run in float64; the per-band work in ``dtype``. ``method``: ``"pruned"``
    (band-limited pruned FFTs, :mod:`soundsight.audio.bandfft`), ``"dense"`` (one length-N
    inverse and forward FFT per band; ``chunk_bytes`` bounds its per-band-chunk complex buffer)
    or ``"auto"`` (pruned where N allows, see :func:`band_splits`).
    """
    if method not in ENVELOPE_METHODS:
        raise ValueError(f"method must be one of {ENVELOPE_METHODS}, got {method!r}")
    x = _as_batch(wave, sr, device, dtype)  # (B, n)
    work, spec = _work_spectrum(x, sr)  # (B, N) float64, (B, N//2+1) complex128
    n = work.shape[-1]
    if method == "pruned" and band_splits(n) is None:
        raise ValueError(f"no pruned split for a work signal of {n} samples; use 'dense'")
    if method != "dense" and band_splits(n) is not None:
        return _envelopes_pruned(spec, n, dtype)  # (B, 32, M)
    return _envelopes_at_work_rate(work.to(dtype), chunk_bytes)  # (B, 32, M)


# ----------------------------------------------------------------------------- statistics
def loudness(env: torch.Tensor) -> torch.Tensor:
    """Median over frames of the 32-band Euclidean norm (mean of middle pair if even): (B,)."""
    norms = torch.linalg.vector_norm(env, dim=1)  # (B, M)
    srt, _ = torch.sort(norms, dim=-1)
    m = srt.shape[-1]
    if m % 2 == 1:
        return srt[:, m // 2]
    return 0.5 * (srt[:, m // 2 - 1] + srt[:, m // 2])


def correlation_pairs() -> list[tuple[int, int]]:
    """The 117 (i, i+d) band pairs of the corr group, i outermost, d in (1, 2, 3, 5)."""
    return [(i, i + d) for i in range(N_BANDS) for d in CORR_OFFSETS if i + d < N_BANDS]


@functools.lru_cache(maxsize=4)
def _pair_index(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Row and column indices of :func:`correlation_pairs` as tensors on device."""
    pairs = torch.tensor(correlation_pairs(), device=device)  # (117, 2)
    return pairs[:, 0], pairs[:, 1]


def texture_from_envelopes(env: torch.Tensor) -> torch.Tensor:
    """502-d raw texture statistics from un-normalised envelopes ``(B, 32, M)``: (B, 502)."""
    if env.ndim != 3 or env.shape[1] != N_BANDS:
        raise ValueError(f"envelopes must be (B, {N_BANDS}, M), got {tuple(env.shape)}")
    batch, _, m = env.shape
    loud = loudness(env)  # (B,)
    silent = loud <= 0
    if bool(silent.any()):
        logger.warning("%d silent clip(s): loudness 0, statistics set to 0", int(silent.sum()))
    norm = env / torch.where(silent, torch.ones_like(loud), loud)[:, None, None]  # (B, 32, M)
    mean = norm.mean(dim=-1)  # (B, 32)
    centred = norm - mean[..., None]
    cov = centred @ centred.transpose(1, 2) / m  # (B, 32, 32)
    var = torch.diagonal(cov, dim1=1, dim2=2)  # (B, 32) population variance
    sdmean = torch.sqrt(var / (EPS + mean.square()))
    rows, cols = _pair_index(str(env.device))
    denom = torch.sqrt(var[:, rows] * var[:, cols])
    corr = torch.nan_to_num(cov[:, rows, cols] / denom, nan=0.0, posinf=0.0, neginf=0.0)
    modpow = torch.sqrt(_modulation_power(norm) / (EPS + var[..., None]))  # (B, 32, 10)
    return torch.cat(
        [mean, sdmean, corr, modpow.reshape(batch, -1), loud[:, None]], dim=1
    )  # (B, 502)


def _modulation_power(norm: torch.Tensor) -> torch.Tensor:
    """Mean squared output of the 10 circular modulation filters, via Parseval: (B, 32, 10)."""
    m = norm.shape[-1]
    spec = torch.fft.rfft(norm, dim=-1)  # (B, 32, M//2+1)
    power = spec.real.square() + spec.imag.square()
    if m % 2 == 0:  # irfft would use only the real part of the Nyquist bin
        power[..., -1] = spec.real[..., -1].square()
    return power @ _modulation_weights(m, str(norm.device), norm.dtype)  # (B, 32, 10)


def texture_features(
    wave: torch.Tensor | np.ndarray,
    sr: int,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_bytes: int | None = None,
) -> torch.Tensor:
    """Raw 502-d texture statistics of ``(B, n)`` clips at ``sr`` Hz: (B, 502), README order."""
    env = cochlear_envelopes(wave, sr, device=device, dtype=dtype, chunk_bytes=chunk_bytes)
    return _texture_float64(env)


def _texture_float64(env: torch.Tensor) -> torch.Tensor:
    """:func:`texture_from_envelopes` computed in float64 (cheap at 400 Hz), cast to env's dtype."""
    return texture_from_envelopes(env.to(torch.float64)).to(env.dtype)


# ----------------------------------------------------------------------------- spectrum
def spectrum_frames(m: int, window_s: float = 1.0 / 30.0) -> torch.Tensor:
    """Indices of the 400 Hz frames whose time lies within window_s/2 of the clip centre.

    Frame t sits at t / 400 s from the clip start; the centre is frame M / 2 (the middle of the
    analysed, trimmed signal: at most a few ms before the middle of the raw clip). With the
    default 1/30 s window: M = 1500 (3.75 s) -> frames 744..756 (13 frames, 1.860–1.890 s);
    M = 1498 (3.75 s at 22.05 kHz) -> frames 743..755.
    """
    if not window_s > 0:
        raise ValueError(f"window_s must be > 0, got {window_s}")
    half = 0.5 * window_s * ENV_SR  # frames
    centre = 0.5 * m
    first = max(0, math.ceil(centre - half - 1e-9))
    last = min(m - 1, math.floor(centre + half + 1e-9))
    if last < first:
        raise ValueError(f"window_s={window_s} selects no frame of a {m}-frame clip")
    return torch.arange(first, last + 1)


def spectrum_from_envelopes(env: torch.Tensor, window_s: float = 1.0 / 30.0) -> torch.Tensor:
    """Mean compressed envelope per band over the centre window (not loudness-normalised)."""
    idx = spectrum_frames(env.shape[-1], window_s).to(env.device)
    return env[..., idx].mean(dim=-1)  # (B, 32)


def spectrum_features(
    wave: torch.Tensor | np.ndarray,
    sr: int,
    window_s: float = 1.0 / 30.0,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_bytes: int | None = None,
) -> torch.Tensor:
    """Owens' "Spectrum" target: (B, 32) mean cochlear envelope in the centre window.

    The envelopes are those of :func:`cochlear_envelopes` (compressed, 400 Hz, not loudness-
    normalised); frames are chosen by :func:`spectrum_frames`.
    """
    env = cochlear_envelopes(wave, sr, device=device, dtype=dtype, chunk_bytes=chunk_bytes)
    return spectrum_from_envelopes(env, window_s)


def texture_and_spectrum(
    wave: torch.Tensor | np.ndarray,
    sr: int,
    window_s: float = 1.0 / 30.0,
    *,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_bytes: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Both feature sets from one envelope computation: ((B, 502), (B, 32))."""
    env = cochlear_envelopes(wave, sr, device=device, dtype=dtype, chunk_bytes=chunk_bytes)
    return _texture_float64(env), spectrum_from_envelopes(env, window_s)


# ----------------------------------------------------------------------------- rescaling
