"""Pruned FFTs for band-limited spectra and for the low bins of a long signal (exact).

The texture pipeline needs, per cochlear band, (1) all N time samples of an analytic signal whose
spectrum is zero outside K contiguous bins (K << N for most bands), and (2) only the lowest few
hundred DFT bins of the compressed envelope, a real length-N signal. Both are exact Cooley–Tukey
splits of the length-N DFT, ``N = P * Q`` with ``t = P q + r`` (time) and ``k = Q l + kappa``
(frequency), that skip the work on the known zeros / unwanted outputs:

* inverse (band to time): ``Z[r, kappa] = w_N^(kappa r) * sum_l w_P^(l r) Y[l, kappa]``, then a
  length-Q inverse FFT per row r. The sum over l has only ``ceil(K / Q)`` terms (a small complex
  matrix product); the common phase ``w_N^(k0 t)`` of the band's first bin k0 is dropped, since
  only ``|a(t)|`` is used.
* forward (time to low bins): a length-Q FFT per row r, the conjugate twiddle, and a partial
  length-P DFT that produces only the ``ceil(n_low / Q)`` blocks of Q bins that are wanted.

Q is chosen among the 7-smooth divisors of N, so the awkward prime factors of N (e.g. 107 in
74,900, the 20 kHz length of a 3.75 s clip at 22,050 Hz) are handled by the small matrix
products rather than by a slow FFT pass. Rounding is that of an FFT of length Q plus a short
dot product: relative to the band's own energy, not to the whole signal's.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch

SMOOTH_PRIMES = (2, 3, 5, 7)
MIN_Q = 64  # shorter rows would make the per-row work dominate
MATMUL_WEIGHT = 0.5  # cost of one block of the matrix products, in units of one FFT level


@dataclass(frozen=True)
class BandSplit:
    """How one band's length-n transforms are split: ``n = p * q``.

    ``lo`` and ``width`` are the band's first bin and number of (possibly) nonzero bins;
    ``blocks_in = ceil(width / q)`` and ``blocks_out = ceil(n_low / q)`` are the numbers of
    length-q blocks of the band and of the wanted low bins.
    """

    n: int
    p: int
    q: int
    lo: int
    width: int
    n_low: int

    @property
    def blocks_in(self) -> int:
        """Blocks of q bins that hold the band."""
        return -(-self.width // self.q)

    @property
    def blocks_out(self) -> int:
        """Blocks of q bins that hold the wanted low bins."""
        return -(-self.n_low // self.q)

    @property
    def cost(self) -> float:
        """Relative cost per sample: FFT levels plus matrix-product blocks."""
        return math.log2(self.q) * 1.5 + MATMUL_WEIGHT * (self.blocks_in + self.blocks_out)


def smooth_divisors(n: int, primes: tuple[int, ...] = SMOOTH_PRIMES) -> list[int]:
    """Sorted divisors of n whose prime factors all lie in ``primes``."""
    divs = [1]
    rest = n
    for p in primes:
        power = 0
        while rest % p == 0:
            rest //= p
            power += 1
        divs = [d * p**e for d in divs for e in range(power + 1)]
    return sorted(divs)


def choose_splits(
    n: int, bands: list[tuple[int, int]], n_low: int, q: int | None = None
) -> list[BandSplit] | None:
    """One split of n shared by all ``bands`` (``(lo, width)`` each); None if no q fits.

    Candidates are the 7-smooth divisors q of n with ``MIN_Q <= q``, multiples of 4 where there
    are any; the cost model counts FFT levels (``log2 q``) and blocks of the two matrix products,
    summed over the bands. One q for
    every band keeps a single twiddle table in cache. ``q`` forces a divisor.
    """
    for lo, width in bands:
        if width < 1 or lo < 0 or lo + width > n:
            raise ValueError(f"bad band: lo={lo}, width={width}, n={n}")
    if n_low < 1:
        raise ValueError(f"n_low must be >= 1, got {n_low}")
    if q is not None:
        if n % q:
            raise ValueError(f"q={q} does not divide n={n}")
        candidates = [q]
    else:
        divisors = [d for d in smooth_divisors(n) if d >= MIN_Q]
        # FFT libraries are markedly slower on rows with few factors of 2 (e.g. 625 = 5^4).
        candidates = [d for d in divisors if d % 4 == 0] or divisors
    options = [
        [BandSplit(n, n // d, d, lo, width, n_low) for lo, width in bands] for d in candidates
    ]
    if not options:
        return None
    return min(options, key=lambda splits: sum(s.cost for s in splits))


def _unit_phases(num: torch.Tensor, den: int) -> torch.Tensor:
    """``exp(2 pi i num / den)`` for an integer tensor, exactly reduced mod den (complex128)."""
    angle = (num % den).to(torch.float64) * (2.0 * math.pi / den)
    return torch.polar(torch.ones_like(angle), angle)


@functools.lru_cache(maxsize=64)
def twiddles(n: int, p: int, q: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """``T[r, kappa] = w_n^(kappa r)``, ``w_n = exp(2 pi i / n)``: (p, q) complex."""
    r = torch.arange(p, dtype=torch.int64)[:, None]
    kappa = torch.arange(q, dtype=torch.int64)[None, :]
    return _unit_phases(r * kappa, n).to(device=device, dtype=dtype)


@functools.lru_cache(maxsize=64)
def twiddles_conj(n: int, p: int, q: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """``conj(T)``, materialised (p, q) complex (a lazy conjugate view is slower to multiply)."""
    return twiddles(n, p, q, device, dtype).conj().resolve_conj()


@functools.lru_cache(maxsize=64)
def dft_rows(p: int, blocks: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """``D[r, l] = w_p^(l r)``: (p, blocks) complex, the first columns of the p-point IDFT."""
    r = torch.arange(p, dtype=torch.int64)[:, None]
    col = torch.arange(blocks, dtype=torch.int64)[None, :]
    return _unit_phases(r * col, p).to(device=device, dtype=dtype)


def band_signal(y: torch.Tensor, split: BandSplit) -> torch.Tensor:
    """``a(t) w_n^(-lo t)`` with ``a(t) = sum_j y[j] w_n^((lo + j) t)``: ``[r, q]``, t = p q + r.

    ``y`` is ``(B, width)`` complex (the band's bins, any scaling applied); the result is
    ``(B, p, q)`` complex, with the magnitude of a (the band's phase ramp dropped). No 1/n factor
    is applied.
    """
    batch = y.shape[0]
    p, q, blocks = split.p, split.q, split.blocks_in
    device, cdtype = str(y.device), y.dtype
    padded = torch.nn.functional.pad(y, (0, blocks * q - split.width))  # (B, blocks*q)
    y_blocks = padded.reshape(batch, blocks, q)  # (B, L, q)
    if blocks == 1:
        z = y_blocks * twiddles(split.n, p, q, device, cdtype)  # (B, p, q)
    else:
        z = dft_rows(p, blocks, device, cdtype) @ y_blocks  # (B, p, q)
        z.mul_(twiddles(split.n, p, q, device, cdtype))
    return torch.fft.ifft(z, dim=-1, norm="forward")  # (B, p, q), sum without 1/q


@functools.lru_cache(maxsize=64)
def low_bin_rows(p: int, blocks: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    """(2 * blocks, p) rows ``w_p^(-l r)`` (l < blocks) then ``w_p^(m r)`` (1 <= m <= blocks)."""
    r = torch.arange(p, dtype=torch.int64)[None, :]
    lo = -torch.arange(blocks, dtype=torch.int64)[:, None]
    hi = torch.arange(1, blocks + 1, dtype=torch.int64)[:, None]
    return _unit_phases(torch.cat([lo, hi]) * r, p).to(device=device, dtype=dtype)


def low_bins(e: torch.Tensor, split: BandSplit) -> torch.Tensor:
    """The first ``n_low`` DFT bins (unnormalised) of the real length-n signal ``e[r, q]``.

    ``e`` is ``(B, p, q)`` with sample t = p q + r; the result is ``(B, n_low)`` complex.
    Only the one-sided row spectra ``F[r, c]`` (c <= q/2) are computed. With
    ``G = conj(T) * F``, bin ``l q + c`` is ``sum_r w_p^(-l r) G[r, c]`` and, e being real, bin
    ``(l + 1) q - c`` is ``conj(sum_r w_p^((l + 1) r) G[r, c])``: one small matrix product gives
    both halves of every block.
    """
    batch = e.shape[0]
    p, q, blocks, n_low = split.p, split.q, split.blocks_out, split.n_low
    half = q // 2 + 1
    spec = torch.fft.rfft(e, dim=-1)  # (B, p, half)
    device, cdtype = str(spec.device), spec.dtype
    spec.mul_(twiddles_conj(split.n, p, q, device, cdtype)[:, :half])
    both = low_bin_rows(p, blocks, device, cdtype) @ spec  # (B, 2 L, half)
    lower, upper = both[:, :blocks], both[:, blocks:]  # (B, L, half) each
    # Bins l q + c for c in [0, half) and, for c in [half, q), conj(upper[l, q - c]).
    n_up = q - half  # bins of a block above the one-sided part
    mirrored = upper[..., 1 : n_up + 1].flip(-1).conj()  # (B, L, n_up): c = half .. q-1
    full = torch.cat([lower, mirrored], dim=-1)  # (B, L, q)
    return full.reshape(batch, blocks * q)[:, :n_low]
