"""Automatic unit labelling from ground-truth object masks (Zhou et al. 2015 protocol).

A unit's top-K masked regions (``masks.unit_masks``) are compared with the images' label maps.
A region *contains* category ``o`` when the pixels of ``o`` inside the mask exceed
``min_fraction`` (default 0.05) of the mask's area: the automatic stand-in for an annotator
marking "this highlighted region shows a dog". An empty mask contains nothing. The unit's
*fraction* for ``o`` is the share of its K regions that contain ``o``; its label is the
category with the largest fraction (ties: the earlier category), and it is a *detector* for
that category when the fraction is >= ``threshold`` (the paper: 60% of the top 60).

Network Dissection (Bau et al. 2017) lives in ``soundsight.units.dissect`` and is re-exported
here as ``netdissect_labels``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from soundsight.models.base import ReceptiveField
from soundsight.units.dissect import netdissect_labels  # noqa: F401  (re-export)
from soundsight.units.masks import unit_masks
from soundsight.units.views import LabelSource

log = logging.getLogger(__name__)

LABEL_COLUMNS = ["unit", "category", "category_index", "fraction", "is_detector"]


@dataclass
class AutoLabels:
    """Result of ``label_units``.

    ``table``: one row per unit (LABEL_COLUMNS; category "" and index -1 when no top region
    contains any object); ``fractions``: (C, n_categories) share of each unit's top regions
    containing each category; ``contains``: (C, K, n_categories) per-region verdicts.
    """

    table: pd.DataFrame
    fractions: np.ndarray
    contains: np.ndarray
    categories: tuple[str, ...] = ()  # names of the columns of ``fractions``


def region_contains(
    masks: np.ndarray, label_maps: np.ndarray, n_categories: int, min_fraction: float = 0.05
) -> np.ndarray:
    """(K, n_categories) bool: does masked region k contain category c?

    ``masks`` (K, S, S) bool, ``label_maps`` (K, S, S) uint8 (0 background, c + 1 = category c).
    """
    if masks.shape != label_maps.shape:
        raise ValueError(f"masks {masks.shape} and label maps {label_maps.shape} differ in shape")
    if not 0.0 <= min_fraction < 1.0:
        raise ValueError(f"min_fraction must be in [0, 1), got {min_fraction}")
    out = np.zeros((len(masks), n_categories), bool)
    for k, (mask, labels) in enumerate(zip(masks, label_maps, strict=True)):
        area = int(mask.sum())
        if area == 0:
            continue
        counts = np.bincount(labels[mask], minlength=n_categories + 1)[1 : n_categories + 1]
        out[k] = counts > min_fraction * area
    return out


def labels_from_fractions(
    fractions: np.ndarray, categories: Sequence[str], threshold: float = 0.6
) -> pd.DataFrame:
    """Per-unit label table (LABEL_COLUMNS) from (C, n_categories) containment fractions."""
    if fractions.ndim != 2 or fractions.shape[1] != len(categories):
        raise ValueError(
            f"fractions must be (C, {len(categories)}) for {len(categories)} categories, "
            f"got {fractions.shape}"
        )
    best = fractions.argmax(axis=1)  # (C,) first maximum
    frac = fractions[np.arange(len(fractions)), best]
    has = frac > 0
    return pd.DataFrame(
        {
            "unit": np.arange(len(fractions)),
            "category": [categories[b] if h else "" for b, h in zip(best, has, strict=True)],
            "category_index": np.where(has, best, -1),
            "fraction": frac.astype(np.float64),
            "is_detector": has & (frac >= threshold),
        }
    )


def label_units(
    top_maps: np.ndarray,
    top_indices: np.ndarray,
    label_source: LabelSource,
    rf: ReceptiveField,
    image_size: int,
    radius: float,
    rel_threshold: float = 0.5,
    min_fraction: float = 0.05,
    threshold: float = 0.6,
    progress: bool = True,
) -> AutoLabels:
    """Label every unit from its (C, K, h, w) maps on its top images (``top_indices`` (C, K)).

    Label maps are fetched once for the union of the top images.
    """
    if top_maps.shape[:2] != top_indices.shape:
        raise ValueError(f"top_maps {top_maps.shape} do not match top_indices {top_indices.shape}")
    categories = tuple(label_source.categories)
    union, inverse = np.unique(top_indices, return_inverse=True)  # (U,), (C * K,)
    inverse = inverse.reshape(top_indices.shape)  # (C, K) rows of ``maps``
    maps = label_source(union.tolist())  # (U, S, S) uint8
    if maps.shape[1:] != (image_size, image_size):
        raise ValueError(f"label maps are {maps.shape[1:]}, expected {image_size}x{image_size}")
    contains = np.zeros((*top_indices.shape, len(categories)), bool)  # (C, K, n_cat)
    for c in tqdm(range(len(top_maps)), desc="label units", disable=not progress):
        masks = unit_masks(top_maps[c], rf, image_size, radius, rel_threshold)  # (K, S, S)
        contains[c] = region_contains(masks, maps[inverse[c]], len(categories), min_fraction)
    fractions = contains.mean(axis=1)  # (C, n_cat)
    table = labels_from_fractions(fractions, categories, threshold)
    log.info(
        "%d of %d units are detectors (theta=%.2f)", table.is_detector.sum(), len(table), threshold
    )
    return AutoLabels(table=table, fractions=fractions, contains=contains, categories=categories)


def detectors_vs_threshold(fractions: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """(T,) number of units whose best fraction is >= each threshold (Fig. 4).

    ``fractions``: (C,) best fraction per unit (``table.fraction``) or (C, n_categories).
    """
    f = np.asarray(fractions, np.float64)
    best = f.max(axis=1) if f.ndim == 2 else f  # (C,)
    t = np.asarray(thresholds, np.float64)
    return (best[None, :] >= t[:, None]).sum(axis=1)
