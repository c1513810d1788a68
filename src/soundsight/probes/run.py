"""Workflow entry points of the probes: a trained model + a dataset folder -> probe results.

``voc_probe`` and ``sun_probe`` extract each requested layer once per image and run the SVM
probe of :mod:`soundsight.probes.svm` per layer; the results are JSON-able summaries plus the
per-image test scores that the claims audit resamples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from soundsight.data.sun import n_partitions, read_sun
from soundsight.data.voc import read_voc
from soundsight.models.input_spec import image_spec
from soundsight.probes.extract import assert_trunk_unchanged, extract_features, snapshot_state
from soundsight.probes.svm import sample_per_class, train_sun_probe, train_voc_probe


def resize_for(input_size: int) -> int:
    """The paper resizes to 256 and centre-crops 227; the same ratio at a scaled input size
    (the image spec's default resize side)."""
    return image_spec(input_size).resize_size


def _features(
    model: torch.nn.Module,
    paths: Sequence[Path],
    layers: Sequence[str],
    input_size: int,
    batch_size: int,
    device: str,
) -> dict[str, np.ndarray]:
    """Layer features (N, D) of images, checking that extraction left the trunk unchanged."""
    before = snapshot_state(model)
    feats = extract_features(
        model, list(paths), list(layers), input_size, resize_for(input_size), batch_size, device
    )
    assert_trunk_unchanged(model, before)
    return feats


def voc_probe(
    model: torch.nn.Module,
    voc_root: str | Path,
    layers: Sequence[str],
    input_size: int,
    batch_size: int = 64,
    device: str = "cpu",
    n_jobs: int = 1,
    select: str = "per_class",
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """One-vs-rest SVM probe per layer on VOC2007 (train/val for the cost, trainval→test)."""
    splits = {s: read_voc(Path(voc_root), s) for s in ("train", "val", "test")}
    classes = splits["test"].classes
    splits = {s: read_voc(Path(voc_root), s, classes) for s in splits}
    feats = {
        s: _features(model, v.image_paths, layers, input_size, batch_size, device)
        for s, v in splits.items()
    }
    Y = {s: v.labels for s, v in splits.items()}
    summary: dict[str, Any] = {"classes": list(classes), "layers": {}}
    arrays = {
        "classes": np.array(classes),
        "image_ids": np.array(splits["test"].image_ids),
        "labels": Y["test"],
    }
    for layer in layers:
        F = {s: feats[s][layer] for s in feats}
        trainval = np.concatenate([F["train"], F["val"]])
        Ytv = np.concatenate([Y["train"], Y["val"]])
        res = train_voc_probe(
            F["train"], Y["train"], F["val"], Y["val"], trainval, Ytv, F["test"], Y["test"],
            n_jobs=n_jobs, class_names=classes, select=select,
        )  # fmt: skip
        summary["layers"][layer] = {
            "map11": res.map11,
            "map_area": float(res.area_ap.mean()),
            "ap11": dict(zip(classes, res.ap11.tolist(), strict=True)),
            "area_ap": dict(zip(classes, res.area_ap.tolist(), strict=True)),
            "chosen_cost": dict(zip(classes, res.chosen_cost.tolist(), strict=True)),
            "dim": int(F["test"].shape[1]),
        }
        arrays[f"scores_{layer}"] = res.test_scores.astype(np.float32)
    return summary, arrays


@dataclass(frozen=True)
class SunSets:
    """Every image of a SUN397 folder once, its label, and each partition's (train, test)
    indices into them (``train_per_class`` training images per class, seeded per partition)."""

    paths: list[Path]
    labels: np.ndarray  # (N,) int64
    splits: list[tuple[np.ndarray, np.ndarray]]
    classes: list[str]
    rejected: list[dict[str, str]]


def sun_sets(sun_root: str | Path, train_per_class: int, seed: int) -> SunSets:
    """The images and partitions a SUN probe reads (partition k's sample seeded ``seed + k``)."""
    sun_root = Path(sun_root)
    parts = [read_sun(sun_root, k) for k in range(1, n_partitions(sun_root) + 1)]
    paths = sorted({p for s in parts for p in (*s.train_paths, *s.test_paths)})
    pos = {p: i for i, p in enumerate(paths)}
    y = np.full(len(paths), -1, dtype=np.int64)
    splits = []
    for k, s in enumerate(parts):
        tr = np.array([pos[p] for p in s.train_paths])
        te = np.array([pos[p] for p in s.test_paths])
        y[tr], y[te] = s.train_labels, s.test_labels
        splits.append((sample_per_class(tr, y, train_per_class, seed + k), te))
    rejected = sorted({(str(p.relative_to(sun_root)), why) for s in parts for p, why in s.rejected})
    return SunSets(
        paths, y, splits, list(parts[0].classes), [{"path": p, "reason": w} for p, w in rejected]
    )


def sun_probe(
    model: torch.nn.Module,
    sun_root: str | Path,
    layers: Sequence[str],
    input_size: int,
    train_per_class: int,
    seed: int,
    batch_size: int = 64,
    device: str = "cpu",
    n_jobs: int = 1,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """SUN397-style probe per layer, ``train_per_class`` training images per class."""
    sets = sun_sets(sun_root, train_per_class, seed)
    feats = _features(model, sets.paths, layers, input_size, batch_size, device)
    summary: dict[str, Any] = {"classes": sets.classes, "layers": {}}
    summary["rejected_images"] = sets.rejected
    arrays: dict[str, np.ndarray] = {}
    for layer in layers:
        res = train_sun_probe(feats[layer], sets.labels, sets.splits, seed=seed, n_jobs=n_jobs)
        summary["layers"][layer] = {
            "accuracy": res.accuracy.tolist(),
            "mean_accuracy": res.mean_accuracy,
            "chosen_cost": res.chosen_cost.tolist(),
        }
        for k, correct in enumerate(res.test_correct, start=1):
            arrays[f"correct_{layer}_p{k}"] = correct
    return summary, arrays


class LogPosteriors(torch.nn.Module):
    """A classifier's log class posteriors as its only probed "layer" (``log_probs``).

    Owens et al. §5.2 probe the CAM sound model's 30 log posteriors as features (Table 4's
    "audio class probability" row).
    """

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model
        self.input_size = model.input_size

    def forward_intermediates(
        self, x: torch.Tensor, layers: Sequence[str] = ("log_probs",)
    ) -> dict[str, torch.Tensor]:
        if list(layers) != ["log_probs"]:
            raise ValueError(f"LogPosteriors only provides 'log_probs', asked for {list(layers)}")
        return {"log_probs": torch.log_softmax(self.model(x), dim=1)}  # (B, K)
