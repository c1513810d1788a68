"""SoundNet trained from scratch on the probe labels (Table 5, Scratch Init): the batches,
the training (a separable set is learned) and the per-fold probe in the layer probes' layout."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from baseline_sets import recording, write_esc50

from soundsight.probes.scratch import (
    ScratchConfig,
    batch_order,
    make_batch,
    probe_scratch_esc50,
    train_scratch,
)

TINY = dict(width=0.0625, min_seconds=1.0)


def test_batches_are_epochs_of_permutations_shifted_tiled_and_scaled():
    order = batch_order(5, 3, 4, np.random.default_rng(0))
    assert order.shape == (3, 4) and sorted(order.ravel()[:5]) == [0, 1, 2, 3, 4]
    waves = [np.arange(4, dtype=np.float32)]
    x = make_batch(waves, np.array([0, 0]), 10, 2.0, None)
    assert x.shape == (2, 1, 10)
    np.testing.assert_array_equal(x[0, 0].numpy(), 2 * np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]))
    shifted = make_batch(waves, np.array([0] * 8), 4, 1.0, np.random.default_rng(1))
    assert all(sorted(row.tolist()) == [0, 1, 2, 3] for row in shifted[:, 0])  # rolled copies
    assert len({tuple(r.tolist()) for r in shifted[:, 0]}) > 1
    with pytest.raises(ValueError, match="no training recordings"):
        batch_order(0, 1, 1, np.random.default_rng(0))


def test_config_checks_and_the_probed_layer():
    assert ScratchConfig(model="soundnet8").layer == "pool5"
    assert ScratchConfig(model="soundnet5").layer == "conv4"  # pool5's stride and channels
    with pytest.raises(ValueError, match="scratch model"):
        ScratchConfig(model="caffenet_bn")
    with pytest.raises(ValueError, match="iterations"):
        ScratchConfig(iterations=0)


def test_a_separable_set_is_learned_from_random_init():
    rng = np.random.default_rng(0)
    kinds = ("sine", "noise")
    waves = [recording(kinds[i % 2], rng) for i in range(16)]
    labels = np.arange(16) % 2
    cfg = ScratchConfig(model="soundnet5", iterations=25, batch_size=8, lr=3e-3, **TINY)
    net, losses = train_scratch(waves, labels, 2, cfg, seed=0)
    assert len(losses) == 25 and np.mean(losses[-5:]) < 0.5 * losses[0]
    test = [recording(kinds[i % 2], rng) for i in range(8)]
    x = make_batch(test, np.arange(8), 22_050, 256.0, None)
    with torch.no_grad():
        pred = net(x)["object"].mean(dim=2).argmax(dim=1).numpy()  # (B, K, T) -> (B,)
    assert (pred == np.arange(8) % 2).all()
    with pytest.raises(ValueError, match="one label"):
        train_scratch(waves, labels[:3], 2, cfg, seed=0)


def test_per_fold_nets_probed_on_esc50_and_esc10(tmp_path):
    cfg = ScratchConfig(model="soundnet8", iterations=2, batch_size=4, **TINY)
    summary, arrays = probe_scratch_esc50(write_esc50(tmp_path), cfg, cost=0.01, seed=7)
    res, ten = summary["layers"]["pool5"], summary["esc10"]["layers"]["pool5"]
    assert len(res["fold_accuracies"]) == 5 and res["n_test"] == summary["n_recordings"] == 30
    assert ten["n_test"] == summary["esc10"]["n_recordings"] == 20
    assert res["accuracy"] > 1 / 3  # a separable set: above chance even after 2 steps
    assert [f["seed"] for f in summary["folds"]] == [8, 9, 10, 11, 12]  # seed + fold
    assert summary["training"]["iterations"] == 2 and summary["model"] == "soundnet8"
    assert all(np.isfinite(f["final_loss"]) for f in summary["folds"])
    assert set(arrays) == {
        f"{what}_{bench}_pool5_f{k}"
        for what in ("correct", "clip_ids", "labels", "predictions")
        for bench in ("esc50", "esc10") for k in range(1, 6)
    }  # fmt: skip
    assert summary["feature_layer"] == "pool5"  # the one layer probed, which tables fall back on
