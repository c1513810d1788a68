"""Layer probes of raw-waveform nets on the world's mini-ESC-50 and mini-DCASE 2013."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.io import wavfile
from torch import nn

from soundsight.models.base import tile_to_length
from soundsight.models.input_spec import WaveformSpec
from soundsight.models.soundnet import SoundNet5, SoundNet8
from soundsight.probes.waveform import (
    layer_windows,
    probe_layer_names,
    probe_layers,
    read_wave,
)
from soundsight.world import WorldConfig
from soundsight.world.soundsets import generate_dcase2013, generate_esc50

TINY = dict(esc50_duration_s=1.0, esc50_rate=16000, dcase_duration_s=1.0, dcase_rate=16000)


class _Loudness(nn.Module):
    """A stand-in 'net' whose one layer is the windowed RMS and zero-crossing rate: features a
    linear SVM separates for the world's sound makers far above chance."""

    input_spec = WaveformSpec(sample_rate=8000, num_samples=8000, scale=256.0)
    layer_names = ("stats",)

    def check_layers(self, layers):
        bad = [x for x in layers if x not in self.layer_names]
        if bad:
            raise ValueError(f"unknown layer(s) {bad}; valid: {self.layer_names}")
        return tuple(layers)

    def forward_intermediates(self, x, layers):
        w = x[:, 0].unfold(1, 800, 800) / 256.0  # (1, T, 800) windows of 0.1 s
        rms = w.square().mean(-1).sqrt()
        zcr = (w[..., 1:].sign() != w[..., :-1].sign()).float().mean(-1)
        return {"stats": torch.stack([rms, zcr, rms * zcr], dim=1)}  # (1, 3, T)


def test_read_wave_resamples_to_the_models_rate_and_tile_repeats(tmp_path):
    t = np.arange(16000) / 16000
    pcm = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    wavfile.write(tmp_path / "a.wav", 16000, pcm)
    x = read_wave(tmp_path / "a.wav", 8000)
    assert x.shape == (8000,) and x.dtype == np.float32 and 0.45 < np.abs(x).max() < 0.55
    tiled = tile_to_length(torch.arange(3.0)[None, None], 7)[0, 0]  # the tiling windows get
    np.testing.assert_array_equal(tiled.numpy(), [0, 1, 2, 0, 1, 2, 0])
    with pytest.raises(ValueError, match="empty"):
        tile_to_length(torch.zeros(1, 1, 0), 4)


def test_soundnet_windows_are_a_layers_time_steps():
    net = SoundNet8(num_outputs=3, num_scene_outputs=2, width=0.0625, num_samples=22050)
    waves = [np.random.default_rng(0).uniform(-1, 1, 22050).astype(np.float32)]
    out = layer_windows(net, waves, ["pool5", "conv7"], min_seconds=10.0)
    shapes = net.feature_shapes(220_500)  # 1 s tiled to 10 s
    assert out["pool5"][0].shape == shapes["pool5"][::-1]  # (T, C)
    assert out["conv7"][0].shape == shapes["conv7"][::-1]
    with pytest.raises(ValueError, match="conv1"):
        layer_windows(net, waves, ["fc9"])
    image = nn.Identity()
    image.input_spec = "an image spec"
    with pytest.raises(ValueError, match="does not take a waveform"):
        layer_windows(image, waves, ["x"])


def test_the_heads_layer_is_both_heads_side_by_side_and_each_net_probes_its_own_layers():
    net = SoundNet8(num_outputs=3, num_scene_outputs=2, width=0.0625, num_samples=22050)
    waves = [np.random.default_rng(1).uniform(-1, 1, 22050).astype(np.float32)]
    out = layer_windows(net, waves, ["conv8"], min_seconds=10.0)
    with torch.no_grad():
        x = tile_to_length(torch.from_numpy(waves[0])[None, None], 220_500) * 256.0
        logits = net.eval()(x)  # {"object": (1, 3, T), "scene": (1, 2, T)}
    want = torch.cat([logits["object"][0], logits["scene"][0]]).T.numpy()  # (T, 5)
    np.testing.assert_allclose(out["conv8"][0], want, rtol=1e-5, atol=1e-5)
    requested = ["conv4", "conv5", "pool5", "conv6", "conv7", "conv8"]
    assert probe_layer_names(net, requested) == tuple(requested)
    net5 = SoundNet5(num_outputs=3, num_scene_outputs=2, width=0.0625, num_samples=22050)
    assert probe_layer_names(net5, requested) == ("conv4", "conv5")  # conv5: SoundNet-5's heads
    assert probe_layer_names(net, ["pool5"]) == ("pool5", "conv7")  # + the trunk's top layer
    assert probe_layer_names(net5, ["pool5", "conv8"]) == ("conv4",)  # only its top layer
    with pytest.raises(ValueError, match="none of the probe layers"):
        probe_layer_names(_Loudness(), ["pool5"])


def test_esc50_and_esc10_probe_over_folds_and_dcase_on_dev_test(tmp_path):
    cfg = WorldConfig(scenes=("beach", "street"), esc50_takes=2, **TINY)
    generate_esc50(cfg, tmp_path)
    generate_dcase2013(cfg, tmp_path / "DCASE2013")
    model = _Loudness()
    summary, arrays = probe_layers(model, "esc50", tmp_path, ["stats"], min_seconds=1.0)
    res = summary["layers"]["stats"]
    assert len(res["fold_accuracies"]) == 5 and summary["cost"] == 0.01
    assert res["n_test"] == summary["n_recordings"] == 13 * 5 * 2
    assert res["accuracy"] > 3 / 13  # far above chance (1/13): the features carry the class
    ten = summary["esc10"]["layers"]["stats"]
    assert ten["n_test"] == summary["esc10"]["n_recordings"] < summary["n_recordings"]
    ids = [arrays[f"clip_ids_esc50_stats_f{k}"] for k in range(1, 6)]
    assert sum(map(len, ids)) == 130 and len(set(np.concatenate(ids))) == 130  # each clip once
    assert arrays["correct_esc50_stats_f1"].dtype == bool
    summary, arrays = probe_layers(
        model, "dcase2013", tmp_path / "DCASE2013", ["stats"], cost=1.0, min_seconds=1.0
    )
    assert summary["cost"] == 1.0 and summary["layers"]["stats"]["n_test"] == 2 * 2  # per scene
    keys = ("correct", "clip_ids", "labels", "predictions")
    assert set(arrays) == {f"{k}_dcase2013_stats_f1" for k in keys}
    assert set(arrays["labels_dcase2013_stats_f1"]) == {"0", "1"}  # the two scenes' targets
    with pytest.raises(ValueError, match="unknown audio probe dataset"):
        probe_layers(model, "us8k", tmp_path, ["stats"])
