"""Benchmark: training-frame input throughput (images/s), PIL per frame vs batched on the device.

Usage: python benchmarks/bench_decode.py [--frames 256] [--batch-size 64] [--frame-size 341x256]
       [--input-size 227] [--repeats 3] [--device auto] [--threads T]
       [--out results/benchmarks/decode.json]

Writes ``--frames`` synthetic JPEG frames at the paper preset's ingest size (short side 256) and
times, in the same run, one process turning them into training batches on ``--device``
(decode, short-side resize, random crop and flip, normalisation, transfer):
the **baseline**, ``FrameDataset`` with PIL and no cache (what every epoch costs at paper scale),
and the **device path** of ``soundsight.train.device_decode`` (batched nvJPEG and resize on
CUDA; torchvision's libjpeg-turbo and torch ops on CPU). Prints both rates and their ratio and
records the device with them. A loader with W workers multiplies the baseline by up to W cores;
on CUDA the device path takes that work off the CPU entirely.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from soundsight.device import device_record, resolve_device, synchronize
from soundsight.train.dataset import FrameDataset
from soundsight.train.device_decode import EncodedFrames, collate_encoded, to_device

logger = logging.getLogger("bench_decode")


def write_frames(folder: Path, n: int, width: int, height: int, seed: int = 0) -> list[Path]:
    """``n`` photo-like JPEGs (smooth colour fields plus grain, quality 90)."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        coarse = rng.integers(0, 256, size=(height // 16 + 1, width // 16 + 1, 3), dtype=np.uint8)
        smooth = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
        grain = rng.normal(0, 6, size=(height, width, 3))
        pixels = np.clip(np.asarray(smooth, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
        paths.append(folder / f"frame_{i:05d}.jpg")
        Image.fromarray(pixels).save(paths[-1], quality=90)
    return paths


class _Uncached(FrameDataset):
    """Frames decoded on every access, as at paper scale (too many to cache)."""

    cache_limit = 0


def pil_batches(frames: FrameDataset, keys: list, batch_size: int, device: torch.device) -> None:
    """The baseline: PIL decode and augmentation per frame, stacked, moved to ``device``."""
    for lo in range(0, len(keys), batch_size):
        items = [frames[k] for k in keys[lo : lo + batch_size]]
        torch.stack([x for x, _ in items]).to(device)  # (B, 3, S, S)


def device_batches(frames: FrameDataset, keys: list, batch_size: int, device: torch.device) -> None:
    """The device path: read bytes, pack, decode and augment the batch on ``device``."""
    encoded = EncodedFrames(frames)
    for lo in range(0, len(keys), batch_size):
        to_device(collate_encoded([encoded[k] for k in keys[lo : lo + batch_size]]), frames, device)


def images_per_s(run: Callable[[], None], n: int, repeats: int, device: torch.device) -> float:
    """Best images/s over ``repeats`` passes after one warm-up pass."""
    run()
    best = float("inf")
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        run()
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return n / best


def main(argv: list[str] | None = None) -> dict:
    """Time both paths, print images/s and their ratio, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--frame-size", default="341x256", help="WIDTHxHEIGHT of the JPEGs")
    parser.add_argument("--input-size", type=int, default=227)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/decode.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    width, height = (int(v) for v in args.frame_size.lower().split("x"))
    result = {
        "frames": args.frames, "frame_size": [width, height], "input_size": args.input_size,
        "batch_size": args.batch_size, "repeats": args.repeats, **device_record(device),
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_frames(Path(tmp), args.frames, width, height)
        frames = _Uncached(paths, np.zeros(len(paths), int), args.input_size, train=True)
        keys = [(i, 0, 0) for i in range(len(paths))]
        for name, path in (("pil", pil_batches), ("device", device_batches)):
            rate = images_per_s(
                lambda path=path: path(frames, keys, args.batch_size, device),
                len(keys), args.repeats, device,
            )  # fmt: skip
            result[f"{name}_images_per_s"] = rate
            logger.info("%s path on %s: %.1f images/s", name, device, rate)
    result["ratio_device_vs_pil"] = result["device_images_per_s"] / result["pil_images_per_s"]
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    logger.info("ratio x%.2f", result["ratio_device_vs_pil"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
