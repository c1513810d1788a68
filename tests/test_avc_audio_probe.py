"""Clip probes of a multi-stream model's audio stream (L3-Net Table 2) and the table on them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from soundsight.models import build_model
from soundsight.papers.l3net.claims import clip_sources, l3net_claims, present_models
from soundsight.papers.l3net.tables import (
    L3,
    L3_UNTRAINED,
    audio_probe_file,
    build_table2,
)
from soundsight.probes.avc_audio import (
    audio_subclip_features,
    probe_audio_stream,
    subclip_offsets,
)
from soundsight.report.audit import run_audit
from soundsight.world import WorldConfig
from soundsight.world.soundsets import generate_dcase2013, generate_esc50

RATE = 8000
TINY = {"width": 0.0625, "input_size": 32, "audio_rate": RATE, "n_fft": 128}


def _l3(seed: int = 0) -> nn.Module:
    return build_model("l3_net", seed=seed, **TINY).eval()


def _waves(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-0.5, 0.5, n).astype(np.float32) for n in lengths]


def test_subclip_offsets_span_the_recording():
    np.testing.assert_array_equal(
        subclip_offsets(5 * RATE, 5, RATE), [0, 8000, 16000, 24000, 32000]
    )
    np.testing.assert_array_equal(subclip_offsets(RATE, 3, RATE), [0, 0, 0])  # 1 s: one place


def test_features_per_subclip_pooled_to_the_grid_and_deterministic():
    model = _l3()
    c4 = model.audio.out_channels
    waves = _waves([2 * RATE, int(1.5 * RATE), RATE // 2])  # the last is tiled to 1 s
    feats = audio_subclip_features(model, waves, "audio.conv4_2_pre", 4, pool=(4, 3), batch_size=5)
    assert [f.shape for f in feats] == [(4, c4 * 12)] * 3 and feats[0].dtype == np.float32
    again = audio_subclip_features(model, waves, "audio.conv4_2_pre", 4, pool=(4, 3), batch_size=3)
    for a, b in zip(feats, again, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)  # batching does not matter
    pooled = audio_subclip_features(model, waves, "audio.pool4", 4)
    assert [f.shape for f in pooled] == [(4, c4)] * 3
    # pool4 is the global max of conv4_2 (after the ReLU): the max of its 4 x 3 pooled map
    grid = audio_subclip_features(model, waves, "audio.conv4_2", 4, pool=(4, 3))
    np.testing.assert_allclose(grid[0].reshape(4, c4, 12).max(-1), pooled[0], rtol=1e-5)
    # a sub-clip's row is the net on that 1 s: the first sub-clip of the first recording
    with torch.no_grad():
        x = model.front_end(torch.from_numpy(waves[0][:RATE])[None])
        want = model.forward_intermediates({"audio": x}, ["audio.pool4"])["audio.pool4"]
    np.testing.assert_allclose(pooled[0][0], want[0].numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="cannot be pooled"):
        audio_subclip_features(model, waves, "audio.pool4", 2, pool=(4, 3))
    with pytest.raises(ValueError, match="audio.conv9"):
        audio_subclip_features(model, waves, "audio.conv9", 2)
    with pytest.raises(ValueError, match="no spectrogram"):
        audio_subclip_features(nn.Identity(), waves, "x", 2)


def test_probe_on_the_worlds_esc50_folds_and_dcase_dev_test(tmp_path):
    cfg = WorldConfig(
        scenes=("beach", "street"), esc50_takes=1, esc50_duration_s=1.0, esc50_rate=16000,
        dcase_duration_s=2.0, dcase_rate=16000,
    )  # fmt: skip
    generate_esc50(cfg, tmp_path)
    generate_dcase2013(cfg, tmp_path / "DCASE2013")
    model = _l3()
    summary, arrays = probe_audio_stream(
        model, "esc50", tmp_path, "audio.pool4", None, batch_size=64
    )
    assert len(summary["fold_accuracies"]) == 5 and summary["subclips_per_recording"] == 10
    assert summary["n_test"] == summary["n_recordings"] and summary["sample_rate"] == RATE
    assert summary["feature_dim"] == model.audio.out_channels and summary["cost"] == 1.0
    assert sorted(k for k in arrays if k.startswith("correct_")) == [
        f"correct_esc50_f{k}" for k in range(1, 6)
    ]
    assert summary["accuracy"] == pytest.approx(
        np.mean([arrays[f"correct_esc50_f{k}"].mean() for k in range(1, 6)])
    )
    again, _ = probe_audio_stream(model, "esc50", tmp_path, "audio.pool4", None)
    assert again["accuracy"] == summary["accuracy"]  # deterministic
    dcase, arr = probe_audio_stream(model, "dcase2013", tmp_path / "DCASE2013", "audio.pool4")
    assert dcase["subclips_per_recording"] == 60 and len(dcase["fold_accuracies"]) == 1
    assert len(arr["correct_dcase2013_f1"]) == dcase["n_test"] == dcase["n_recordings"] // 2
    with pytest.raises(ValueError, match="unknown audio probe dataset"):
        probe_audio_stream(model, "voc", tmp_path, "audio.pool4")


def _fake_probes(probes, accuracies):
    """Summaries and per-clip files of Table 2's models: ``{model: (esc50, dcase) accuracy}``."""
    for model, (esc, dcase) in accuracies.items():
        for dataset, acc, folds, n in (("esc50", esc, 5, 20), ("dcase2013", dcase, 1, 40)):
            path = audio_probe_file(probes, model, dataset)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"accuracy": acc, "dataset": dataset}))
            arrays = {}
            for k in range(1, folds + 1):
                correct = np.arange(n) < round(acc * n)
                arrays[f"correct_{dataset}_f{k}"] = correct
                arrays[f"clip_ids_{dataset}_f{k}"] = np.array([f"f{k}c{i}" for i in range(n)])
            np.savez(audio_probe_file(probes, model, dataset, "npz"), **arrays)


def test_table2_puts_ours_beside_the_printed_rows(tmp_path):
    _fake_probes(tmp_path, {L3: (0.6, 0.75), L3_UNTRAINED: (0.3, 0.5)})
    spec, frame = build_table2(tmp_path, [L3, L3_UNTRAINED])
    ours = frame[frame["model"] == L3].set_index("column")
    assert ours.loc["ESC-50", "replicated"] == pytest.approx(60.0)
    assert ours.loc["ESC-50", "published"] == 79.3 and ours.loc["DCASE", "published"] == 93
    rand = frame[frame["model"] == L3_UNTRAINED].set_index("column")
    assert rand.loc["DCASE", "replicated"] == pytest.approx(50.0)
    assert rand.loc["ESC-50", "published"] == 62.5 and rand.loc["DCASE", "published"] == 85
    published_only = set(frame.loc[frame["source"] == "published only", "row"])
    assert {"SoundNet [2]", "SVM-MFCC [26]", "Human perf. [26]"} <= published_only
    assert frame.loc[frame["model"] != "", "source"].eq("replicated+published").all()
    spec.write(frame, tmp_path / "t2.csv", tmp_path / "t2.md")
    md = (tmp_path / "t2.md").read_text()
    assert "60.0 (79.3)" in md and "SoundNet [2] †" in md and "conv4_2_pre" in md
    assert len(pd.read_csv(tmp_path / "t2.csv")) == len(frame)
    _, published = build_table2(None, [])  # no models: the printed rows only
    assert published["replicated"].isna().all() and len(published) == len(frame)


def test_audit_compares_trained_and_untrained_l3_per_benchmark(tmp_path):
    _fake_probes(tmp_path, {L3: (0.7, 0.6), L3_UNTRAINED: (0.2, 0.3)})
    sources = clip_sources(tmp_path, [L3, L3_UNTRAINED])
    assert present_models(sources) == {"esc50": [L3, L3_UNTRAINED], "dcase2013": [L3, L3_UNTRAINED]}
    claims = [c for c in l3net_claims() if c.metric == "clip_accuracy"]
    assert {c.name for c in claims} == {"l3_beats_untrained_esc50", "l3_beats_untrained_dcase2013"}
    from soundsight.papers.l3net.checks import ceiling_checks

    audit = run_audit(
        claims, {"clip_sources": sources}, n_boot=100, progress=False,
        checks=ceiling_checks(present_models(sources)),
    )  # fmt: skip
    verdicts = dict(zip(audit["name"], audit["verdict"], strict=True))
    assert verdicts["l3_beats_untrained_esc50"] == "holds"
    assert verdicts["l3_beats_untrained_dcase2013"] == "holds"
    assert verdicts["unsaturated_esc50"] == verdicts["unsaturated_dcase2013"] == "holds"
