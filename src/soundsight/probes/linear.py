"""Linear image classification from a two-stream model's vision subnet (L3-Net Table 3).

Look, Listen and Learn, Sect. 4.3: the vision subnet is frozen, its ``conv4_2`` (after the
ReLU) is max-pooled with equal kernel and stride to a 4 x 4 grid (4 x 4 x 512 = 8192-d from
256 x 256 images), and one linear layer is trained on top with a softmax loss (the paper
optimises it with Adam; the loss is convex, so L-BFGS reaches the same minimiser:
:class:`sklearn.linear_model.LogisticRegression`, multinomial, with an L2 penalty of weight
``1 / cost``). Features are z-scored with the training images' statistics. Top-1 accuracy on
the test images.

Here the classes are the SUN397-style set's (the world's scenes or a real SUN397 folder; the
paper: ImageNet), read by the partitions of :func:`soundsight.probes.run.sun_sets` (the same
training sample per class as the SVM probes), and the grid is adaptive max pooling, which is
the paper's equal kernel and stride whenever the map's side is a multiple of 4.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from torch import nn
from tqdm import tqdm

from soundsight.probes.avc_embeddings import image_spec_of
from soundsight.probes.extract import load_image, pool_map, probe_transform
from soundsight.probes.run import sun_sets

log = logging.getLogger(__name__)
IMAGE = "image"  # the input stream probed
DEFAULT_BATCH = 64
MAX_ITER = 2000


def vision_features(
    model: nn.Module,
    images: Sequence[str | Path | Image.Image],
    layer: str,
    pool: Sequence[int] | None,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> np.ndarray:
    """(N, D) float32: ``layer`` of the model's image input (an image model's, or a multi-stream
    model's ``image`` stream) on each image (a path, read batch by batch, or a PIL image), its
    map max-pooled to the ``pool`` grid ``(h, w)`` (None: the layer as it is), flattened."""
    transform = probe_transform(image_spec_of(model))
    (name,) = model.check_layers([layer])
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    streams = isinstance(model.input_spec, dict)
    model = model.eval().to(device)
    rows = []
    with torch.no_grad():
        for i in tqdm(range(0, len(images), batch_size), desc=f"{layer} images", unit="batch"):
            batch = [
                im if isinstance(im, Image.Image) else load_image(im)
                for im in images[i : i + batch_size]
            ]
            x = torch.stack([transform(im) for im in batch]).to(device)  # (B, 3, S, S)
            out = model.forward_intermediates({IMAGE: x} if streams else x, [name])[name]
            rows.append(
                pool_map(out, pool, layer).float().cpu().numpy()
            )  # (B, C[, h, w]) -> (B, D)
    return np.concatenate(rows)


def train_linear_classifier(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    cost: float,
    seed: int = 0,
) -> np.ndarray:
    """Per-test-image correctness (N_test,) of a softmax linear layer on z-scored features."""
    if cost <= 0:
        raise ValueError(f"cost must be > 0, got {cost}")
    if len(np.unique(y_train)) < 2:
        raise ValueError("a linear classifier needs at least two training classes")
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression(C=cost, max_iter=MAX_ITER, random_state=seed)
    clf.fit(scaler.transform(X_train), y_train)
    return clf.predict(scaler.transform(X_test)) == np.asarray(y_test)


def sun_linear_probe(
    model: nn.Module,
    sun_root: str | Path,
    layer: str,
    pool: Sequence[int] | None,
    train_per_class: int,
    cost: float,
    seed: int,
    batch_size: int = DEFAULT_BATCH,
    device: str = "cpu",
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The linear probe of ``layer`` on every SUN partition: the summary (SUN probe format:
    ``layers.<layer>.accuracy`` per partition and ``mean_accuracy``) and the per-image
    correctness ``correct_<layer>_p<k>`` the ``sun_accuracy`` audit metric resamples."""
    sets = sun_sets(sun_root, train_per_class, seed)
    X = vision_features(model, sets.paths, layer, pool, batch_size, device)
    arrays: dict[str, np.ndarray] = {}
    accuracy = []
    for k, (tr, te) in enumerate(sets.splits, start=1):
        correct = train_linear_classifier(
            X[tr], sets.labels[tr], X[te], sets.labels[te], cost, seed
        )
        arrays[f"correct_{layer}_p{k}"] = correct
        accuracy.append(float(correct.mean()))
    summary: dict[str, Any] = {
        "classes": sets.classes,
        "layers": {
            layer: {
                "accuracy": accuracy, "mean_accuracy": float(np.mean(accuracy)),
                "pool": list(pool) if pool is not None else None, "feature_dim": int(X.shape[1]),
                "cost": float(cost),
            }
        },
        "train_per_class": int(train_per_class),
        "rejected_images": sets.rejected,
    }  # fmt: skip
    log.info("SUN linear %s: mean accuracy %.3f", layer, summary["layers"][layer]["mean_accuracy"])
    return summary, arrays


__all__ = ["sun_linear_probe", "train_linear_classifier", "vision_features"]
