"""Claims of Owens et al. §4 about object-selective units, audited on the unit labels.

The statistic of each claim is a difference of detector counts (or of the share of detectors that
detect sound-making objects) between two models. Units, not images, are the sampled items here:
each model's units are resampled with replacement (an unpaired bootstrap, since two networks'
units do not correspond), and the verdict follows the same 95% percentile rule as the image-level
claims. Published values come only from ``paper/published/owens2018_table1.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.paper.audit import AUDIT_COLUMNS, percentile_interval, verdict_of
from soundsight.paper.published_tables import published_value


@dataclass(frozen=True)
class UnitClaim:
    """``stat(left) - stat(right) > 0`` with stat = "count" or "share" of detectors of ``which``
    ("all", or a named group of categories such as "sound" or "instrument")."""

    name: str
    text: str
    left: str
    right: str
    stat: str  # "count" | "share"
    which: str  # "all" | a key of the groups passed to evaluate_unit_claims ("sound", ...)
    published: tuple[str, str, str] | None = None  # (row, left column, right column) of Table 1


def _statistic(
    labels: pd.DataFrame, stat: str, which: str, groups: Mapping[str, set[str]]
) -> float:
    det = labels[labels["is_detector"].astype(bool)]
    hits = np.ones(len(det), bool) if which == "all" else det["category"].isin(groups[which])
    if stat == "count":
        return float(np.sum(hits))
    return float(np.mean(hits)) * 100.0 if len(det) else 0.0


def _boot(
    labels: pd.DataFrame, claim: UnitClaim, groups: Mapping[str, set[str]], rng, n_boot: int
) -> np.ndarray:
    idx = rng.integers(0, len(labels), size=(n_boot, len(labels)))
    return np.array([_statistic(labels.iloc[i], claim.stat, claim.which, groups) for i in idx])


def _paper(claim: UnitClaim) -> tuple[str, float, str]:
    if claim.published is None:
        return "n/a", float("nan"), "the paper gives no number for this comparison"
    row, lcol, rcol = claim.published
    lv = published_value("owens2018", "table1", row, lcol)
    rv = published_value("owens2018", "table1", row, rcol)
    if claim.stat == "share":  # share = sound detectors / all detectors
        ln = published_value("owens2018", "table1", "# Detectors", lcol)
        rn = published_value("owens2018", "table1", "# Detectors", rcol)
        lv, rv = 100.0 * lv / ln, 100.0 * rv / rn
    diff = lv - rv
    return ("holds" if diff > 0 else "fails"), diff, f"{lcol} {lv:.1f} vs {rcol} {rv:.1f}"


def evaluate_unit_claims(
    claims: Sequence[UnitClaim],
    label_files: dict[str, Path],
    groups: Mapping[str, Sequence[str]],
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    """One audit row per claim (columns of :data:`AUDIT_COLUMNS`); ``groups`` names the category
    sets a claim's ``which`` may refer to, e.g. {"sound": SOUND_CATEGORIES}."""
    sets = {name: set(cats) for name, cats in groups.items()}
    unknown = sorted({c.which for c in claims} - set(sets) - {"all"})
    if unknown:
        raise ValueError(f"claims count detectors of unknown category groups {unknown}")
    rng = np.random.default_rng(seed)
    rows = []
    for c in claims:
        paper_verdict, paper_diff, paper_details = _paper(c)
        rec = dict.fromkeys(AUDIT_COLUMNS, "")
        rec.update(name=c.name, text=c.text, kind="greater", dataset="units", layer="conv5",
                   left=c.left, right=c.right, paper_verdict=paper_verdict,
                   paper_difference=paper_diff, paper_details=paper_details,
                   n_boot=n_boot, seed=seed)  # fmt: skip
        missing = [m for m in (c.left, c.right) if m not in label_files]
        if missing:
            rec.update(verdict="not evaluated", reason=f"no unit labels for {missing}")
            rows.append(rec)
            continue
        lab = {m: pd.read_csv(label_files[m]) for m in (c.left, c.right)}
        obs = _statistic(lab[c.left], c.stat, c.which, sets) - _statistic(
            lab[c.right], c.stat, c.which, sets
        )
        samples = _boot(lab[c.left], c, sets, rng, n_boot) - _boot(
            lab[c.right], c, sets, rng, n_boot
        )
        low, high = percentile_interval(samples)
        rec.update(observed=obs, ci_low=low, ci_high=high, verdict=verdict_of(low, high),
                   n_images=len(lab[c.left]),
                   details=f"{c.stat} of {c.which} detectors, bootstrap over units")  # fmt: skip
        rows.append(rec)
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))


UNIT_CLAIMS: list[UnitClaim] = [
    UnitClaim(
        "sound_more_sound_detectors_than_scene",
        "§4 / Table 1: the sound model has more detectors for objects with characteristic sounds "
        "than the scene-recognition (Places) network",
        "sound_cluster", "scene", "count", "sound",
        ("# Detectors for objects with characteristic sounds", "Sound", "Places"),
    ),
    UnitClaim(
        "sound_higher_share_of_sound_detectors_than_scene",
        "§4 / Table 1: ... both in total number and as a proportion of its detectors",
        "sound_cluster", "scene", "share", "sound",
        ("# Detectors for objects with characteristic sounds", "Sound", "Places"),
    ),
    UnitClaim(
        "texton_cnn_fewer_detectors_than_sound",
        "§6: the Texton-CNN's convolutional units rarely were selective for objects",
        "sound_cluster", "texton_cnn", "count", "all",
    ),
    UnitClaim(
        "audioset_cluster_more_instrument_detectors",
        "§6 / Figs. 12-13: the Cluster model trained on AudioSet has a large number of units "
        "selective for musical instruments, unlike the one trained on Flickr videos",
        "audioset_cluster", "sound_cluster", "count", "instrument",
    ),
]  # fmt: skip
