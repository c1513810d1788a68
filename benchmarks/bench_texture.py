"""Benchmark: per-clip numpy/scipy baseline vs batched torch texture features.

Usage: python benchmarks/bench_texture.py [--clips N] [--sr 22050] [--batch-size B]
       [--device auto] [--out results/benchmarks/texture.json] [--threads T]

Times the per-clip numpy baseline (``texture_numpy_baseline.py``, single-threaded) and the
batched torch implementation (float64, then float32) on the same synthetic clips, checks that
they agree, and records wall and CPU seconds per clip. On a shared machine, compare the CPU
times or use ``--threads 1``: other processes on the cores stall torch's thread pool.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import texture_numpy_baseline as baseline  # noqa: E402

from soundsight.audio.texture import texture_features  # noqa: E402
from soundsight.device import device_record, resolve_device, synchronize  # noqa: E402

logger = logging.getLogger("bench_texture")
CLIP_S = 3.75


def synthetic_clips(n_clips: int, sr: int, seed: int = 0) -> np.ndarray:
    """(N, round(3.75 sr)) noise clips with random AM and a tone, RMS 0.05, int16-quantised."""
    rng = np.random.default_rng(seed)
    n = round(CLIP_S * sr)
    t = np.arange(n) / sr
    clips = rng.standard_normal((n_clips, n))
    am = 1 + 0.8 * np.sin(2 * np.pi * rng.uniform(1, 20, (n_clips, 1)) * t)
    tone = np.sin(2 * np.pi * rng.uniform(100, 5000, (n_clips, 1)) * t)
    clips = clips * am + 2 * tone
    clips *= 0.05 / np.sqrt((clips**2).mean(axis=1, keepdims=True))
    return np.round(clips * 32768) / 32768


def time_baseline(clips: np.ndarray, sr: int) -> tuple[np.ndarray, float, float]:
    """Features, wall and CPU seconds per clip of the per-clip numpy baseline (warm caches)."""
    baseline.texture(clips[0], sr)  # warm the filterbank caches
    start, cpu = time.perf_counter(), time.process_time()
    feats = np.stack([baseline.texture(c, sr) for c in clips])
    n = len(clips)
    return feats, (time.perf_counter() - start) / n, (time.process_time() - cpu) / n


def time_torch(
    clips: np.ndarray, sr: int, batch_size: int, device: torch.device, dtype: torch.dtype
) -> tuple[np.ndarray, float, float]:
    """Features, wall and CPU seconds per clip of the batched torch implementation (warm)."""
    texture_features(clips[:batch_size], sr, device=device, dtype=dtype)  # warm-up
    synchronize(device)
    start, cpu = time.perf_counter(), time.process_time()
    out = []
    with torch.no_grad():
        for i in range(0, len(clips), batch_size):
            batch = torch.as_tensor(clips[i : i + batch_size], device=device, dtype=dtype)
            out.append(texture_features(batch, sr, device=device, dtype=dtype).cpu())
    synchronize(device)
    n = len(clips)
    wall, cpu = (time.perf_counter() - start) / n, (time.process_time() - cpu) / n
    return torch.cat(out).double().numpy(), wall, cpu


def run_info(args: argparse.Namespace, device: torch.device) -> dict:
    """Settings, versions and machine state recorded with the timings."""
    return {
        "clips": args.clips,
        "sr": args.sr,
        "clip_seconds": CLIP_S,
        "batch_size": args.batch_size,
        "numpy": np.__version__,
        **device_record(device),
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print a summary and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=64)
    parser.add_argument("--sr", type=int, default=22050)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", default="results/benchmarks/texture.json")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    device = resolve_device(args.device)
    clips = synthetic_clips(args.clips, args.sr)
    result = run_info(args, device)
    base_feats, base_s, base_cpu = time_baseline(clips, args.sr)
    logger.info("numpy baseline: %.4f s/clip (CPU time %.4f s/clip)", base_s, base_cpu)
    result.update(baseline_s_per_clip=base_s, baseline_cpu_s_per_clip=base_cpu)
    for name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        feats, sec, cpu = time_torch(clips, args.sr, args.batch_size, device, dtype)
        diff = float(np.abs(feats - base_feats).max())
        result[f"torch_{name}_s_per_clip"] = sec
        result[f"torch_{name}_cpu_s_per_clip"] = cpu
        result[f"torch_{name}_speedup"] = base_s / sec
        result[f"torch_{name}_max_abs_diff"] = diff
        logger.info(
            "torch %s on %s: %.4f s/clip (CPU time %.4f), speed-up x%.2f, max |diff| %.2e",
            *(name, device, sec, cpu, base_s / sec, diff),
        )
    if result["torch_float64_max_abs_diff"] > 1e-8:
        logger.warning("float64 torch and numpy baseline disagree beyond 1e-8")
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    logger.info("wrote %s", out)
    return result


if __name__ == "__main__":
    main()
