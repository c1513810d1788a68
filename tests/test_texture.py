"""Tests of the 502-d sound texture and the cochlear spectrum features."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import torch
from scipy.io import wavfile

from soundsight.audio import texture as tx
from soundsight.audio.features import clip_features

FIXTURES = Path(__file__).parent / "fixtures" / "texture"
CLIPS = sorted(p.stem for p in FIXTURES.glob("*.wav"))
ENVELOPE_CLIPS = [
    "a_white_noise_20000hz",
    "e_harmonic_f0150_am4hz_20000hz",
    "h_mix_e_plus_g_20000hz",
]
FLOAT32_CLIPS = [
    "a_white_noise_20000hz",
    "c_tone_1khz_20000hz",
    "e_harmonic_f0150_am4hz_16000hz",
    "b_pink_noise_22050hz",
]
# (mean, sd/mean, corr, modpow, loudness relative), README section 8.
TOL_A64 = (1e-6, 1e-5, 1e-5, 1e-5, 1e-6)
TOL_A32 = (1e-5, 1e-4, 1e-3, 1e-3, 1e-5)
SR = 20000


def load_clip(name: str) -> tuple[np.ndarray, int, dict[str, np.ndarray]]:
    """(samples as int16/32768 float64, sample rate, oracle arrays) of one fixture clip."""
    sr, pcm = wavfile.read(FIXTURES / f"{name}.wav")
    assert pcm.dtype == np.int16
    with np.load(FIXTURES / f"{name}.npz", allow_pickle=False) as z:
        oracle = {k: z[k] for k in z.files}
    return pcm.astype(np.float64) / 32768.0, int(sr), oracle


def assert_matches_oracle(ours: np.ndarray, oracle: dict, tol: tuple[float, ...]) -> None:
    """Group-wise absolute comparison with owens_502 under owens_502_valid."""
    ref, valid = oracle["owens_502"], oracle["owens_502_valid"]
    assert ours.shape == (502,)
    assert np.isfinite(ours[valid]).all()
    for group, atol in zip(("mean", "sdmean", "corr", "modpow"), tol[:4], strict=True):
        sl = tx.TEXTURE_GROUPS[group]
        err = np.abs(ours[sl] - ref[sl])[valid[sl]]
        assert err.max() <= atol, f"{group}: max |diff| {err.max():.3g} > {atol}"
    rel = abs(ours[501] - ref[501]) / ref[501]
    assert rel <= tol[4], f"loudness: relative diff {rel:.3g} > {tol[4]}"


def noise(seconds: float, seed: int, sr: int = SR) -> np.ndarray:
    """Gaussian noise at RMS 0.05."""
    return 0.05 * np.random.default_rng(seed).standard_normal(round(seconds * sr))


def tone(freq: float, seconds: float = 2.0, sr: int = SR, amp: float = 0.1) -> np.ndarray:
    """A sine tone."""
    return amp * np.sin(2 * np.pi * freq * np.arange(round(seconds * sr)) / sr)


# ----------------------------------------------------------------------------- oracle tests
@pytest.mark.parametrize("name", CLIPS)
def test_texture_matches_owens_oracle_float64(name: str) -> None:
    wave, sr, oracle = load_clip(name)
    ours = tx.texture_features(wave[None], sr)[0].numpy()
    assert_matches_oracle(ours, oracle, TOL_A64)


@pytest.mark.parametrize("name", FLOAT32_CLIPS)
def test_texture_matches_owens_oracle_float32(name: str) -> None:
    wave, sr, oracle = load_clip(name)
    ours = tx.texture_features(wave[None], sr, dtype=torch.float32)
    assert ours.dtype == torch.float32
    assert_matches_oracle(ours[0].double().numpy(), oracle, TOL_A32)


@pytest.mark.parametrize("name", ENVELOPE_CLIPS)
def test_envelopes_match_owens_oracle(name: str) -> None:
    wave, sr, oracle = load_clip(name)
    env = tx.cochlear_envelopes(wave[None], sr)[0].numpy()
    assert env.shape == oracle["owens_envs_400hz"].shape == (32, 1500)
    np.testing.assert_allclose(env, oracle["owens_envs_400hz"], rtol=0, atol=1e-6)


def test_oracle_batch_of_mixed_clips_matches() -> None:
    """A batch of several fixture clips at one rate gives each clip's oracle values."""
    names = [n for n in CLIPS if n.endswith("_20000hz")][:4]
    loaded = [load_clip(n) for n in names]
    batch = np.stack([w for w, _, _ in loaded])
    feats = tx.texture_features(batch, SR).numpy()
    for row, (_, _, oracle) in zip(feats, loaded, strict=True):
        assert_matches_oracle(row, oracle, TOL_A64)


# ----------------------------------------------------------------------------- building blocks
@pytest.mark.parametrize(("n", "num"), [(1000, 400), (1000, 333), (600, 750), (601, 750)])
def test_fft_resample_matches_scipy(n: int, num: int) -> None:
    x = np.random.default_rng(n + num).standard_normal((2, n))
    ours = tx.fft_resample(torch.as_tensor(x), num).numpy()
    np.testing.assert_allclose(ours, scipy.signal.resample(x, num, axis=-1), atol=1e-12)


@pytest.mark.parametrize(
    ("n", "sr", "expected"),
    [
        (75000, 20000, (75000, 75000, 75000)),
        (60000, 16000, (60000, 75000, 75000)),
        (82688, 22050, (82600, 74921, 74900)),
    ],
)
def test_trimmed_lengths_follow_oracle_rule(n: int, sr: int, expected: tuple) -> None:
    assert tx.trimmed_lengths(n, sr) == expected


@pytest.mark.parametrize("n", [75000, 74900, 20050])
def test_cochlear_filters_power_complementary(n: int) -> None:
    gains = tx.cochlear_filterbank(n)
    assert gains.shape == (32, n // 2 + 1)
    np.testing.assert_allclose((gains**2).sum(axis=0), 1.0, atol=1e-12)
    freqs = np.arange(n // 2 + 1) * SR / n
    edges = tx.cochlear_edges()
    band5 = gains[5] > 0
    assert freqs[band5].min() > edges[4] and freqs[band5].max() < edges[6]


def test_modulation_filters_normalised_and_zero_at_dc() -> None:
    gains = tx.modulation_filterbank(1500)
    freqs = np.arange(751) * 400 / 1500
    centres = tx.modulation_centres()
    np.testing.assert_allclose(centres[[0, -1]], [0.5, 200.0])
    assert np.all(gains[:, 0] == 0)
    sel = (freqs >= centres[3]) & (freqs <= centres[6])
    assert (gains[:, sel] ** 2).sum(axis=0).mean() == pytest.approx(1.0)


def test_correlation_pairs_order() -> None:
    pairs = tx.correlation_pairs()
    assert len(pairs) == 117
    assert pairs[:5] == [(0, 1), (0, 2), (0, 3), (0, 5), (1, 2)]
    assert pairs[-1] == (30, 31)


# ----------------------------------------------------------------------------- properties
def test_gain_invariance_except_loudness() -> None:
    x = noise(1.5, 1) * (1 + np.sin(2 * np.pi * 3 * np.arange(30000) / SR))
    feats = tx.texture_features(np.stack([x, 0.25 * x]), SR).numpy()
    np.testing.assert_allclose(feats[1, :501], feats[0, :501], rtol=0, atol=1e-9)
    assert feats[1, 501] / feats[0, 501] == pytest.approx(0.25**0.3, rel=1e-9)


@pytest.mark.parametrize("freq", [300.0, 1000.0, 4000.0])
def test_tone_energy_in_nearest_band(freq: float) -> None:
    # 2 s tone with an integer number of cycles: no spectral leakage.
    env_mean = tx.texture_features(tone(freq)[None], SR)[0, :32].numpy()
    centres_erb = tx.freq_to_erb(tx.cochlear_centres())
    nearest = 1 + int(np.argmin(np.abs(centres_erb - tx.freq_to_erb(freq))))
    assert int(np.argmax(env_mean)) == nearest
    others = np.delete(env_mean, [nearest - 1, nearest, nearest + 1])
    assert others.max() < 1e-3 * env_mean.max()


def test_am_noise_peaks_in_nearest_modulation_channel() -> None:
    rate = 8.0
    t = np.arange(3 * SR) / SR
    x = noise(3.0, 7) * (1 + np.sin(2 * np.pi * rate * t))
    modpow = tx.texture_features(x[None], SR)[0, 181:501].numpy().reshape(32, 10)
    expected = int(np.argmin(np.abs(np.log(tx.modulation_centres() / rate))))
    hits = (modpow.argmax(axis=1) == expected).mean()
    assert hits >= 0.9, f"only {hits:.0%} of bands peak at channel {expected}"
    # Without AM, the 8 Hz channel carries much less power.
    flat = tx.texture_features(noise(3.0, 7)[None], SR)[0, 181:501].numpy().reshape(32, 10)
    assert np.median(modpow[:, expected] / flat[:, expected]) > 2


def test_batch_invariance() -> None:
    clips = np.stack([noise(1.2, s) for s in range(3)])
    batch = tx.texture_features(clips, SR).numpy()
    alone = tx.texture_features(clips[1:2], SR).numpy()
    np.testing.assert_allclose(batch[1], alone[0], rtol=0, atol=1e-12)
    tiny_chunks = tx.texture_features(clips, SR, chunk_bytes=1).numpy()
    np.testing.assert_allclose(tiny_chunks, batch, rtol=0, atol=1e-12)


def test_silence_gives_zero_features_not_nan() -> None:
    feats = tx.texture_features(np.zeros((1, SR)), SR).numpy()
    assert np.isfinite(feats).all()
    assert np.all(feats == 0)


def test_input_clipped_to_unit_range() -> None:
    x = 3.0 * tone(440.0, 1.0)
    feats = tx.texture_features(np.stack([x, np.clip(x, -1, 1)]), SR).numpy()
    np.testing.assert_allclose(feats[0], feats[1], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("wave", "sr", "match"),
    [
        (np.zeros(SR * 2), SR, "2-D"),
        (np.zeros((1, 2, SR * 2)), SR, "2-D"),
        (np.zeros((1, SR * 2)), 0, "sample rate"),
        (np.zeros((1, SR * 2)), -5, "sample rate"),
        (np.zeros((1, SR // 2)), SR, "too short"),
        (np.full((1, SR * 2), np.nan), SR, "NaN"),
        (np.zeros((0, SR * 2)), SR, "empty"),
    ],
)
def test_validation_errors(wave: np.ndarray, sr: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        tx.texture_features(wave, sr)


def test_shapes_and_dtype() -> None:
    feats = tx.texture_features(np.stack([noise(1.0, 3), noise(1.0, 4)]), SR)
    assert feats.shape == (2, 502) and feats.dtype == torch.float64
    env = tx.cochlear_envelopes(torch.as_tensor(noise(1.0, 3))[None], SR)
    assert env.shape == (1, 32, 400)


# ----------------------------------------------------------------------------- spectrum
def test_spectrum_tone_peaks_in_right_band() -> None:
    spec = tx.spectrum_features(np.stack([tone(500.0), tone(2000.0)]), SR).numpy()
    assert spec.shape == (2, 32)
    centres_erb = tx.freq_to_erb(tx.cochlear_centres())
    for row, freq in zip(spec, (500.0, 2000.0), strict=True):
        nearest = 1 + int(np.argmin(np.abs(centres_erb - tx.freq_to_erb(freq))))
        assert int(np.argmax(row)) == nearest


def test_spectrum_window_is_centred() -> None:
    t = np.arange(2 * SR) / SR
    burst_centre = tone(1000.0) * (np.abs(t - 1.0) < 0.05)
    burst_edge = tone(1000.0) * (np.abs(t - 0.3) < 0.05)
    spec = tx.spectrum_features(np.stack([burst_centre, burst_edge]), SR).numpy()
    band = int(np.argmax(spec[0]))
    assert spec[1, band] < 0.2 * spec[0, band]


def test_spectrum_frames_documented_window() -> None:
    frames = tx.spectrum_frames(1500)
    assert frames.tolist() == list(range(744, 757))
    with pytest.raises(ValueError, match="window_s"):
        tx.spectrum_frames(1500, 0.0)


def test_clip_features_matches_direct_calls() -> None:
    audio = np.stack([noise(1.1, s, 22050) for s in range(3)])
    out = clip_features(audio, 22050, batch_size=2, progress=False)
    assert out["texture"].shape == (3, 502) and out["spectrum"].shape == (3, 32)
    np.testing.assert_allclose(
        out["texture"], tx.texture_features(audio, 22050).numpy(), atol=1e-12
    )
    np.testing.assert_allclose(
        out["spectrum"], tx.spectrum_features(audio, 22050).numpy(), atol=1e-12
    )
    f32 = clip_features(audio[:1], 22050, dtype=torch.float32, device="auto", progress=False)
    assert f32["texture"].dtype == np.float32
    with pytest.raises(ValueError, match="2-D"):
        clip_features(audio[0], 22050)


# ----------------------------------------------------------------------------- scale_groups
@pytest.mark.parametrize(
    ("mode", "factors"),
    [
        ("none", (1.0, 1.0, 1.0, 1.0)),
        ("inverse_dim", (1 / 64, 1 / 117, 1 / 320, 1.0)),
        ("inverse_sqrt_dim", (1 / 8, 1 / np.sqrt(117), 1 / np.sqrt(320), 1.0)),
    ],
)
def test_scale_groups_factors(mode: str, factors: tuple[float, ...]) -> None:
    x = np.ones((3, 502))
    y = tx.scale_groups(x, mode)
    assert isinstance(y, np.ndarray) and y.shape == (3, 502)
    for sl, f in zip(tx.SCALE_KINDS.values(), factors, strict=True):
        np.testing.assert_allclose(y[:, sl], f)
    yt = tx.scale_groups(torch.ones(2, 502, dtype=torch.float32), mode)
    assert isinstance(yt, torch.Tensor) and yt.dtype == torch.float32
    np.testing.assert_allclose(yt.numpy(), y[:2], rtol=1e-6)


def test_scale_groups_errors() -> None:
    with pytest.raises(ValueError, match="inverse_dim"):
        tx.scale_groups(np.ones(502), "whiten")
    with pytest.raises(ValueError, match="502"):
        tx.scale_groups(np.ones(500), "none")


# ----------------------------------------------------------------------------- fast path
def _owens_baseline():
    """benchmarks/owens_texture_baseline.py: Owens' subband.py arithmetic, float64, per clip."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "owens_texture_baseline.py"
    spec = importlib.util.spec_from_file_location("owens_texture_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("sr", "seconds"), [(22050, 3.75), (20000, 1.5), (16000, 1.2)])
def test_pruned_envelopes_match_dense(sr: int, seconds: float) -> None:
    x = noise(seconds, 11, sr) * (1 + np.sin(2 * np.pi * 5 * np.arange(round(seconds * sr)) / sr))
    pruned = tx.cochlear_envelopes(x[None], sr, method="pruned").numpy()
    dense = tx.cochlear_envelopes(x[None], sr, method="dense").numpy()
    bands = 31 if sr == 16000 else 32  # at 16 kHz band 31 is empty: rounding noise only
    np.testing.assert_allclose(pruned[:, :bands], dense[:, :bands], rtol=0, atol=1e-12)


def test_auto_falls_back_to_dense_without_a_good_split() -> None:
    n = 100 * 401  # work length 40,100 at 20 kHz: only q = 100 is 7-smooth, rows too short
    assert tx.band_splits(n) is None
    x = noise(n / SR, 5)[None]
    auto = tx.cochlear_envelopes(x, SR).numpy()
    np.testing.assert_allclose(auto, tx.cochlear_envelopes(x, SR, method="dense"), atol=1e-12)
    with pytest.raises(ValueError, match="no pruned split"):
        tx.cochlear_envelopes(x, SR, method="pruned")
    with pytest.raises(ValueError, match="method"):
        tx.cochlear_envelopes(x, SR, method="fast")


@pytest.mark.parametrize(
    ("sr", "freq", "wave"),
    [
        (22050, 100.0, "clip"),
        (22050, 1000.0, "clip"),
        (22050, 441.0, "sign"),
        (20000, 441.0, "sign"),
    ],
)
def test_float32_hard_clipped_square_waves_match_owens_code(
    sr: int, freq: float, wave: str
) -> None:
    """Square waves: weak bands hold only leakage, where whole-signal float32 rounding showed."""
    t = np.arange(round(3.75 * sr)) / sr
    phase = 2 * np.pi * freq * t + 0.1
    x = np.clip(5 * np.sin(phase), -1, 1) if wave == "clip" else 0.5 * np.sign(np.sin(phase))
    ref = _owens_baseline().texture(x, sr)
    ours = tx.texture_features(x[None], sr, dtype=torch.float32)[0].double().numpy()
    oracle = {"owens_502": ref, "owens_502_valid": np.ones(502, dtype=bool)}
    assert_matches_oracle(ours, oracle, TOL_A32)


def test_compressed_magnitude_is_abs_to_the_power() -> None:
    a = torch.randn(2, 3, 50, dtype=torch.complex64)
    a[0, 0, :5] = 0
    ours = tx._compressed_magnitude(a, 0.3)
    assert ours.dtype == torch.float32 and ours.shape == a.shape
    expected = a.abs().double() ** 0.3
    np.testing.assert_allclose(ours.double(), expected, rtol=1e-6, atol=0)
    assert torch.all(ours[0, 0, :5] == 0)
