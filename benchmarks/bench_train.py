"""Benchmark: pretext-training throughput (images/s) of CaffeNet+BN at the paper's 227 px.

Usage: python benchmarks/bench_train.py [--batch-size 32] [--iterations 5] [--width 1.0]
       [--input-size 227] [--device auto] [--threads T] [--out results/benchmarks/train.json]

Times SGD steps (forward, loss, backward, update) on synthetic batches, so only the network is
measured, in two settings in the same run: the **baseline** (float32, NCHW) and the **training
loop's settings** (on CUDA: bf16 autocast + channels_last, as ``soundsight.train.loop`` uses;
on CPU: the same float32 path, so the ratio is ~1 and says so). Records the device with the
figures. Full width at 227 px is slow on a laptop CPU: use a few iterations there.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

import torch
from torch import nn

from soundsight.device import device_record, resolve_device, synchronize
from soundsight.models import build_model

logger = logging.getLogger("bench_train")


def images_per_s(
    model: nn.Module,
    batch: torch.Tensor,
    labels: torch.Tensor,
    iterations: int,
    fast: bool,
) -> float:
    """Training images/s over ``iterations`` SGD steps after one warm-up step."""
    cuda = batch.device.type == "cuda"
    if fast and cuda:
        model = model.to(memory_format=torch.channels_last)
        batch = batch.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def step() -> None:
        with torch.autocast(batch.device.type, dtype=torch.bfloat16, enabled=fast and cuda):
            logits = model(batch)  # (B, K)
        loss = nn.functional.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()  # warm-up (cuDNN autotune, allocator)
    synchronize(batch.device)
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    synchronize(batch.device)
    return iterations * len(batch) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> dict:
    """Run both settings, print images/s and their ratio, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--input-size", type=int, default=227)
    parser.add_argument("--classes", type=int, default=30)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/train.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    torch.backends.cudnn.benchmark = device.type == "cuda"
    gen = torch.Generator().manual_seed(0)
    shape = (args.batch_size, 3, args.input_size, args.input_size)
    batch = torch.randn(shape, generator=gen).to(device)  # (B, 3, 227, 227)
    labels = torch.randint(0, args.classes, (args.batch_size,), generator=gen).to(device)
    result = {
        "model": "caffenet_bn", "width": args.width, "input_size": args.input_size,
        "batch_size": args.batch_size, "iterations": args.iterations, **device_record(device),
    }  # fmt: skip
    for name, fast in (("baseline_fp32", False), ("train_loop", True)):
        model = build_model(
            "caffenet_bn", seed=0, num_outputs=args.classes, input_size=args.input_size,
            width=args.width,
        ).to(device)  # fmt: skip
        rate = images_per_s(model, batch, labels, args.iterations, fast)
        result[f"{name}_images_per_s"] = rate
        logger.info("%s on %s: %.1f images/s", name, device, rate)
    result["ratio_train_loop_vs_baseline"] = (
        result["train_loop_images_per_s"] / result["baseline_fp32_images_per_s"]
    )
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    logger.info("ratio x%.2f", result["ratio_train_loop_vs_baseline"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
