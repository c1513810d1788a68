"""Workflow entry points: train a pretext model, or initialise a baseline, into a model folder.

A model folder holds ``model.pt`` (state dict), ``model.json`` (how to rebuild it) and
``metrics.json``. Training runs in ``work-<key>/`` where the key hashes the training config and
the label/index files, so a killed job resumes from its checkpoint while a changed config or new
labels start afresh instead of resuming from a stale run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from soundsight.data.tracks import TRACKS_CSV
from soundsight.models import accepted_kwargs, build_model
from soundsight.models.init import kmeans_init_, random_init_
from soundsight.models.spec import write_spec
from soundsight.provenance import file_hash
from soundsight.train.dataset import FrameDataset
from soundsight.train.distill import DistillConfig
from soundsight.train.loop import HELDOUT_FILE, TrainConfig, resolve_device
from soundsight.train.pairs import PairConfig
from soundsight.train.pretext import SPLIT_CSV, Kind, train_pretext
from soundsight.train.targets import load_task

log = logging.getLogger(__name__)

_TRAIN_KEYS = (
    "iterations", "batch_size", "lr", "momentum", "weight_decay", "lr_steps", "gamma",
    "checkpoint_every", "num_workers", "device", "decode", "input_size", "model",
)  # fmt: skip
# Optional per-model keys (the model sheet's overrides); absent or None: TrainConfig's default.
_OPTIONAL_TRAIN_KEYS = (
    "optimizer", "schedule", "pct_start", "div_factor", "final_div_factor", "cycle_momentum",
    "trainable",
)  # fmt: skip


def train_config(
    pretext: dict[str, Any], seed: int, threads: int | None = None, gpus: int = 0
) -> TrainConfig:
    """The :class:`TrainConfig` of the workflow's ``pretext`` config section; ``gpus`` is the
    rule's ``gpu`` resource (data-parallel over that many CUDA devices when > 1).

    ``optimizer``, ``schedule`` (and the OneCycle keys, ``trainable``) are optional in
    ``pretext``: without them training is SGD with step decay (Owens et al.)."""
    values = {key: pretext[key] for key in _TRAIN_KEYS}
    values |= {k: pretext[k] for k in _OPTIONAL_TRAIN_KEYS if pretext.get(k) is not None}
    values["lr_steps"] = tuple(values["lr_steps"])
    return TrainConfig(
        **values, seed=seed, num_threads=threads, model_kwargs=_architecture_kwargs(pretext),
        world_size=data_parallel_size(pretext["device"], gpus),
    )  # fmt: skip


def data_parallel_size(device: str, gpus: int) -> int:
    """Training processes for a job granted ``gpus`` GPUs: one per visible CUDA device (at most
    ``gpus``); 1 on CPU or with a single GPU."""
    if gpus <= 1 or resolve_device(device).type != "cuda":
        return 1
    visible = torch.cuda.device_count()
    if visible < gpus:
        log.warning(
            "the job asked for %d GPUs but %d are visible: using %d", gpus, visible, visible
        )
    return max(1, min(gpus, visible))


# The workflow's architecture settings; each goes to the models whose constructor takes it
# (``audio_rate`` / ``n_fft``: the correspondence networks' spectrogram front end; the `pretext`
# section has neither, so they reach only the models trained under the `avc` section).
ARCHITECTURE_OPTIONS = ("width", "input_size", "audio_rate", "n_fft")


def model_kwargs(pretext: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments (besides num_outputs) of the workflow's pretext network: the
    ``pretext`` settings in :data:`ARCHITECTURE_OPTIONS` that ``pretext["model"]`` accepts
    (``width`` only reaches the CaffeNets; ``resnet18`` and ``alexnet`` have fixed widths)."""
    options = {k: pretext[k] for k in ARCHITECTURE_OPTIONS if k in pretext}
    kwargs = accepted_kwargs(pretext["model"], options)
    ignored = sorted(set(options) - set(kwargs))
    if ignored:
        log.info("%s takes no %s: not passed to it", pretext["model"], ", ".join(ignored))
    return kwargs


def _architecture_kwargs(pretext: dict[str, Any]) -> dict[str, Any]:
    """:func:`model_kwargs` without ``input_size`` (a field of :class:`TrainConfig` itself)."""
    return {k: v for k, v in model_kwargs(pretext).items() if k != "input_size"}


def run_key(cfg: TrainConfig, inputs: list[str | Path], extra: dict[str, Any] | None = None) -> str:
    """Short hash of the training config, the contents of its input tables and ``extra``
    settings (e.g. how correspondence pairs are drawn)."""
    blob = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    if extra:
        blob += json.dumps(extra, sort_keys=True, default=str)
    blob += "".join(file_hash(p) for p in inputs)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def run_pretext(
    labels_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    kind: Kind,
    cfg: TrainConfig,
    out_dir: str | Path,
    n_classes: int | None = None,
    pairs: PairConfig | None = None,
    distill: DistillConfig | None = None,
) -> dict[str, Any]:
    """Train ``cfg.model`` on a label table; write model.pt, model.json, metrics.json and
    heldout.npz (per held-out frame: loss, score, baseline) in out_dir.

    Kind ``correspondence``: ``labels_csv`` is the split table and ``pairs`` (default
    ``PairConfig()``) says how audio-visual pairs are drawn; the tracks are ``tracks.csv``
    beside ``index_csv`` (both hashed into the work folder's key with ``pairs``). Kind
    ``distillation``: ``labels_csv`` is the teacher cache (.npz), with ``split.csv`` beside it and
    the tracks beside ``index_csv`` (all hashed, with ``distill``).

    Once the model folder is written, the work folder's weights are moved into it and its
    checkpoint (weights + optimiser state: 685 MB for AlexNet) is deleted: it only serves to resume
    a killed job, and a finished job is never resumed."""
    out = Path(out_dir)
    inputs: list[str | Path] = [labels_csv, index_csv]
    extra = None
    if kind == "correspondence":
        pairs = pairs or PairConfig()
        inputs.append(Path(index_csv).parent / TRACKS_CSV)
        extra = {"pairs": pairs.to_dict()}
    if kind == "distillation":
        distill = distill or DistillConfig()
        inputs += [Path(labels_csv).with_name(SPLIT_CSV), Path(index_csv).parent / TRACKS_CSV]
        extra = {"distill": distill.to_dict()}
    work = out / f"work-{run_key(cfg, inputs, extra)}"
    metrics = train_pretext(
        labels_csv, index_csv, ingest_dir, kind, cfg, work, n_classes, pairs, distill
    )
    _write_metrics(work / "metrics.json", out / "metrics.json", metrics)
    shutil.copyfile(work / HELDOUT_FILE, out / HELDOUT_FILE)
    n_outputs, kwargs = _rebuild_args(work / "model.pt", cfg, metrics)
    write_spec(out / "model.json", cfg.model, n_outputs, **kwargs)
    shutil.move(work / "model.pt", out / "model.pt")
    (work / "checkpoint.pt").unlink(missing_ok=True)
    return metrics


def _write_metrics(written: Path, out: Path, metrics: dict[str, Any]) -> None:
    """The loop's metrics.json, with the settings a run added to it (how correspondence pairs
    were drawn, what a student distilled) so that the model folder records them."""
    saved = json.loads(written.read_text())
    extra = {k: v for k, v in metrics.items() if k not in saved}
    if not extra:
        shutil.copyfile(written, out)
        return
    out.write_text(json.dumps(saved | extra, indent=2, default=str) + "\n")


def _rebuild_args(
    weights_pt: Path, cfg: TrainConfig, metrics: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """``num_outputs`` and the constructor arguments that rebuild a trained model: a classifier's
    outputs are its ``head.weight`` rows; a run that built its model from its data (distillation:
    head sizes and crop length from the teacher cache) reports them in its metrics."""
    kwargs = accepted_kwargs(cfg.model, {"input_size": cfg.input_size}) | cfg.model_kwargs
    if "num_outputs" in metrics:
        return int(metrics["num_outputs"]), kwargs | metrics.get("model_kwargs", {})
    weights = torch.load(weights_pt, map_location="cpu", weights_only=True)
    return int(weights["head.weight"].shape[0]), kwargs  # (K, D) classifier


def sample_train_images(
    split_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    n_images: int,
    input_size: int,
    seed: int,
) -> torch.Tensor:
    """(n, 3, S, S) centre-cropped, normalised training frames drawn with ``seed``."""
    split = pd.read_csv(split_csv, dtype={"frame_id": str})
    index = pd.read_csv(index_csv, dtype={"frame_id": str, "jpg": str, "shard_dir": str})
    train = index[index["frame_id"].isin(split.loc[split["split"] == "train", "frame_id"])]
    rng = np.random.default_rng(seed)
    rows = train.iloc[rng.choice(len(train), min(n_images, len(train)), replace=False)]
    paths = [Path(ingest_dir) / d / j for d, j in zip(rows["shard_dir"], rows["jpg"], strict=True)]
    data = FrameDataset(paths, np.zeros(len(paths), dtype=np.int64), input_size, train=False)
    return torch.stack([data[i][0] for i in range(len(data))])


def run_init(
    method: Literal["random", "kmeans", "untrained"],
    images: torch.Tensor | None,
    model_name: str,
    num_outputs: int,
    model_kwargs: dict[str, Any],
    seed: int,
    out_dir: str | Path,
) -> dict[str, Any]:
    """Krähenbühl et al. data-dependent init (random or k-means) of ``images`` (n, 3, S, S), or
    the architecture's own initialisation seeded with ``seed`` (``untrained``: no images; the
    "network without training" baselines of multi-stream models), saved as a model folder."""
    started = time.time()
    out = Path(out_dir)
    model = build_model(model_name, num_outputs=num_outputs, seed=seed, **model_kwargs)
    if method in ("kmeans", "random") and images is None:
        raise ValueError(f"the {method} initialisation needs images")
    if method == "kmeans":
        kmeans_init_(model, images, seed=seed)
    elif method == "random":
        random_init_(model, images, seed=seed)
    elif method != "untrained":
        raise ValueError(
            f"unknown initialisation {method!r}; expected 'random', 'kmeans' or 'untrained'"
        )
    torch.save(
        {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, out / "model.pt"
    )
    write_spec(out / "model.json", model_name, num_outputs, **model_kwargs)
    metrics = {
        "method": method,
        "n_images": 0 if images is None else int(len(images)),
        "seed": seed,
        "wall_time_s": round(time.time() - started, 3),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def cluster_accuracy(
    model: torch.nn.Module,
    labels_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    n_classes: int,
    input_size: int,
    batch_size: int = 64,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Held-out sound-cluster prediction (Owens §5.2) against chance and the majority label.

    Returns the summary and per-frame correctness of the model and of the majority baseline
    (the most frequent label among the kept training frames), for bootstrap intervals.
    """
    from soundsight.train.evaluate import predict

    (_, train_y), (test_paths, test_y), k = load_task(
        labels_csv, index_csv, ingest_dir, "cluster", n_classes
    )
    data = FrameDataset(test_paths, test_y, input_size, train=False)
    logits, targets = predict(model, data, batch_size, torch.device(device))
    majority = int(np.bincount(train_y, minlength=k).argmax())
    correct = (logits.argmax(1) == targets.long()).numpy()
    majority_correct = targets.numpy() == majority
    summary = {
        "k": k,
        "n_test": int(len(targets)),
        "accuracy": float(correct.mean()),
        "chance": 1.0 / k,
        "majority": float(majority_correct.mean()),
        "majority_label": majority,
    }
    return summary, {"correct": correct, "majority_correct": majority_correct}
