"""Pretext training: datasets, sampler, loop, checkpoint/resume, metrics, target tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.train import (
    FrameDataset,
    IterationBatchSampler,
    TrainConfig,
    list_tasks,
    load_task,
    lr_at,
    resize_side,
    train,
)
from soundsight.train.checkpoint import save_atomic
from soundsight.train.optim import frozen_modules, momentum_at
from soundsight.train.tasks import SoftmaxTask

# (optimizer, schedule) pairs of the papers: Owens et al. 2018; the student reproduction
OPTIMISATIONS = [("sgd", "step"), ("adamw", "onecycle")]

SRC = Path(__file__).resolve().parents[1] / "src"
N_CLASSES = 3


class TinyNet(nn.Module):
    """Stand-in for the registry models: conv + BN + dropout, ``forward(x) -> (B, K)``."""

    def __init__(self, num_outputs: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(8, num_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _write_images(folder: Path, n: int, seed: int) -> tuple[list[Path], np.ndarray]:
    """``n`` noisy 40x40 JPEGs whose dominant colour channel is the class label."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    labels = np.arange(n) % N_CLASSES
    paths = []
    for i, c in enumerate(labels):
        pixels = rng.integers(0, 110, size=(40, 40, 3))
        pixels[..., c] += 140
        path = folder / f"img_{i:03d}.jpg"
        Image.fromarray(pixels.astype(np.uint8)).save(path, quality=90)
        paths.append(path)
    return paths, labels.astype(np.int64)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Path], np.ndarray]]:
    root = tmp_path_factory.mktemp("frames")
    return {
        "train": _write_images(root / "train", 48, 0),
        "val": _write_images(root / "val", 24, 1),
    }


def _cfg(**overrides) -> TrainConfig:
    base = dict(
        iterations=12,
        batch_size=8,
        lr=0.05,
        checkpoint_every=4,
        eval_every=6,
        log_every=2,
        input_size=32,
        device="cpu",
        num_threads=1,
        model="tiny",
    )
    return TrainConfig(**{**base, **overrides})


MULTILABEL_TARGETS = {  # one entry per registered task; None: not image targets (see SKIPPED)
    "softmax": False, "multilabel": True, "masked_multilabel": True, "correspondence": None,
    "distillation": None, "step_mean_softmax": None,
}  # fmt: skip
SKIPPED = {
    "correspondence": "audio-visual pairs: trained under both optimisations in tests/test_avc.py",
    "distillation": "per-step teacher posteriors: trained in tests/test_soundnet.py",
    "step_mean_softmax": "per-step waveform heads: trained in tests/test_probes_scratch.py",
}


def _datasets(images, multilabel: bool = False) -> tuple[FrameDataset, FrameDataset]:
    def targets(labels: np.ndarray) -> np.ndarray:
        if not multilabel:
            return labels
        return np.stack([labels == 0, labels == 2, labels >= 1], 1).astype(np.float32)

    (tp, ty), (vp, vy) = images["train"], images["val"]
    return (
        FrameDataset(tp, targets(ty), 32, train=True),
        FrameDataset(vp, targets(vy), 32, train=False),
    )


# --- datasets and sampler -------------------------------------------------------------------


def test_frame_dataset_shapes_and_deterministic_augmentation(images) -> None:
    train_set, val_set = _datasets(images)
    assert resize_side(227) == 256 and resize_side(32) == 36
    x, y = train_set[(5, 0, 0)]
    assert x.shape == (3, 32, 32) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(x, train_set[(5, 0, 0)][0])  # same key, same augmentation
    others = [train_set[(5, e, 0)][0] for e in range(1, 8)]
    assert any(not torch.equal(x, o) for o in others)  # epochs draw new crops/flips
    v1, v2 = val_set[3][0], val_set[3][0]
    assert torch.equal(v1, v2)
    # ImageNet normalisation: a red-dominant image has a high mean red channel.
    assert val_set[0][0][0].mean() > val_set[0][0][2].mean()


def test_whole_batches_equal_the_stacked_items(images) -> None:
    from torch.utils.data import DataLoader

    from soundsight.train.dataset import WholeBatches, builds_whole_batches, whole_batch

    for multilabel in (False, True):
        train_set, val_set = _datasets(images, multilabel)
        keys = [(i, e, 3) for e in range(3) for i in (0, 5, 7, 11)]  # several epochs: flips
        x, y = train_set.batch(keys)
        assert x.shape == (len(keys), 3, 32, 32) and x.is_contiguous()
        assert torch.equal(x, torch.stack([train_set[k][0] for k in keys]))
        assert torch.equal(y, torch.stack([train_set[k][1] for k in keys]))
        loader = DataLoader(WholeBatches(val_set), batch_size=5, collate_fn=whole_batch)
        vx, vy = next(iter(loader))
        assert torch.equal(vx, torch.stack([val_set[i][0] for i in range(5)]))
        assert torch.equal(vy, torch.stack([val_set[i][1] for i in range(5)]))

    class Relabelled(FrameDataset):  # items of its own: the loader must keep calling them
        def __getitem__(self, key):
            return super().__getitem__(key)

    relabelled = Relabelled(*images["train"], 32, train=True)
    assert builds_whole_batches(train_set) and not builds_whole_batches(relabelled)


def test_frame_dataset_rejects_bad_targets(images) -> None:
    paths, labels = images["train"]
    with pytest.raises(ValueError, match="targets for"):
        FrameDataset(paths, labels[:-1], 32, train=True)
    with pytest.raises(ValueError, match="integer class indices"):
        FrameDataset(paths, labels.astype(np.float32), 32, train=True)


def test_sampler_epochs_are_permutations_and_resume_continues() -> None:
    full = IterationBatchSampler(n=10, batch_size=4, iterations=10, seed=3)
    batches = list(full)
    assert len(batches) == 10
    keys = [k for b in batches for k in b]  # 40 samples = 4 epochs of 10
    for epoch in range(4):
        idx = [i for i, e, _ in keys if e == epoch]
        assert sorted(idx) == list(range(10))
    assert [i for i, _, _ in keys[:10]] != [i for i, _, _ in keys[10:20]]
    resumed = list(IterationBatchSampler(n=10, batch_size=4, iterations=10, seed=3, start=6))
    assert resumed == batches[6:]
    other_seed = list(IterationBatchSampler(n=10, batch_size=4, iterations=10, seed=4))
    assert other_seed != batches


def test_lr_schedule_and_config_validation() -> None:
    paper = TrainConfig()
    assert paper.milestones() == [100_000, 200_000]
    assert lr_at(paper, 99_999) == pytest.approx(0.01)
    assert lr_at(paper, 100_000) == pytest.approx(0.001)
    assert lr_at(paper, 319_999) == pytest.approx(0.0001)
    assert lr_at(TrainConfig(iterations=32), 10) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="lr_steps"):
        TrainConfig(lr_steps=(0.6, 0.3))
    with pytest.raises(ValueError, match="unknown training config"):
        TrainConfig.from_dict({"iterations": 5, "learning_rate": 0.1})


# --- training loop ---------------------------------------------------------------------------


def test_softmax_training_learns_and_writes_outputs(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    torch.manual_seed(0)
    model = TinyNet(N_CLASSES)
    metrics = train(model, train_set, val_set, "softmax", _cfg(), tmp_path)
    curve = metrics["loss_curve"]
    assert curve["iteration"] == [2, 4, 6, 8, 10, 12]
    assert curve["loss"][-1] < curve["loss"][0]  # loss decreases
    val = metrics["val"]
    assert val["chance"] == pytest.approx(1 / 3)
    assert val["top1"] > val["chance"] + 0.2  # held-out accuracy well above chance
    assert val["majority_label"] == 0 and val["majority_accuracy"] == pytest.approx(1 / 3)

    on_disk = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("config", "loss_curve", "val", "wall_time_s", "images_per_s", "device", "seed"):
        assert key in on_disk
    assert on_disk["iterations"] == 12 and on_disk["device"] == "cpu"
    assert on_disk["config"]["lr_steps"] == [0.3125, 0.625]
    assert on_disk["images_per_s"] > 0 and on_disk["n_train"] == 48 and on_disk["n_val"] == 24
    assert [e["iteration"] for e in on_disk["eval_curve"]] == [6]

    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)  # no pickled objects
    assert ckpt["iteration"] == 12
    assert set(ckpt) >= {"model", "optimizer", "scheduler", "rng", "iteration"}
    assert set(ckpt["rng"]) >= {"torch", "numpy", "python"}
    assert ckpt["scheduler"]["milestones"] == [4, 8]
    assert ckpt["optimizer"]["param_groups"][0]["lr"] == pytest.approx(0.05 * 0.01)
    weights = torch.load(tmp_path / "model.pt", weights_only=True)
    for name, tensor in model.state_dict().items():
        assert torch.equal(weights[name], tensor)


def test_multilabel_training_runs(images, tmp_path) -> None:
    train_set, val_set = _datasets(images, multilabel=True)
    torch.manual_seed(0)
    metrics = train(
        TinyNet(3), train_set, val_set, "multilabel", _cfg(eval_every=0, lr=0.1), tmp_path
    )
    val = metrics["val"]
    assert len(val["bit_accuracy"]) == 3 and len(val["majority_bit_accuracy"]) == 3
    assert val["majority_bits"] == [0, 0, 1]  # bit 2 is on for 2/3 of the training frames
    assert val["mean_majority_bit_accuracy"] == pytest.approx((2 / 3 + 2 / 3 + 2 / 3) / 3)
    assert val["mean_bit_accuracy"] > val["mean_majority_bit_accuracy"]
    assert np.isfinite(metrics["loss_curve"]["loss"]).all()


@pytest.mark.parametrize("task", list_tasks())
@pytest.mark.parametrize(("optimizer", "schedule"), OPTIMISATIONS)
def test_every_task_trains_under_every_optimisation(images, tmp_path, task, optimizer, schedule):
    assert task in MULTILABEL_TARGETS, f"add test targets for the newly registered task {task!r}"
    if MULTILABEL_TARGETS[task] is None:
        pytest.skip(SKIPPED[task])
    train_set, val_set = _datasets(images, multilabel=MULTILABEL_TARGETS[task])
    torch.manual_seed(0)
    lr = 0.05 if optimizer == "sgd" else 0.02
    cfg = _cfg(lr=lr, optimizer=optimizer, schedule=schedule, eval_every=0)
    metrics = train(TinyNet(3), train_set, val_set, task, cfg, tmp_path)
    on_disk = json.loads((tmp_path / "metrics.json").read_text())
    assert on_disk["task"] == task and on_disk["config"]["optimizer"] == optimizer
    assert on_disk["config"]["schedule"] == schedule and on_disk["val"] == metrics["val"]
    loss = metrics["loss_curve"]["loss"]
    assert np.isfinite(loss).all() and loss[-1] < loss[0]
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert ckpt["scheduler"]["name"] == schedule
    group = ckpt["optimizer"]["param_groups"][0]
    assert group["lr"] == lr_at(cfg, cfg.iterations - 1)
    if optimizer == "adamw":  # OneCycle cycles beta1 as torch does
        assert group["betas"][0] == momentum_at(cfg, cfg.iterations - 1)


class _FlipAveragedTask(SoftmaxTask):
    """A task whose forward is not ``net(x)``: logits averaged over the image and its mirror."""

    name = "flip_averaged"
    calls = 0

    def forward(self, net, inputs, targets):
        type(self).calls += 1
        return (net(inputs) + net(inputs.flip(-1))) / 2, targets


def test_a_task_object_owns_the_forward_pass(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    torch.manual_seed(0)
    cfg = _cfg(iterations=4, eval_every=0)
    metrics = train(TinyNet(3), train_set, val_set, _FlipAveragedTask(), cfg, tmp_path)
    assert _FlipAveragedTask.calls == 4 + 3  # 4 training batches, 3 held-out batches of 8
    assert metrics["task"] == "flip_averaged" and "top1" in metrics["val"]


def test_trainable_prefixes_train_the_head_only(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    torch.manual_seed(0)
    model = TinyNet(3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cfg = _cfg(iterations=4, eval_every=0, trainable=("head.",))
    train(model, train_set, val_set, "softmax", cfg, tmp_path)
    after = model.state_dict()
    assert torch.equal(after["features.0.weight"], before["features.0.weight"])
    assert torch.equal(after["features.1.weight"], before["features.1.weight"])
    assert not torch.equal(after["head.2.weight"], before["head.2.weight"])
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert sum(len(g["params"]) for g in ckpt["optimizer"]["param_groups"]) == 2


def test_frozen_modules_run_in_eval_mode_even_after_periodic_evals(images, tmp_path) -> None:
    """A frozen BatchNorm keeps its running statistics; parameter-free dropout keeps training."""
    train_set, val_set = _datasets(images)
    torch.manual_seed(0)
    model = TinyNet(3)
    frozen_bn = model.features[1]
    assert frozen_modules(model, ("head.",)) == [model.features[0], frozen_bn]
    assert frozen_modules(model) == []
    before = {k: v.clone() for k, v in model.state_dict().items()}
    modes: list[tuple[bool, bool]] = []  # (BN, dropout) training flags at each forward
    model.head.register_forward_pre_hook(
        lambda _m, _x: modes.append((frozen_bn.training, model.head[1].training))
    )
    cfg = _cfg(iterations=6, eval_every=2, trainable=("head.",))  # evals call model.train() back
    train(model, train_set, val_set, "softmax", cfg, tmp_path)
    after = model.state_dict()
    for key in (
        "features.1.running_mean",
        "features.1.running_var",
        "features.1.num_batches_tracked",
    ):
        assert torch.equal(after[key], before[key]), key
    training_steps = [m for m in modes if m[1]]  # dropout on: the training forwards
    assert len(training_steps) == cfg.iterations and all(not bn for bn, _ in training_steps)
    assert not frozen_bn._forward_pre_hooks  # the hooks are gone after training


def test_a_checkpoint_from_sgd_does_not_resume_under_adamw(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    cfg = _cfg(iterations=4, eval_every=0)
    train(TinyNet(3), train_set, val_set, "softmax", cfg, tmp_path)
    with pytest.raises(ValueError, match="different config.*optimizer: 'sgd' -> 'adamw'"):
        train(TinyNet(3), train_set, val_set, "softmax", _cfg(iterations=4, optimizer="adamw"),
              tmp_path)  # fmt: skip
    with pytest.raises(ValueError, match="different config.*schedule: 'step' -> 'onecycle'"):
        train(TinyNet(3), train_set, val_set, "softmax", _cfg(iterations=4, schedule="onecycle"),
              tmp_path)  # fmt: skip


def test_a_checkpoint_from_before_the_optimiser_keys_resumes_as_sgd_step(images, tmp_path):
    """Checkpoints written before ``optimizer``/``schedule`` existed read them as the defaults."""
    train_set, val_set = _datasets(images)
    cfg = _cfg(iterations=4, eval_every=0)
    train(TinyNet(3), train_set, val_set, "softmax", cfg, tmp_path)
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    new_keys = ("optimizer", "schedule", "pct_start", "div_factor", "final_div_factor",
                "cycle_momentum", "trainable")  # fmt: skip
    ckpt["config"] = {k: v for k, v in ckpt["config"].items() if k not in new_keys}
    save_atomic(ckpt, tmp_path / "checkpoint.pt")
    metrics = train(TinyNet(3), train_set, val_set, "softmax", cfg, tmp_path)
    assert metrics["resumed_from"] == 4
    with pytest.raises(ValueError, match="optimizer: 'sgd' -> 'adamw'"):
        adamw = _cfg(iterations=4, eval_every=0, optimizer="adamw")
        train(TinyNet(3), train_set, val_set, "softmax", adamw, tmp_path)


def test_task_mismatch_and_config_change_are_rejected(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    with pytest.raises(ValueError, match="do not fit task"):
        train(TinyNet(3), train_set, val_set, "multilabel", _cfg(), tmp_path)
    train(TinyNet(3), train_set, val_set, "softmax", _cfg(iterations=4, eval_every=0), tmp_path)
    with pytest.raises(ValueError, match="different config"):
        train(TinyNet(3), train_set, val_set, "softmax", _cfg(iterations=4, lr=0.2), tmp_path)


# --- kill and resume -------------------------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    import numpy as np, torch
    from torch import nn
    from soundsight.train import FrameDataset, TrainConfig, train

    class TinyNet(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.BatchNorm2d(8),
                                          nn.ReLU(), nn.AdaptiveAvgPool2d(1))
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(8, k))
        def forward(self, x):
            return self.head(self.features(x))

    class SlowDataset(FrameDataset):
        def __getitem__(self, key):
            time.sleep(float(os.environ["SLEEP"]))
            return super().__getitem__(key)

    spec = json.loads(sys.argv[1])
    train_set = SlowDataset([Path(p) for p in spec["train"]], np.array(spec["train_y"]), 32, True)
    val_set = FrameDataset([Path(p) for p in spec["val"]], np.array(spec["val_y"]), 32, False)
    torch.manual_seed(123)
    cfg = TrainConfig(**spec["cfg"])
    train(TinyNet(3), train_set, val_set, "softmax", cfg, Path(spec["out"]))
    """
)


def _launch(images, out: Path, sleep: float, **overrides) -> subprocess.Popen:
    (tp, ty), (vp, vy) = images["train"], images["val"]
    cfg = _cfg(checkpoint_every=2, eval_every=5, lr_steps=(0.5,), **overrides).to_dict()
    spec = dict(
        train=[str(p) for p in tp],
        train_y=ty.tolist(),
        val=[str(p) for p in vp],
        val_y=vy.tolist(),
        cfg=cfg,
        out=str(out),
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "SLEEP": str(sleep), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, json.dumps(spec)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_checkpoint(proc: subprocess.Popen, path: Path, min_iteration: int) -> int:
    """Iteration of the first checkpoint at or beyond ``min_iteration`` while ``proc`` runs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"training ended early: {proc.stderr.read().decode()[-2000:]}"
        if path.exists():
            it = int(torch.load(path, weights_only=True)["iteration"])
            if it >= min_iteration:
                return it
        time.sleep(0.05)
    raise AssertionError("no checkpoint written within 60 s")


@pytest.mark.parametrize(("optimizer", "schedule"), OPTIMISATIONS)
def test_kill_and_resume_gives_identical_weights(images, tmp_path, optimizer, schedule) -> None:
    opt = dict(optimizer=optimizer, schedule=schedule, lr=0.05 if optimizer == "sgd" else 0.02)
    reference = _launch(images, tmp_path / "reference", sleep=0.0, **opt)
    killed_dir = tmp_path / "killed"
    victim = _launch(images, killed_dir, sleep=0.03, **opt)  # ~0.25 s per iteration
    killed_at = _wait_for_checkpoint(victim, killed_dir / "checkpoint.pt", 4)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert 4 <= killed_at < 12
    assert not (killed_dir / "model.pt").exists()

    resumed = _launch(images, killed_dir, sleep=0.0, **opt)
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read().decode()[-2000:]
    assert reference.wait(timeout=120) == 0, reference.stderr.read().decode()[-2000:]

    ref_w = torch.load(tmp_path / "reference" / "model.pt", weights_only=True)
    res_w = torch.load(killed_dir / "model.pt", weights_only=True)
    assert ref_w.keys() == res_w.keys()
    for name in ref_w:
        assert torch.equal(ref_w[name], res_w[name]), name
    ref_m = json.loads((tmp_path / "reference" / "metrics.json").read_text())
    res_m = json.loads((killed_dir / "metrics.json").read_text())
    assert res_m["resumed_from"] is not None and res_m["resumed_from"] >= 4
    assert ref_m["resumed_from"] is None
    assert res_m["loss_curve"] == ref_m["loss_curve"]
    assert res_m["eval_curve"] == ref_m["eval_curve"] and len(ref_m["eval_curve"]) == 2
    assert res_m["val"] == ref_m["val"]


# --- target tables ---------------------------------------------------------------------------


def _ingest(tmp_path: Path, n_videos: int = 4) -> tuple[Path, list[str]]:
    """A merged-ingest layout: index.csv + shards/00000/frames/*.jpg (2 frames per video)."""
    ingest = tmp_path / "ingest"
    frames = ingest / "shards" / "00000" / "frames"
    frames.mkdir(parents=True)
    rows = []
    for v in range(n_videos):
        for k in range(2):
            fid = f"v{v:03d}_{k:02d}"
            Image.new("RGB", (8, 8), (v * 40, k * 90, 0)).save(frames / f"{fid}.jpg")
            rows.append(
                dict(
                    shard=0,
                    shard_dir="shards/00000",
                    frame_id=fid,
                    video_id=f"v{v:03d}",
                    jpg=f"frames/{fid}.jpg",
                )
            )
    pd.DataFrame(rows).to_csv(ingest / "index.csv", index=False)
    return ingest, [r["frame_id"] for r in rows]


def test_load_task_clusters_applies_keep_filter(tmp_path) -> None:
    ingest, ids = _ingest(tmp_path)
    table = pd.DataFrame(
        dict(
            frame_id=ids,
            video_id=[i[:4] for i in ids],
            split=["train"] * 6 + ["test"] * 2,
            label=[0, 1, 2, 3, 1, 0, 4, 2],
            distance=np.linspace(0, 1, 8),
            keep=[True, False, True, True, False, True, False, True],
        )
    )
    table.to_csv(tmp_path / "clusters.csv", index=False)
    (tr_p, tr_y), (te_p, te_y), k = load_task(
        tmp_path / "clusters.csv", ingest / "index.csv", ingest, "cluster"
    )
    assert k == 5
    assert [p.stem for p in tr_p] == [ids[0], ids[2], ids[3], ids[5]]
    assert tr_y.tolist() == [0, 2, 3, 0] and tr_y.dtype == np.int64
    assert [p.stem for p in te_p] == ids[6:] and te_y.tolist() == [4, 2]  # keep ignored on test
    assert all(p.is_file() for p in tr_p + te_p)
    assert (
        load_task(tmp_path / "clusters.csv", ingest / "index.csv", ingest, "cluster", 30)[2] == 30
    )


def test_load_task_codes_keeps_leading_zeros(tmp_path) -> None:
    ingest, ids = _ingest(tmp_path)
    codes = ["0010", "0110", "1111", "0000", "0101", "1000", "0011", "0100"]
    pd.DataFrame(
        dict(
            frame_id=ids,
            video_id=[i[:4] for i in ids],
            split=["train"] * 6 + ["test"] * 2,
            code=codes,
        )
    ).to_csv(tmp_path / "codes.csv", index=False)
    (tr_p, tr_y), (te_p, te_y), n = load_task(
        tmp_path / "codes.csv", ingest / "index.csv", ingest, "code"
    )
    assert n == 4 and tr_y.dtype == np.float32 and tr_y.shape == (6, 4)
    assert tr_y[0].tolist() == [0, 0, 1, 0] and te_y[0].tolist() == [0, 0, 1, 1]
    assert len(te_p) == 2


def test_load_task_errors_name_the_problem(tmp_path) -> None:
    ingest, ids = _ingest(tmp_path)
    table = pd.DataFrame(
        dict(
            frame_id=ids + ["ghost_00"],
            video_id="v",
            split=["train"] * 5 + ["test"] * 4,
            label=0,
            distance=0.0,
            keep=True,
        )
    )
    table.to_csv(tmp_path / "clusters.csv", index=False)
    with pytest.raises(ValueError, match="not in the ingest index.*ghost_00"):
        load_task(tmp_path / "clusters.csv", ingest / "index.csv", ingest, "cluster")
    table.iloc[:-1].to_csv(tmp_path / "clusters.csv", index=False)
    (ingest / "shards" / "00000" / "frames" / f"{ids[1]}.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="missing"):
        load_task(tmp_path / "clusters.csv", ingest / "index.csv", ingest, "cluster")
    table.drop(columns="keep").to_csv(tmp_path / "clusters.csv", index=False)
    with pytest.raises(ValueError, match="lacks column.*keep"):
        load_task(tmp_path / "clusters.csv", ingest / "index.csv", ingest, "cluster")
    with pytest.raises(ValueError, match="kind"):
        load_task(tmp_path / "clusters.csv", ingest / "index.csv", ingest, "clusters")  # type: ignore[arg-type]


def test_train_pretext_end_to_end_with_registry_model(tmp_path) -> None:
    models = pytest.importorskip("soundsight.models")
    if "caffenet_bn" not in models.list_models():
        pytest.skip("caffenet_bn is not registered")
    from soundsight.train import train_pretext

    ingest, ids = _ingest(tmp_path)
    pd.DataFrame(
        dict(
            frame_id=ids,
            video_id=[i[:4] for i in ids],
            split=["train"] * 6 + ["test"] * 2,
            code=["0110", "1010", "0011", "1100", "0101", "1001", "0110", "0001"],
        )
    ).to_csv(tmp_path / "codes.csv", index=False)
    cfg = _cfg(
        iterations=3,
        batch_size=4,
        input_size=48,
        model="caffenet_bn",
        eval_every=0,
        model_kwargs={"width": 0.125},
    )
    metrics = train_pretext(
        tmp_path / "codes.csv", ingest / "index.csv", ingest, "code", cfg, tmp_path / "run"
    )
    assert metrics["task"] == "multilabel" and metrics["n_outputs"] == 4
    assert metrics["n_train"] == 6 and metrics["n_val"] == 2
    weights = torch.load(tmp_path / "run" / "model.pt", weights_only=True)
    rebuilt = models.build_model("caffenet_bn", num_outputs=4, width=0.125, input_size=48)
    rebuilt.load_state_dict(weights)  # the saved state dict fits the registry model


def test_loader_workers_do_not_change_the_run(images, tmp_path) -> None:
    train_set, val_set = _datasets(images)
    weights = []
    for workers in (0, 2):
        torch.manual_seed(0)
        model = TinyNet(N_CLASSES)
        cfg = _cfg(iterations=4, eval_every=0, num_workers=workers)
        train(model, train_set, val_set, "softmax", cfg, tmp_path / f"w{workers}")
        weights.append(model.state_dict())
    for name, tensor in weights[0].items():
        assert torch.equal(tensor, weights[1][name]), name


# --- data-parallel training -----------------------------------------------------------------


def _plain_net() -> nn.Module:
    """A BatchNorm-free net of torch classes only (it is pickled to the worker processes)."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(8, N_CLASSES),
    )  # fmt: skip


@pytest.mark.parametrize("decode", ["pil", "device"])
def test_data_parallel_follows_the_single_process_trajectory(images, tmp_path, decode) -> None:
    """Two gloo processes, each with half of every batch, give the one-process weights (with
    frames decoded in the loader or, as at paper scale on GPUs, in batches on the device)."""
    train_set, val_set = _datasets(images)
    cfg = dict(iterations=6, checkpoint_every=3, eval_every=0, decode=decode)
    one = train(_plain_net(), train_set, val_set, "softmax", _cfg(**cfg), tmp_path / "one")
    two = train(
        _plain_net(), train_set, val_set, "softmax", _cfg(**cfg, world_size=2), tmp_path / "two"
    )
    assert one["world_size"] == 1 and two["world_size"] == 2
    assert one["decode"] == two["decode"] == decode
    np.testing.assert_allclose(two["loss_curve"]["loss"], one["loss_curve"]["loss"], atol=1e-5)
    w1 = torch.load(tmp_path / "one" / "model.pt", weights_only=True)
    w2 = torch.load(tmp_path / "two" / "model.pt", weights_only=True)
    assert set(w1) == set(w2)
    for name in w1:
        torch.testing.assert_close(w2[name], w1[name], atol=1e-5, rtol=1e-4)
    assert (tmp_path / "two" / "checkpoint.pt").exists()


def test_data_parallel_needs_a_divisible_batch() -> None:
    with pytest.raises(ValueError, match="divisible by world_size"):
        _cfg(batch_size=9, world_size=2)


def test_workflow_uses_one_process_per_granted_gpu_only_on_cuda() -> None:
    from soundsight.train.run import data_parallel_size

    assert data_parallel_size("cpu", 4) == 1  # CPU jobs never spawn
    assert data_parallel_size("auto", 1) == 1
    if not torch.cuda.is_available():
        assert data_parallel_size("auto", 4) == 1
