"""Figures of the unit analysis (Owens et al. 2018 Figs 4-8, 14); each saved as PNG + PDF.

- ``plot_detectors_vs_threshold``: Fig 4, detectors as the labelling threshold rises.
- ``plot_unit_responses``: Figs 5/8/14, top-5 masked responses of selected units.
- ``plot_detector_histograms``: Figs 6/7, detectors per category for several models
  (categories with a characteristic sound marked with *).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from soundsight.world import SOUND_CATEGORIES

log = logging.getLogger(__name__)


def save_figure(fig: Figure, out_stem: str | Path, dpi: int = 150) -> list[Path]:
    """Save ``fig`` as ``out_stem``.png and .pdf; return the paths."""
    stem = Path(out_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    for p in paths:
        fig.savefig(p, dpi=dpi, bbox_inches="tight")  # Agg/PDF canvases; no pyplot state
    log.info("wrote %s", [str(p) for p in paths])
    return paths


def plot_detectors_vs_threshold(
    curves: Mapping[str, tuple[Sequence[float], Sequence[int]]], out_stem: str | Path
) -> list[Path]:
    """Fig 4: {model: (thresholds, number of detectors)} as one line per model."""
    if not curves:
        raise ValueError("no curves to plot")
    fig = Figure(figsize=(4.5, 3.2))
    ax = fig.subplots()
    for name, (thresholds, counts) in curves.items():
        if len(thresholds) != len(counts):
            raise ValueError(f"{name}: {len(thresholds)} thresholds but {len(counts)} counts")
        ax.plot(np.asarray(thresholds) * 100, counts, marker="o", ms=3, label=name)
    ax.set_xlabel("threshold (% of top images containing the object)")
    ax.set_ylabel("# object-selective units")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return save_figure(fig, out_stem)


def plot_unit_responses(
    panels: Sequence[tuple[str, Sequence[np.ndarray]]],
    out_stem: str | Path,
    n_images: int = 5,
) -> list[Path]:
    """Figs 5/8/14: one row per unit, its title then its first ``n_images`` masked thumbnails.

    ``panels``: (title, thumbnails (S, S, 3) uint8 in rank order), e.g. ("unit 12: dog", ...).
    """
    if not panels:
        raise ValueError("no unit panels to plot")
    rows = len(panels)
    fig = Figure(figsize=(1.4 * n_images, 1.5 * rows))
    axes = fig.subplots(rows, n_images, squeeze=False)
    for r, (title, thumbs) in enumerate(panels):
        for j in range(n_images):
            ax = axes[r, j]
            ax.set_axis_off()
            if j < len(thumbs):
                ax.imshow(thumbs[j])
        axes[r, 0].set_title(title, loc="left", fontsize=8)
    fig.subplots_adjust(wspace=0.03, hspace=0.3)
    return save_figure(fig, out_stem)


def read_detectors(label_files: Mapping[str, str | Path]) -> dict[str, list[str]]:
    """{model: category of each detector unit} from unit-label CSVs (``units_frames`` output)."""
    tables = {m: pd.read_csv(f, keep_default_na=False) for m, f in label_files.items()}
    return {m: list(t.loc[t["is_detector"].astype(bool), "category"]) for m, t in tables.items()}


def category_counts(detector_categories: Sequence[str]) -> Counter:
    """Number of detectors per category name (blank names ignored)."""
    return Counter(c for c in detector_categories if c)


def plot_detector_histograms(
    detectors: Mapping[str, Sequence[str]],
    out_stem: str | Path,
    sound_categories: Sequence[str] = SOUND_CATEGORIES,
    categories: Sequence[str] | None = None,
) -> list[Path]:
    """Figs 6/7: per model, a bar per category of the number of detector units.

    ``detectors``: {model: category name of each detector unit}. Categories (all that occur
    unless ``categories`` is given) are ordered by their count in the first model, then by name;
    those in ``sound_categories`` are labelled with a trailing *.
    """
    if not detectors:
        raise ValueError("no models to plot")
    counts = {m: category_counts(c) for m, c in detectors.items()}
    first = next(iter(counts.values()))
    names = list(categories) if categories is not None else sorted(set().union(*counts.values()))
    names.sort(key=lambda n: (-first.get(n, 0), n))
    sound = set(sound_categories)
    ticks = [f"{n}*" if n in sound else n for n in names]
    fig = Figure(figsize=(max(4.0, 0.35 * len(names) + 1), 2.0 * len(counts)))
    axes = fig.subplots(len(counts), 1, squeeze=False)
    x = np.arange(len(names))
    for ax, (model, cnt) in zip(axes[:, 0], counts.items(), strict=True):
        ax.bar(x, [cnt.get(n, 0) for n in names], color="tab:blue")
        ax.set_title(f"{model} ({sum(cnt.values())} detectors)", fontsize=9)
        ax.set_ylabel("# units")
        ax.set_xticks(x, ticks, rotation=60, ha="right", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out_stem)
