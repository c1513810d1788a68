"""Benchmark: Owens' own per-clip texture code vs the project's texture features, one thread.

Usage: python benchmarks/bench_texture.py [--clips N] [--sr 22050] [--batch-size B]
       [--repeats R] [--threads T] [--device cpu] [--out results/benchmarks/texture.json]

The baseline is ``owens_texture_baseline.py``: the arithmetic of Owens' ``aolib/subband.py``
(numpy/scipy, float64, one clip at a time). The project's path is
``soundsight.audio.texture.texture_features`` in float32 (the ``features.dtype`` default) on
batches of ``--batch-size`` clips, and in float64. Both run on the same synthetic 3.75 s clips
at ``--sr`` (22,050 Hz, the default rate) with every thread pool limited to ``--threads``
(torch intra-op threads, BLAS/OpenMP pools). Each repeat times the baseline and the project's
path back to back and records their ratio, so that load from other processes on a shared
machine hits both sides; the summary gives the range over repeats. Wall and CPU seconds per
clip are recorded, with the largest deviation of each project dtype from the baseline's values.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import owens_texture_baseline as owens  # noqa: E402

from soundsight.audio.texture import TEXTURE_GROUPS, texture_features  # noqa: E402
from soundsight.device import device_record, resolve_device, synchronize  # noqa: E402

logger = logging.getLogger("bench_texture")
CLIP_S = 3.75
DTYPES = {"float32": torch.float32, "float64": torch.float64}


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


def timed(run: Callable[[], np.ndarray], n_clips: int) -> tuple[np.ndarray, float, float]:
    """Output of ``run`` and its wall and CPU seconds per clip."""
    start, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, (time.perf_counter() - start) / n_clips, (time.process_time() - cpu) / n_clips


def run_baseline(clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, 502) features from Owens' arithmetic, one clip per call."""
    return np.stack([owens.texture(clip, sr) for clip in clips])


def run_project(
    clips: np.ndarray, sr: int, batch_size: int, device: torch.device, dtype: torch.dtype
) -> np.ndarray:
    """(N, 502) features from the project's batched path, as float64 numpy."""
    out = []
    with torch.no_grad():
        for i in range(0, len(clips), batch_size):
            batch = torch.as_tensor(clips[i : i + batch_size], device=device)
            out.append(texture_features(batch, sr, device=device, dtype=dtype).cpu())
    synchronize(device)
    return torch.cat(out).double().numpy()


def max_group_diffs(ours: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Largest |difference| per texture group (loudness relative) over all clips."""
    diffs = {
        name: float(np.abs(ours[:, sl] - ref[:, sl]).max())
        for name, sl in TEXTURE_GROUPS.items()
        if name != "loud"
    }
    diffs["loud_rel"] = float((np.abs(ours[:, 501] - ref[:, 501]) / ref[:, 501]).max())
    return diffs


def run_info(args: argparse.Namespace, device: torch.device) -> dict:
    """Settings, versions and machine state recorded with the timings."""
    return {
        "clips": args.clips,
        "sr": args.sr,
        "clip_seconds": CLIP_S,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "threads": args.threads,
        "baseline": "benchmarks/owens_texture_baseline.py (Owens' subband.py arithmetic)",
        "numpy": np.__version__,
        **device_record(device),
    }


def one_repeat(
    clips: np.ndarray, args: argparse.Namespace, device: torch.device
) -> tuple[dict, dict[str, np.ndarray]]:
    """Time the baseline and each project dtype back to back: seconds, ratios, features."""
    n = len(clips)
    feats, base_s, base_cpu = timed(lambda: run_baseline(clips, args.sr), n)
    rep = {"baseline_s_per_clip": base_s, "baseline_cpu_s_per_clip": base_cpu}
    out = {"baseline": feats}
    for name, dtype in DTYPES.items():
        ours, sec, cpu = timed(
            lambda dtype=dtype: run_project(clips, args.sr, args.batch_size, device, dtype), n
        )
        rep.update(
            {
                f"project_{name}_s_per_clip": sec,
                f"project_{name}_cpu_s_per_clip": cpu,
                f"ratio_{name}": base_s / sec,
                f"ratio_{name}_cpu": base_cpu / cpu,
            }
        )
        out[name] = ours
    return rep, out


def summarise(repeats: list[dict]) -> dict:
    """Per-key [min, max] over the repeats."""
    return {key: [min(r[key] for r in repeats), max(r[key] for r in repeats)] for key in repeats[0]}


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print a summary and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--sr", type=int, default=22050)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="every thread pool's size")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="results/benchmarks/texture.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    clips = synthetic_clips(args.clips, args.sr)
    result = run_info(args, device)
    try:
        with threadpool_limits(limits=args.threads):
            run_baseline(clips[:1], args.sr)  # warm-up: imports, caches, FFT plans
            for dtype in DTYPES.values():
                run_project(clips[:1], args.sr, args.batch_size, device, dtype)
            repeats = []
            for i in range(args.repeats):
                rep, feats = one_repeat(clips, args, device)
                repeats.append(rep)
                logger.info(
                    "repeat %d: Owens %.4f s/clip, project float32 %.4f s/clip (x%.1f), "
                    "float64 %.4f s/clip (x%.1f)",
                    *(i + 1, rep["baseline_s_per_clip"], rep["project_float32_s_per_clip"]),
                    *(rep["ratio_float32"], rep["project_float64_s_per_clip"]),
                    rep["ratio_float64"],
                )
    finally:
        torch.set_num_threads(previous_threads)
    result["repeat_results"] = repeats
    result["range"] = summarise(repeats)
    for name in DTYPES:
        result[f"max_diff_vs_baseline_{name}"] = max_group_diffs(feats[name], feats["baseline"])
    lo, hi = result["range"]["ratio_float32"]
    msg = "float32 speed-up over Owens' code, %d thread(s): x%.1f-x%.1f"
    logger.info(msg, args.threads, lo, hi)
    logger.info("max |diff| float32 vs Owens: %s", result["max_diff_vs_baseline_float32"])
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    logger.info("wrote %s", out)
    return result


if __name__ == "__main__":
    main()
