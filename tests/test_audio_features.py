"""Tests of the audio feature registry (soundsight.audio.registry) and the MFCC features."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import librosa
import numpy as np
import pytest
import torch
import yaml

from soundsight.audio import registry
from soundsight.audio.features import clip_features
from soundsight.audio.mfcc import MfccParams, mfcc_matrices
from soundsight.audio.registry import compute_features, list_features, register_features
from soundsight.audio.store import merge_features, save_features

ROOT = Path(__file__).resolve().parents[1]
SR = 22050
WINDOW = round(3.75 * SR)  # 82688, ingest's window
N_FRAMES = 1 + WINDOW // 512  # 162 MFCC frames per window
FEATURES_SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())[
    "properties"
]["features"]["properties"]


def noise(n: int, seed: int, amp: float = 0.1) -> np.ndarray:
    """White Gaussian noise (n,) float32."""
    return (amp * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def tone(freq: float, n: int, amp: float = 0.3) -> np.ndarray:
    """A sine tone (n,) float32 at SR."""
    return (amp * np.sin(2 * np.pi * freq * np.arange(n) / SR)).astype(np.float32)


def test_registry_lists_the_features_the_schema_allows() -> None:
    assert {"texture", "spectrum", "mfcc", "mfcc_flat"} <= set(list_features())
    assert FEATURES_SCHEMA["names"]["items"]["enum"] == sorted(
        list_features(), key=["texture", "spectrum", "mfcc", "mfcc_flat"].index
    )
    assert set(FEATURES_SCHEMA["names"]["default"]) == {"texture", "spectrum", "mfcc"}


def test_texture_and_spectrum_by_name_are_clip_features_bit_for_bit() -> None:
    audio = np.stack([noise(round(1.2 * SR), s, 0.05) for s in range(3)])  # (3, n)
    cfg = {"batch_size": 2, "device": "cpu", "dtype": "float32", "spectrum_window_s": 0.0333}
    by_name = compute_features(audio, SR, ["spectrum", "texture"], cfg)
    direct = clip_features(audio, SR, 2, "cpu", torch.float32, False, 0.0333)
    assert list(by_name) == ["spectrum", "texture"]  # the order asked for
    for name in ("texture", "spectrum"):
        assert by_name[name].dtype == direct[name].dtype
        assert by_name[name].tobytes() == direct[name].tobytes()


def test_unknown_or_clashing_feature_names() -> None:
    with pytest.raises(KeyError, match="unknown audio feature.*'mfc'.*registered"):
        compute_features(np.zeros((1, 100), np.float32), SR, ["mfc"])
    with pytest.raises(ValueError, match="already registered"):
        register_features("texture")(lambda audio, sr, cfg: {})
    with pytest.raises(ValueError, match="2-D"):
        compute_features(np.zeros(100, np.float32), SR, ["mfcc"])


def test_extractor_runs_once_and_shapes_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))  # keep the test's own
    calls = []

    @register_features("_test_pair_a", "_test_pair_b")
    def pair(audio: np.ndarray, sr: int, cfg: dict) -> dict[str, np.ndarray]:
        calls.append(len(audio))
        return {"_test_pair_a": audio[:, :2], "_test_pair_b": audio[:1]}

    audio = np.ones((3, 5), np.float32)
    assert compute_features(audio, SR, ["_test_pair_a"])["_test_pair_a"].shape == (3, 2)
    with pytest.raises(ValueError, match="_test_pair_b.*not \\(3, D\\)"):
        compute_features(audio, SR, ["_test_pair_a", "_test_pair_b"])
    assert calls == [3, 3]  # once per call, not once per name


def test_mfcc_matches_a_direct_librosa_call() -> None:
    audio = np.stack([noise(WINDOW, 0), tone(440.0, WINDOW) + noise(WINDOW, 1, 0.01)])
    feats = compute_features(audio, SR, ["mfcc", "mfcc_flat"], {"mfcc": {"batch_size": 1}})
    assert feats["mfcc"].shape == (2, 40) and feats["mfcc"].dtype == np.float32
    assert feats["mfcc_flat"].shape == (2, 20 * N_FRAMES)
    for clip, stats, flat in zip(audio, feats["mfcc"], feats["mfcc_flat"], strict=True):
        direct = librosa.feature.mfcc(
            y=clip, sr=SR, n_mfcc=20, n_fft=2048, hop_length=512, n_mels=128, pad_mode="reflect"
        )  # (20, 162)
        np.testing.assert_allclose(flat.reshape(20, N_FRAMES), direct, rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(stats[:20], direct.mean(axis=1), rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(stats[20:], direct.std(axis=1), rtol=1e-4, atol=1e-3)


def test_mfcc_of_silence_by_hand() -> None:
    """Silence: every mel band floors at 10 log10(1e-10) = -100 dB; the orthonormal DCT of a
    constant c over 128 bands is c * sqrt(128) in c0 and 0 elsewhere; nothing varies in time."""
    feats = compute_features(np.zeros((2, WINDOW), np.float32), SR, ["mfcc"])["mfcc"]
    expected = np.zeros(40)
    expected[0] = -100.0 * np.sqrt(128)  # -1131.37
    np.testing.assert_allclose(feats, np.broadcast_to(expected, (2, 40)), atol=1e-3)


def test_mfcc_gain_moves_only_c0_by_hand() -> None:
    """A gain g adds 20 log10(g) dB to every mel band (80 dB range is relative to the maximum),
    so only c0's mean moves, by 20 log10(g) * sqrt(128); the other means and all stds stay."""
    clip = noise(WINDOW, 3)
    quiet, loud = compute_features(np.stack([clip, 2 * clip]), SR, ["mfcc"])["mfcc"]
    shift = loud - quiet
    assert shift[0] == pytest.approx(20 * np.log10(2) * np.sqrt(128), abs=2e-3)  # 68.11
    np.testing.assert_allclose(shift[1:], 0.0, atol=2e-3)


def test_mfcc_batching_and_empty_shard() -> None:
    audio = np.stack([noise(WINDOW // 4, s) for s in range(5)])
    one = mfcc_matrices(audio, SR, MfccParams(batch_size=1))
    many = mfcc_matrices(audio, SR, MfccParams(batch_size=4))
    np.testing.assert_allclose(one, many, rtol=1e-6, atol=1e-4)
    empty = compute_features(np.zeros((0, WINDOW), np.float32), SR, ["mfcc", "mfcc_flat"])
    assert empty["mfcc"].shape == (0, 40) and empty["mfcc_flat"].shape == (0, 20 * N_FRAMES)


def test_mfcc_params_follow_the_config_and_its_schema() -> None:
    schema = FEATURES_SCHEMA["mfcc"]["properties"]
    assert {f.name for f in fields(MfccParams)} == set(schema)
    for f in fields(MfccParams):
        assert schema[f.name]["default"] == f.default, f.name  # one set of documented defaults
    config = yaml.safe_load((ROOT / "config.yaml").read_text())["features"]["mfcc"]
    assert MfccParams.from_config(config) == MfccParams()
    params = MfccParams.from_config({"n_mfcc": 13, "pad_mode": "constant"})
    assert params.n_mfcc == 13 and params.librosa_kwargs()["pad_mode"] == "constant"
    assert "batch_size" not in params.librosa_kwargs()
    small = compute_features(noise(4096, 0)[None], SR, ["mfcc"], {"mfcc": {"n_mfcc": 13}})
    assert small["mfcc"].shape == (1, 26)
    with pytest.raises(ValueError, match="exceeds n_mels"):
        MfccParams(n_mfcc=40, n_mels=32)
    with pytest.raises(ValueError, match="hop_length"):
        MfccParams(hop_length=0)


def test_new_features_survive_the_shard_merge(tmp_path: Path) -> None:
    mfcc = np.arange(8, dtype=np.float32).reshape(2, 4)
    save_features(tmp_path / "a.npz", ["f1", "f0"], {"mfcc": mfcc, "texture": mfcc * 2})
    merged = merge_features([tmp_path / "a.npz"], ["f0", "f1"])
    np.testing.assert_array_equal(merged["mfcc"], mfcc[::-1])
    assert merged["frame_id"].tolist() == ["f0", "f1"]
