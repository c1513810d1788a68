"""The SVM-MFCC baseline (SoundNet Tables 3 and 4): per-recording MFCC + ZCR statistics,
linear SVM over the ESC folds and on DCASE dev -> test, in the layer probes' layout."""

from __future__ import annotations

import numpy as np
import pytest
from baseline_sets import RATE, recording, write_dcase, write_esc50

from soundsight.probes.mfcc_baseline import MfccBaselineConfig, clip_features, mfcc_baseline


def test_features_are_12_mfcc_means_and_stds_and_the_zcr_pair():
    cfg = MfccBaselineConfig(rate=RATE)
    rng = np.random.default_rng(0)
    sine, noise = (clip_features(recording(k, rng), cfg) for k in ("sine", "noise"))
    assert cfg.dims == 26 and sine.shape == noise.shape == (26,)
    assert noise[24] > 10 * sine[24]  # the zero-crossing rate: noise crosses far more often
    no_zcr = clip_features(recording("sine", rng), MfccBaselineConfig(rate=RATE, zcr=False))
    assert no_zcr.shape == (24,) == (MfccBaselineConfig(zcr=False).dims,)
    with pytest.raises(ValueError, match="at least n_fft"):
        clip_features(np.zeros(100, np.float32), cfg, "short.wav")
    with pytest.raises(ValueError, match="n_mfcc >= 2"):
        MfccBaselineConfig(n_mfcc=1)


def test_a_separable_esc_set_is_learned_over_folds_and_esc10(tmp_path):
    summary, arrays = mfcc_baseline("esc50", write_esc50(tmp_path), MfccBaselineConfig())
    res, ten = summary["layers"]["mfcc"], summary["esc10"]["layers"]["mfcc"]
    assert res["accuracy"] == 1.0 and len(res["fold_accuracies"]) == 5
    assert res["n_test"] == summary["n_recordings"] == 30 and summary["cost"] == 1.0
    assert ten["n_test"] == summary["esc10"]["n_recordings"] == 20 and ten["accuracy"] == 1.0
    assert summary["features"]["dims"] == 26
    assert set(arrays) == {
        f"{what}_{bench}_mfcc_f{k}"
        for what in ("correct", "clip_ids", "labels", "predictions")
        for bench in ("esc50", "esc10") for k in range(1, 6)
    }  # fmt: skip
    ids = np.concatenate([arrays[f"clip_ids_esc50_mfcc_f{k}"] for k in range(1, 6)])
    assert len(set(ids)) == 30  # every recording tested once


def test_dcase_trains_on_dev_and_tests_on_test(tmp_path):
    summary, arrays = mfcc_baseline("dcase2013", write_dcase(tmp_path), MfccBaselineConfig())
    assert summary["layers"]["mfcc"]["accuracy"] == 1.0
    assert summary["layers"]["mfcc"]["n_test"] == 6
    assert all(i.startswith("test/") for i in arrays["clip_ids_dcase2013_mfcc_f1"])
    with pytest.raises(ValueError, match="unknown MFCC baseline dataset"):
        mfcc_baseline("us8k", tmp_path, MfccBaselineConfig())
