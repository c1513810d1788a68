"""Units of one group of categories, e.g. the instrument units of Owens et al. Figs. 12/13.

The paper trains its Cluster model on AudioSet, labels the units on Flickr frames (Fig. 12) and
shows the top responses of the many units selective for musical instruments (Fig. 13). Here the
same questions are asked of saved unit analyses (``units_frames``'s ``labels.csv`` + ``top.npz``):
how many detectors each model has per category, and which units are closest to a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.units.run import thumbnails_from_maps


@dataclass
class SavedUnits:
    """What ``save_analysis`` wrote for one model: per-unit top images, maps and fractions."""

    labels: pd.DataFrame  # LABEL_COLUMNS, one row per unit
    top_indices: np.ndarray  # (C, K) pool indices, best first
    top_maps: np.ndarray  # (C, n, h, w) maps on the first n top images
    fractions: np.ndarray  # (C, n_categories)
    categories: tuple[str, ...]
    pool_ids: np.ndarray  # (N,) frame ids of the pool, in pool order


def load_saved_units(labels_csv: str | Path, top_npz: str | Path) -> SavedUnits:
    """Read one model's unit analysis back."""
    with np.load(top_npz) as z:
        missing = {"top_maps", "fractions", "categories"} - set(z.files)
        if missing:
            raise ValueError(f"{top_npz} lacks {sorted(missing)}: rerun units_frames for it")
        return SavedUnits(
            pd.read_csv(labels_csv, keep_default_na=False),
            z["top_indices"], z["top_maps"], z["fractions"],
            tuple(str(c) for c in z["categories"]), z["pool_ids"],
        )  # fmt: skip


def detector_counts(labels: pd.DataFrame, group: Sequence[str]) -> dict:
    """Detectors in all, in ``group``, and per category (a JSON-friendly dict)."""
    det = labels[labels["is_detector"].astype(bool)]
    per = det["category"].value_counts().sort_index()
    return {
        "n_units": int(len(labels)),
        "n_detectors": int(len(det)),
        "n_group_detectors": int(det["category"].isin(list(group)).sum()),
        "per_category": {str(c): int(n) for c, n in per.items()},
    }


def group_units(saved: SavedUnits, group: Sequence[str], n: int) -> pd.DataFrame:
    """Up to ``n`` units for ``group``: its detectors by fraction, then (so a figure still shows
    the nearest units when there are few) the units with the largest fraction for a group
    category. Columns: unit, category, fraction, is_detector."""
    cols = [saved.categories.index(c) for c in group if c in saved.categories]
    if not cols:
        raise ValueError(f"none of {list(group)} among the label categories {saved.categories}")
    sub = saved.fractions[:, cols]  # (C, |group|)
    best = sub.argmax(axis=1)
    table = pd.DataFrame(
        {
            "unit": np.arange(len(sub)),
            "category": [saved.categories[cols[b]] for b in best],
            "fraction": sub.max(axis=1),
        }
    )
    lab = saved.labels.set_index("unit")
    table["is_detector"] = [
        bool(lab.at[u, "is_detector"]) and lab.at[u, "category"] in group for u in table["unit"]
    ]
    table = table[table["fraction"] > 0]
    return table.sort_values(["is_detector", "fraction"], ascending=False).head(n)


def group_panels(
    saved: SavedUnits,
    units: pd.DataFrame,
    image_paths: Sequence[Path],
    input_size: int,
    rf,
    radius_at_227: float = 33.0,
    n_images: int = 5,
) -> list[tuple[str, list[np.ndarray]]]:
    """(title, top masked thumbnails) per row of ``units`` (from :func:`group_units`)."""
    panels = []
    for _, row in units.iterrows():
        u = int(row["unit"])
        thumbs = thumbnails_from_maps(
            saved.top_indices[u, :n_images], saved.top_maps[u, :n_images], image_paths,
            input_size, rf, radius_at_227,
        )  # fmt: skip
        kind = "detector" if row["is_detector"] else "below threshold"
        panels.append((f"unit {u}: {row['category']} ({row['fraction']:.0%}, {kind})", thumbs))
    return panels
