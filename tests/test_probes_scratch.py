"""SoundNet trained from scratch on the probe labels (Table 5, Scratch Init): the batches,
the training (a separable set is learned) and the per-fold probe in the layer probes' layout."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from baseline_sets import recording, write_esc50

from soundsight.probes.scratch import (
    Recordings,
    ScratchConfig,
    make_batch,
    probe_scratch_esc50,
    train_scratch,
)

TINY = dict(width=0.0625, min_seconds=1.0)


def test_batches_are_shifted_tiled_and_scaled_per_seeded_key():
    waves = [np.arange(4, dtype=np.float32)]
    x = make_batch(waves, [0, 0], 10, 2.0)
    assert x.shape == (2, 1, 10)
    np.testing.assert_array_equal(x[0, 0].numpy(), 2 * np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]))
    np.testing.assert_array_equal(make_batch(waves, [0], 4, 1.0, [1])[0, 0], [3, 0, 1, 2])
    shifted = Recordings(waves, np.zeros(1), 4, 1.0, shift=True)
    keys = [(0, epoch, 5) for epoch in range(8)]  # the loop's (index, epoch, seed) keys
    x, y = shifted.batch(keys)
    assert x.shape == (8, 1, 4) and y.tolist() == [0] * 8
    assert all(sorted(row.tolist()) == [0, 1, 2, 3] for row in x[:, 0])  # rolled copies
    assert len({tuple(r.tolist()) for r in x[:, 0]}) > 1
    assert torch.equal(shifted.batch(keys)[0], x)  # a key's own generator: the same offsets
    plain = Recordings(waves, np.zeros(1), 4, 1.0, shift=False)
    assert torch.equal(plain.batch(keys)[0], make_batch(waves, [0] * 8, 4, 1.0))


def test_config_checks_and_the_probed_layer():
    assert ScratchConfig(model="soundnet8").layer == "pool5"
    assert ScratchConfig(model="soundnet5").layer == "conv4"  # pool5's stride and channels
    with pytest.raises(ValueError, match="scratch model"):
        ScratchConfig(model="caffenet_bn")
    with pytest.raises(ValueError, match="iterations"):
        ScratchConfig(iterations=0)


def _separable(n: int, rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
    kinds = ("sine", "noise")
    return [recording(kinds[i % 2], rng) for i in range(n)], np.arange(n) % 2


def test_a_separable_set_is_learned_from_random_init():
    rng = np.random.default_rng(0)
    waves, labels = _separable(16, rng)
    cfg = ScratchConfig(model="soundnet5", iterations=25, batch_size=8, lr=3e-3, **TINY)
    test, test_labels = _separable(8, rng)
    net, metrics = train_scratch(waves, labels, 2, cfg, seed=0, held_out=(test, test_labels))
    losses = metrics["loss_curve"]["loss"]
    assert len(losses) == 25 and np.mean(losses[-5:]) < 0.5 * losses[0]
    assert metrics["task"] == "step_mean_softmax" and metrics["config"]["optimizer"] == "adamw"
    assert metrics["config"]["weight_decay"] == 0.0 and metrics["config"]["lr_steps"] == []
    x = make_batch(test, np.arange(8), 22_050, 256.0)
    with torch.no_grad():
        pred = net(x)["object"].mean(dim=2).argmax(dim=1).numpy()  # (B, K, T) -> (B,)
    assert (pred == test_labels).all() and metrics["val"]["top1"] == 1.0
    with pytest.raises(ValueError, match="one label"):
        train_scratch(waves, labels[:3], 2, cfg, seed=0)


def test_the_seed_fixes_the_trained_weights():
    waves, labels = _separable(8, np.random.default_rng(1))
    cfg = ScratchConfig(model="soundnet8", iterations=3, batch_size=4, **TINY)
    nets = [train_scratch(waves, labels, 2, cfg, seed=s)[0].state_dict() for s in (3, 3, 4)]
    assert nets[0].keys() == nets[1].keys()
    assert all(torch.equal(nets[0][k], nets[1][k]) for k in nets[0])  # same seed: same weights
    assert not all(torch.equal(nets[0][k], nets[2][k]) for k in nets[0])


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
    assert all(0 <= f["heldout_top1"] <= 1 for f in summary["folds"])  # the net's own head
    assert set(arrays) == {
        f"{what}_{bench}_pool5_f{k}"
        for what in ("correct", "clip_ids", "labels", "predictions")
        for bench in ("esc50", "esc10") for k in range(1, 6)
    }  # fmt: skip
    assert summary["feature_layer"] == "pool5"  # the one layer probed, which tables fall back on
