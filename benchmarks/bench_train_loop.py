"""Benchmark: the full pretext training loop against the bare model, images/s, in one run.

Usage: python benchmarks/bench_train_loop.py [--config config.yaml] [--iterations N]
       [--train-frames 1900] [--val-frames 480] [--bare-iterations 30] [--repeats 3]
       [--threads 2] [--out results/benchmarks/train_loop.json]

Issue 11's lever "training close to the machine's limit": the loop (loader from the ingested
JPEG frames, augmentation, step, logging, checkpoints, the held-out evaluation) must keep
>= 80 % of the bare network's forward/backward/update images/s at the same batch and input size.
Both are measured in the same process, interleaved ``--repeats`` times:

* **bare**: SGD steps of the config's ``pretext`` network on one synthetic batch in memory;
* **loop**: ``soundsight.train.run.run_pretext`` exactly as ``workflow/scripts/train_pretext.py``
  calls it (``train_config`` of the ``pretext`` section, ``kind=cluster``, 30 classes) on a
  synthetic merged ingest (one shard of ``--train-frames`` + ``--val-frames`` JPEGs at the
  ingest's short side, quality 90, in the layout ``ingest_merge`` writes), timed wall to wall:
  datasets, model build, every iteration, checkpoints and the final evaluation.

The ratio ``loop / bare`` is reported per repeat with its range; ``loop_train_images_per_s``
(the loop's own ``images_per_s``: iterations only) separates the per-iteration cost from the
fixed costs (evaluation, checkpoints, first-epoch decode). Defaults: the laptop settings of
``config.yaml`` (caffenet_bn width 0.5, 112 px, batch 64, 200 iterations) on 2 threads.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import yaml
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark modules
os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bar in the timings

from bench_decode import write_frames  # noqa: E402

from soundsight.device import device_record, resolve_device  # noqa: E402
from soundsight.models import build_model  # noqa: E402
from soundsight.train.loop import TrainConfig  # noqa: E402
from soundsight.train.optim import make_optimizer  # noqa: E402
from soundsight.train.run import run_pretext, train_config  # noqa: E402

logger = logging.getLogger("bench_train_loop")
N_CLASSES = 30
FRAMES_PER_VIDEO = 10


def write_ingest(root: Path, n_train: int, n_val: int, side: int) -> tuple[Path, Path]:
    """A merged ingest (``index.csv`` + ``shards/00000/frames/*.jpg``) and a cluster label table.

    Frames are ``side`` x ``side`` photo-like JPEGs, ``FRAMES_PER_VIDEO`` per video; the first
    ``n_train`` are the training split (all kept), the rest the test split. Returns
    ``(index_csv, labels_csv)``."""
    ingest = root / "ingest"
    frames = ingest / "shards" / "00000" / "frames"
    frames.mkdir(parents=True)
    n = n_train + n_val
    paths = write_frames(frames, n, side, side)
    ids = [p.stem for p in paths]
    videos = [f"v{i // FRAMES_PER_VIDEO:05d}" for i in range(n)]
    index = pd.DataFrame(
        {"shard": 0, "shard_dir": "shards/00000", "frame_id": ids, "video_id": videos,
         "jpg": [f"frames/{p.name}" for p in paths]}
    )  # fmt: skip
    index.to_csv(ingest / "index.csv", index=False)
    rng = np.random.default_rng(0)
    labels = pd.DataFrame(
        {"frame_id": ids, "video_id": videos, "split": ["train"] * n_train + ["test"] * n_val,
         "label": rng.integers(0, N_CLASSES, n), "distance": rng.random(n), "keep": True}
    )  # fmt: skip
    labels.to_csv(root / "clusters.csv", index=False)
    return ingest / "index.csv", root / "clusters.csv"


def pretext_settings(config: Path, iterations: int | None) -> dict[str, Any]:
    """The config's ``pretext`` section on CPU (``iterations`` overridden when given)."""
    pretext = yaml.safe_load(config.read_text())["pretext"]
    pretext = {**pretext, "device": "cpu"}
    if iterations:
        pretext["iterations"] = iterations
    return pretext


def bare_rate(cfg: TrainConfig, iterations: int) -> dict[str, float]:
    """Bare SGD steps of the pretext network (the loop's optimizer and loss) on one synthetic
    in-memory batch, after one warm-up step: wall-clock and CPU-time images/s."""
    size, batch_size = cfg.input_size, cfg.batch_size
    gen = torch.Generator().manual_seed(0)
    batch = torch.randn((batch_size, 3, size, size), generator=gen)  # (B, 3, S, S)
    labels = torch.randint(0, N_CLASSES, (batch_size,), generator=gen)  # (B,)
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, num_outputs=N_CLASSES, input_size=size, **cfg.model_kwargs)
    optimizer = make_optimizer(model, cfg)

    def step() -> None:
        loss = nn.functional.cross_entropy(model(batch), labels)  # logits (B, K)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        step()
    images = iterations * batch_size
    return {
        "images_per_s": images / (time.perf_counter() - wall),
        "cpu_images_per_s": images / (time.process_time() - cpu),
    }


def loop_rate(cfg: TrainConfig, index_csv: Path, labels_csv: Path, out: Path) -> dict[str, float]:
    """The workflow's training job on the synthetic ingest: wall-to-wall and loop-only rates."""
    out.mkdir(parents=True)
    wall, cpu = time.perf_counter(), time.process_time()
    metrics = run_pretext(
        labels_csv, index_csv, index_csv.parent, "cluster", cfg, out, n_classes=N_CLASSES
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    images = cfg.iterations * cfg.batch_size
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "images_per_s": images / wall,
        "cpu_images_per_s": images / cpu,
        "train_images_per_s": metrics["images_per_s"],
        "train_time_s": metrics["train_time_s"],
        "eval_time_s": metrics["eval_time_s"],
    }


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--iterations", type=int, default=None, help="default: the config's")
    parser.add_argument("--train-frames", type=int, default=1900)
    parser.add_argument("--val-frames", type=int, default=480)
    parser.add_argument("--frame-side", type=int, default=None, help="default: ingest.short_side")
    parser.add_argument("--bare-iterations", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/train_loop.json"))
    return parser.parse_args(argv)


def _repeat(
    cfg: TrainConfig, bare_iterations: int, index_csv: Path, labels_csv: Path, out: Path
) -> dict[str, Any]:
    """One bare timing, then one loop timing, and their ratios (wall clock and CPU time)."""
    bare = bare_rate(cfg, bare_iterations)
    loop = loop_rate(cfg, index_csv, labels_csv, out)
    return {
        "bare_images_per_s": bare["images_per_s"],
        "loop_images_per_s": loop["images_per_s"],
        "loop_train_images_per_s": loop["train_images_per_s"],
        "ratio": loop["images_per_s"] / bare["images_per_s"],
        "cpu_ratio": loop["cpu_images_per_s"] / bare["cpu_images_per_s"],
        "bare": bare,
        "loop": loop,
        "load_average_1min": os.getloadavg()[0],
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range of each repeated figure."""
    out: dict[str, Any] = {}
    keys = ("bare_images_per_s", "loop_images_per_s", "loop_train_images_per_s", "ratio")
    for key in (*keys, "cpu_ratio"):
        values = [r[key] for r in runs]
        out[key] = {"median": float(np.median(values)), "min": min(values), "max": max(values)}
    return out


def main(argv: list[str] | None = None) -> dict:
    """Interleave bare and loop timings, print their ratio per repeat, write JSON."""
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("soundsight").setLevel(logging.WARNING)
    torch.set_num_threads(args.threads)
    pretext = pretext_settings(args.config, args.iterations)
    side = args.frame_side or int(yaml.safe_load(args.config.read_text())["ingest"]["short_side"])
    result: dict[str, Any] = {
        "pretext": pretext, "frame_side": side, "train_frames": args.train_frames,
        "val_frames": args.val_frames, "bare_iterations": args.bare_iterations,
        **device_record(resolve_device("cpu")),
    }  # fmt: skip
    cfg = train_config(pretext, seed=0, threads=args.threads)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        index_csv, labels_csv = write_ingest(Path(tmp), args.train_frames, args.val_frames, side)
        for r in range(args.repeats):
            runs.append(
                _repeat(cfg, args.bare_iterations, index_csv, labels_csv, Path(tmp) / f"{r}")
            )
            logger.info(
                "repeat %d: bare %.1f images/s, loop %.1f (iterations only %.1f): ratio %.3f "
                "(CPU time: %.3f)", r, runs[-1]["bare_images_per_s"], runs[-1]["loop_images_per_s"],
                runs[-1]["loop_train_images_per_s"], runs[-1]["ratio"], runs[-1]["cpu_ratio"],
            )  # fmt: skip
    result |= {"runs": runs, "summary": _summary(runs), "target_ratio": 0.8}
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    s = result["summary"]["ratio"]
    logger.info("ratio loop/bare: median %.3f (range %.3f-%.3f)", s["median"], s["min"], s["max"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
