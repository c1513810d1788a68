"""Workflow entry point of the unit analysis: one model, a pool of images with label maps.

``analyse_units`` ranks the pool by each conv5 unit's spatial max, keeps the top-K images,
labels each unit automatically from the ground-truth masks inside its receptive-field masks,
counts detectors as the threshold varies (Fig. 4), renders the top responses of the strongest
detectors (Figs. 5/8/14) and, optionally, exports the HTML galleries and CSV sheets for human
labelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from soundsight.units.activations import top_unit_maps, unit_maxima
from soundsight.units.label import AutoLabels, detectors_vs_threshold, label_units
from soundsight.units.masks import apply_mask, default_radius, unit_masks
from soundsight.units.sheets import export_unit_gallery, write_gallery_index
from soundsight.units.views import LabelSource, view_image

THRESHOLDS = tuple(np.round(np.arange(0.3, 1.0001, 0.05), 2))


@dataclass
class UnitAnalysis:
    """Automatic labels of every unit, its top images and the detector count per threshold."""

    labels: AutoLabels
    top_indices: np.ndarray  # (C, K) pool indices, best first
    top_maps: np.ndarray  # (C, K, h, w) conv5 maps on the top images
    curve: pd.DataFrame  # threshold, n_detectors


def analyse_units(
    model: torch.nn.Module,
    image_paths: Sequence[Path],
    label_source: LabelSource,
    top_k: int = 60,
    threshold: float = 0.6,
    min_fraction: float = 0.05,
    radius_at_227: float = 33.0,
    batch_size: int = 64,
    device: str = "cpu",
) -> UnitAnalysis:
    """Zhou et al. 2015 protocol on one model (see the module docstring)."""
    size = model.input_size
    if len(image_paths) < top_k:
        raise ValueError(f"unit pool has {len(image_paths)} images, fewer than top_k={top_k}")
    ranked = unit_maxima(model, image_paths, size, batch_size, device, top_k=top_k)
    maps = top_unit_maps(model, image_paths, ranked.top_indices, size, batch_size, device)
    radius = default_radius(size, radius_at_227)
    labels = label_units(
        maps, ranked.top_indices, label_source, model.receptive_field, size, radius,
        min_fraction=min_fraction, threshold=threshold,
    )  # fmt: skip
    counts = detectors_vs_threshold(labels.fractions, THRESHOLDS)
    curve = pd.DataFrame({"threshold": THRESHOLDS, "n_detectors": counts})
    return UnitAnalysis(labels, ranked.top_indices, maps, curve)


def masked_thumbnails(
    analysis: UnitAnalysis,
    unit: int,
    image_paths: Sequence[Path],
    input_size: int,
    rf,
    n: int,
    radius_at_227: float = 33.0,
) -> list[np.ndarray]:
    """The unit's first ``n`` top images, dimmed outside its receptive-field masks."""
    return thumbnails_from_maps(
        analysis.top_indices[unit, :n], analysis.top_maps[unit, :n], image_paths, input_size, rf,
        radius_at_227,
    )  # fmt: skip


def thumbnails_from_maps(
    top_indices: np.ndarray,
    top_maps: np.ndarray,
    image_paths: Sequence[Path],
    input_size: int,
    rf,
    radius_at_227: float = 33.0,
) -> list[np.ndarray]:
    """Images ``top_indices`` (n,) dimmed outside the masks of their (n, h, w) unit maps."""
    radius = default_radius(input_size, radius_at_227)
    masks = unit_masks(top_maps, rf, input_size, radius)  # (n, S, S)
    views = [view_image(image_paths[i], input_size) for i in top_indices]
    return [apply_mask(v, m) for v, m in zip(views, masks, strict=True)]


def strongest_detectors(labels: pd.DataFrame, n: int) -> pd.DataFrame:
    """Up to ``n`` detector units with the highest fractions, one per category first."""
    det = labels[labels["is_detector"]].sort_values("fraction", ascending=False)
    first = det.drop_duplicates("category")
    rest = det.drop(first.index)
    return pd.concat([first, rest]).head(n)


def export_galleries(
    top_indices: np.ndarray,
    top_maps: np.ndarray,
    image_paths: Sequence[Path],
    input_size: int,
    rf,
    out_dir: Path,
    radius_at_227: float = 33.0,
) -> Path:
    """HTML gallery + blank CSV sheet for every unit (human labelling), and an index page.

    ``top_indices`` (C, K) and ``top_maps`` (C, K, h, w) as in :class:`UnitAnalysis`.
    """
    units = list(range(len(top_indices)))
    radius = default_radius(input_size, radius_at_227)
    for unit in units:
        masks = unit_masks(top_maps[unit], rf, input_size, radius)  # (K, S, S)
        views = [view_image(image_paths[i], input_size) for i in top_indices[unit]]
        export_unit_gallery(unit, views, masks, out_dir)
    return write_gallery_index(out_dir, units)


def world_pool(index_csv: str | Path, split_csv: str | Path, pool: str) -> pd.DataFrame:
    """Pool frames (frame_id, video_id, frame_time_s, path): held-out (`test`) or `all`."""
    index = pd.read_csv(index_csv, dtype={"frame_id": str, "video_id": str})
    split = pd.read_csv(split_csv, dtype={"frame_id": str})[["frame_id", "split"]]
    frames = index.merge(split, on="frame_id", how="inner", validate="1:1")
    if pool == "test":
        frames = frames[frames["split"] == "test"]
    elif pool != "all":
        raise ValueError(f"units.pool must be 'test' or 'all', got {pool!r}")
    root = Path(index_csv).parent
    paths = [root / d / j for d, j in zip(frames["shard_dir"], frames["jpg"], strict=True)]
    return frames.assign(path=paths).reset_index(drop=True)


def voc_pool(voc_root: str | Path) -> pd.DataFrame:
    """Still images with class-index masks: every mini-VOC image that has SegmentationClass."""
    root = Path(voc_root)
    seg = sorted((root / "SegmentationClass").glob("*.png"))
    if not seg:
        raise FileNotFoundError(
            f"no SegmentationClass/*.png under {root}: still-image pool is empty"
        )
    return pd.DataFrame(
        {
            "image_id": [p.stem for p in seg],
            "path": [root / "JPEGImages" / f"{p.stem}.jpg" for p in seg],
            "mask": seg,
        }
    )


def save_analysis(
    analysis: UnitAnalysis, pool: pd.DataFrame, labels_csv: Path, top_npz: Path, n_maps: int = 5
) -> None:
    """Unit labels (CSV); ranked pool indices with the pool's ids, the maps of each unit's top
    ``n_maps`` images and the per-category fractions (NPZ), so figures need no second pass."""
    analysis.labels.table.to_csv(labels_csv, index=False)
    ids = pool["frame_id"] if "frame_id" in pool else pool["image_id"]
    np.savez(
        top_npz,
        top_indices=analysis.top_indices,
        pool_ids=np.asarray(ids, dtype=str),
        thresholds=np.asarray(analysis.curve["threshold"]),
        n_detectors=np.asarray(analysis.curve["n_detectors"]),
        top_maps=analysis.top_maps[:, :n_maps].astype(np.float32),  # (C, n_maps, h, w)
        fractions=analysis.labels.fractions,  # (C, n_categories)
        categories=np.asarray(analysis.labels.categories, dtype=str),
    )


def response_panels(
    analysis: UnitAnalysis, pool: pd.DataFrame, model: torch.nn.Module, n_units: int = 6
) -> list[tuple[str, list[np.ndarray]]]:
    """(title, top-5 masked thumbnails) of the strongest detectors, for Figs. 5/8/14."""
    best = strongest_detectors(analysis.labels.table, n_units)
    if best.empty:  # no detector: show the units with the highest fractions anyway
        best = analysis.labels.table.sort_values("fraction", ascending=False).head(n_units)
    panels = []
    for _, row in best.iterrows():
        unit = int(row["unit"])
        thumbs = masked_thumbnails(
            analysis, unit, list(pool["path"]), model.input_size, model.receptive_field, 5
        )
        panels.append((f"unit {unit}: {row['category']} ({row['fraction']:.0%})", thumbs))
    return panels
