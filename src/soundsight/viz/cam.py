"""Class activation maps of the CAM sound model (Owens et al. §4.1; Figs. 9 and 10).

The CAM model replaces the fully connected layers by convolutions and global average pooling,
so each audio category has a map ``cam_c(x, y) = Σ_k w_ck f_k(x, y)`` over the image. Fig. 10
shows, for several audio categories, the held-out frames the model is most confident about
(at most one per video) with their CAMs; Fig. 9 shows the CAMs of two categories on the same
frames, where they localise different objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from tqdm import tqdm

from soundsight.models.input_spec import ImageSpec, image_spec
from soundsight.probes.extract import load_image, probe_transform
from soundsight.viz.common import save_figure


@dataclass
class CamPredictions:
    """Class probabilities (N, K) and CAMs (N, K, h, w) of a pool of images."""

    probs: np.ndarray
    cams: np.ndarray


@torch.no_grad()
def predict_cams(
    model: torch.nn.Module, paths: Sequence[Path], batch_size: int = 64, device: str = "cpu"
) -> CamPredictions:
    """Softmax probabilities and class activation maps of every image (eval mode)."""
    model.eval().to(device)
    tf = probe_transform(model.input_spec)  # the model's resize, crop and normalisation
    probs, cams = [], []
    for s in tqdm(range(0, len(paths), batch_size), desc="CAMs"):
        x = torch.stack([tf(load_image(p)) for p in paths[s : s + batch_size]]).to(device)
        probs.append(F.softmax(model(x), 1).cpu().numpy())  # (B, K)
        cams.append(model.class_activation_maps(x).cpu().numpy())  # (B, K, h, w)
    return CamPredictions(np.concatenate(probs), np.concatenate(cams))


def most_confident(probs: np.ndarray, videos: Sequence[str], cls: int, n: int) -> list[int]:
    """Indices of the ``n`` images with the highest probability of ``cls``, one per video."""
    chosen, seen = [], set()
    for i in np.argsort(-probs[:, cls], kind="stable"):
        if videos[i] not in seen:
            chosen.append(int(i))
            seen.add(videos[i])
        if len(chosen) == n:
            break
    return chosen


def top_categories(probs: np.ndarray, n: int) -> list[int]:
    """The ``n`` categories predicted (argmax) most often, ties broken by mean probability."""
    k = probs.shape[1]
    counts = np.bincount(probs.argmax(1), minlength=k)
    order = np.lexsort((-probs.mean(0), -counts))  # primary key last
    return [int(c) for c in order[:n]]


def overlay(image: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """(S, S, 3) uint8 image with a (h, w) CAM upsampled, normalised and blended as a heat map."""
    from matplotlib import colormaps

    t = torch.from_numpy(cam)[None, None].float()
    up = F.interpolate(t, size=image.shape[:2], mode="bilinear", align_corners=False)[0, 0]
    up = up.numpy()
    up = (up - up.min()) / (np.ptp(up) + 1e-8)
    heat = colormaps["jet"](up)[..., :3]  # (S, S, 3) in [0, 1]
    return (0.5 * image / 255.0 + 0.5 * heat).clip(0, 1)


def view(path: Path, size: int | ImageSpec) -> np.ndarray:
    """The image as the model sees it (resize + centre crop), uint8; ``size``: the input side or
    the model's ``input_spec``."""
    spec = image_spec(size)
    x = probe_transform(spec)(load_image(path))  # normalised (3, S, S)
    mean = torch.tensor(spec.mean)[:, None, None]
    std = torch.tensor(spec.std)[:, None, None]
    return ((x * std + mean).clamp(0, 1) * 255).byte().permute(1, 2, 0).numpy()


def plot_fig10(
    pred: CamPredictions,
    paths: Sequence[Path],
    videos: Sequence[str],
    size: int,
    out_png: Path,
    n_categories: int = 7,
    n_images: int = 5,
) -> dict:
    """Fig. 10: per category, its most confident frames (one per video) with their CAMs."""
    cats = top_categories(pred.probs, n_categories)
    fig = Figure(figsize=(1.6 * n_images, 1.7 * len(cats)))
    axes = fig.subplots(len(cats), n_images, squeeze=False)
    chosen = {}
    for r, c in enumerate(cats):
        idx = most_confident(pred.probs, videos, c, n_images)
        chosen[c] = idx
        for j, ax in enumerate(axes[r]):
            ax.axis("off")
            if j < len(idx):
                ax.imshow(overlay(view(paths[idx[j]], size), pred.cams[idx[j], c]))
                ax.set_title(f"p={pred.probs[idx[j], c]:.2f}", fontsize=7)
        axes[r][0].text(-0.1, 0.5, f"cluster {c}", transform=axes[r][0].transAxes, rotation=90,
                        ha="right", va="center", fontsize=8)  # fmt: skip
    fig.tight_layout()
    save_figure(fig, out_png)
    return {
        "categories": cats,
        "frames": {str(c): [str(paths[i]) for i in v] for c, v in chosen.items()},
    }


def plot_fig9(
    pred: CamPredictions,
    paths: Sequence[Path],
    videos: Sequence[str],
    size: int,
    out_png: Path,
    n_images: int = 4,
) -> dict:
    """Fig. 9: CAMs of two categories on the same frames (the two most predicted categories)."""
    a, b = top_categories(pred.probs, 2)
    score = np.minimum(pred.probs[:, a], pred.probs[:, b])  # frames where both are plausible
    idx = most_confident(np.stack([score], 1), videos, 0, n_images)
    fig = Figure(figsize=(5.0, 1.7 * len(idx)))
    axes = fig.subplots(len(idx), 3, squeeze=False)
    for r, i in enumerate(idx):
        img = view(paths[i], size)
        panels = [(img / 255.0, "frame"), (overlay(img, pred.cams[i, a]), f"CAM cluster {a}"),
                  (overlay(img, pred.cams[i, b]), f"CAM cluster {b}")]  # fmt: skip
        for ax, (im, title) in zip(axes[r], panels, strict=True):
            ax.imshow(im)
            ax.set_title(title, fontsize=7)
            ax.axis("off")
    fig.tight_layout()
    save_figure(fig, out_png)
    return {"categories": [a, b], "frames": [str(paths[i]) for i in idx]}
