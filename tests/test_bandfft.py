"""Tests of the pruned band-limited FFTs (soundsight.audio.bandfft) against dense numpy FFTs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from soundsight.audio import bandfft as bf


def _split(n: int, q: int, lo: int, width: int, n_low: int) -> bf.BandSplit:
    return bf.BandSplit(n, n // q, q, lo, width, n_low)


def test_smooth_divisors() -> None:
    assert bf.smooth_divisors(74900) == [
        d for d in range(1, 74901) if 74900 % d == 0 and 700 % d == 0
    ]
    assert bf.smooth_divisors(2 * 107) == [1, 2]
    assert bf.smooth_divisors(1) == [1]


def test_choose_splits_shares_a_smooth_multiple_of_four() -> None:
    splits = bf.choose_splits(74900, [(0, 200), (29000, 8000)], 750)
    assert splits is not None and {s.q for s in splits} == {700}
    assert [s.blocks_in for s in splits] == [1, 12] and splits[0].blocks_out == 2
    forced = bf.choose_splits(75000, [(10, 100)], 751, q=3000)
    assert forced is not None and forced[0].p == 25
    assert bf.choose_splits(2 * 107, [(0, 10)], 5) is None  # no divisor >= MIN_Q
    with pytest.raises(ValueError, match="bad band"):
        bf.choose_splits(1000, [(990, 20)], 10)
    with pytest.raises(ValueError, match="divide"):
        bf.choose_splits(1000, [(0, 20)], 10, q=300)


@pytest.mark.parametrize(
    ("n", "q", "lo", "width"),
    [
        (74900, 700, 10, 300),
        (74900, 700, 30000, 8000),
        (75000, 3000, 0, 11587),
        (1750, 175, 3, 400),
    ],
)
def test_band_signal_magnitude_matches_dense_ifft(n: int, q: int, lo: int, width: int) -> None:
    rng = np.random.default_rng(width)
    y = rng.standard_normal((2, width)) + 1j * rng.standard_normal((2, width))
    full = np.zeros((2, n), complex)
    full[:, lo : lo + width] = y
    dense = np.abs(np.fft.ifft(full, axis=-1) * n)  # (2, n)
    split = _split(n, q, lo, width, 10)
    ours = bf.band_signal(torch.as_tensor(y), split).abs().numpy()  # (2, p, q): t = p q + r
    assert ours.shape == (2, split.p, q)
    ours_t = ours.transpose(0, 2, 1).reshape(2, n)
    np.testing.assert_allclose(ours_t, dense, rtol=0, atol=1e-12 * dense.max())


@pytest.mark.parametrize(
    ("n", "q", "n_low"), [(74900, 700, 750), (75000, 1000, 751), (1750, 175, 400), (1800, 600, 37)]
)
def test_low_bins_match_dense_fft(n: int, q: int, n_low: int) -> None:
    rng = np.random.default_rng(n_low)
    e = rng.standard_normal((2, n))
    dense = np.fft.fft(e, axis=-1)[:, :n_low]
    split = _split(n, q, 0, 1, n_low)
    layout = torch.as_tensor(e.reshape(2, q, n // q).transpose(0, 2, 1).copy())  # [r, q]
    ours = bf.low_bins(layout, split).numpy()
    assert ours.shape == (2, n_low)
    np.testing.assert_allclose(ours, dense, rtol=0, atol=1e-12 * np.abs(dense).max())


def test_float32_rounding_is_relative_to_the_band() -> None:
    # A band far weaker than any other content would be: its own rounding only.
    n, lo, width = 74900, 100, 500
    y = 1e-6 * np.exp(2j * np.pi * np.random.default_rng(0).random((1, width)))
    split = _split(n, 700, lo, width, 10)
    ref = bf.band_signal(torch.as_tensor(y), split).abs()
    ours = bf.band_signal(torch.as_tensor(y).to(torch.complex64), split).abs().double()
    assert float(((ours - ref).abs() / ref.max()).max()) < 1e-6
