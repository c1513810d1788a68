"""Batched on-device frame decoding: same crops as the PIL path, fallbacks, errors, training."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.train import FrameDataset, TrainConfig, train
from soundsight.train.device_decode import (
    EncodedFrames,
    collate_encoded,
    resolve_decode,
    to_device,
)

CPU = torch.device("cpu")
ONE_LEVEL = 1 / (255 * 0.224)  # one 8-bit grey level after ImageNet normalisation (widest std)


def _write_frames(folder: Path, n: int, size: tuple[int, int] = (48, 40)) -> list[Path]:
    """Noisy JPEGs (misaligned crops would differ everywhere); class = dominant channel."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = rng.integers(0, 110, size=(size[1], size[0], 3))
        pixels[..., i % 3] += 140
        paths.append(folder / f"f{i:02d}.jpg")
        Image.fromarray(pixels.astype(np.uint8)).save(paths[-1], quality=90)
    return paths


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _write_frames(tmp_path_factory.mktemp("frames"), 12)


def _both_paths(paths: list[Path], input_size: int, train: bool) -> tuple[torch.Tensor, ...]:
    """The PIL path's and the device path's images for the same keys."""
    fd = FrameDataset(paths, np.arange(len(paths)) % 3, input_size, train)
    keys = [(i, 2, 5) for i in range(len(paths))]
    pil = torch.stack([fd[k][0] for k in keys])
    batch = collate_encoded([EncodedFrames(fd)[k] for k in keys])
    dev, y = to_device(batch, fd, CPU)
    assert torch.equal(y, torch.as_tensor(fd.targets))
    return pil, dev


@pytest.mark.parametrize("input_size", [32, 48])  # resized down (36 px) and up (54 px)
@pytest.mark.parametrize("train", [True, False])
def test_device_path_matches_the_pil_path(frames, input_size, train) -> None:
    pil, dev = _both_paths(frames, input_size, train)
    assert dev.shape == pil.shape == (len(frames), 3, input_size, input_size)
    diff = (dev - pil).abs()
    assert diff.max() <= 1.01 * ONE_LEVEL  # same window and flip; resizers round apart
    assert diff.mean() < 0.35 * ONE_LEVEL


def test_training_crops_vary_by_epoch_like_the_pil_path(frames) -> None:
    fd = FrameDataset(frames, np.zeros(len(frames), int), 32, train=True)
    enc = EncodedFrames(fd)
    crops = [to_device(collate_encoded([enc[(0, e, 0)]]), fd, CPU)[0] for e in range(6)]
    assert any(not torch.equal(crops[0], c) for c in crops[1:])


def test_non_jpeg_frames_decode_on_the_cpu(tmp_path) -> None:
    paths = _write_frames(tmp_path, 3)
    buf = io.BytesIO()
    Image.open(paths[1]).save(buf, format="PNG")  # a PNG behind a .jpg name
    paths[1].write_bytes(buf.getvalue())
    pil, dev = _both_paths(paths, 32, train=False)
    assert (dev - pil).abs().max() <= 1.01 * ONE_LEVEL


def test_a_corrupt_frame_is_named(tmp_path) -> None:
    paths = _write_frames(tmp_path, 3)
    paths[2].write_bytes(paths[2].read_bytes()[:40])  # truncated inside the headers
    fd = FrameDataset(paths, np.zeros(3, int), 32, train=False)
    batch = collate_encoded([EncodedFrames(fd)[i] for i in range(3)])
    with pytest.raises(OSError, match="f02.jpg"):
        to_device(batch, fd, CPU)


def test_auto_decodes_on_the_device_only_on_cuda_for_uncached_sets(frames, monkeypatch) -> None:
    fd = FrameDataset(frames, np.zeros(len(frames), int), 32, train=True)
    assert resolve_decode("auto", CPU, fd) == "pil"
    assert resolve_decode("auto", torch.device("cuda"), fd) == "pil"  # small: PIL + cache
    monkeypatch.setattr(FrameDataset, "cache_limit", 4)
    assert resolve_decode("auto", torch.device("cuda"), fd) == "device"
    assert resolve_decode("auto", CPU, fd) == "pil"
    assert resolve_decode("device", CPU, fd) == "device"
    with pytest.raises(ValueError, match="decode must be one of"):
        resolve_decode("gpu", CPU, fd)
    with pytest.raises(ValueError, match="TrainConfig.decode"):
        TrainConfig(decode="nvjpeg")


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(8, 3),
    )  # fmt: skip


@pytest.mark.parametrize("workers", [0, 2])
def test_training_with_device_decode_learns_and_says_so(tmp_path, workers) -> None:
    train_set = FrameDataset(_write_frames(tmp_path / "t", 24), np.arange(24) % 3, 32, True)
    val_set = FrameDataset(_write_frames(tmp_path / "v", 9), np.arange(9) % 3, 32, False)
    cfg = TrainConfig(
        iterations=12, batch_size=8, lr=0.05, checkpoint_every=6, log_every=2, input_size=32,
        device="cpu", num_threads=1, decode="device", num_workers=workers,
    )  # fmt: skip
    metrics = train(_net(), train_set, val_set, "softmax", cfg, tmp_path / "run")
    assert metrics["decode"] == "device" and metrics["config"]["decode"] == "device"
    assert np.isfinite(metrics["loss_curve"]["loss"]).all()
    assert metrics["loss_curve"]["loss"][-1] < metrics["loss_curve"]["loss"][0]
