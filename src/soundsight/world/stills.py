"""Still images rendered by the world renderer (shared by mini-VOC2007 and mini-SUN397)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from soundsight.world.compose import (
    DEFAULT_NUISANCES,
    FrameTruth,
    NuisanceRanges,
    VisualSpec,
    render_frames,
    sample_visual,
)


@dataclass
class StillImage:
    """A rendered still image with its ground truth."""

    spec: VisualSpec
    rgb: np.ndarray  # (H, W, 3) uint8
    truth: FrameTruth  # T = 1


def render_still(
    rng: np.random.Generator,
    scene: str,
    size: int,
    max_objects: int,
    forced: str | None = None,
    nuisances: NuisanceRanges = DEFAULT_NUISANCES,
) -> StillImage:
    """Render a square still image of ``scene`` (optionally forcing a prominent category)."""
    spec = sample_visual(rng, scene, size, size, 1, 1.0, max_objects, 0.0, forced, nuisances)
    frames, truth = render_frames(spec)
    return StillImage(spec, frames[0], truth)


def save_jpeg(rgb: np.ndarray, path: Path, quality: int) -> None:
    """Write (H, W, 3) uint8 as a baseline JPEG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, format="JPEG", quality=quality)
