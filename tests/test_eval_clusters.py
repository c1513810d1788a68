"""NMI of k-means clusters, the random-assignment baseline and unit-preference counts (L3)."""

from __future__ import annotations

import numpy as np
import pytest

from soundsight.eval.clusters import (
    classes_covered,
    kmeans_nmi,
    nmi,
    preference_counts,
    preferred_classes,
    random_assignment,
    random_assignment_nmi,
    top_inputs,
)


def test_nmi_by_hand() -> None:
    labels, clusters = np.array([0, 0, 1, 1]), np.array([5, 5, 5, 7])
    # H(Y) = ln 2, H(C) = -(3/4 ln 3/4 + 1/4 ln 1/4); joint (c5,y0) 1/2, (c5,y1) 1/4, (c7,y1) 1/4
    hy = np.log(2)
    hc = -(0.75 * np.log(0.75) + 0.25 * np.log(0.25))
    mi = 0.5 * np.log(0.5 / (0.75 * 0.5)) + 0.25 * np.log(0.25 / (0.375)) + 0.25 * np.log(2)
    assert nmi(clusters, labels) == pytest.approx(mi / ((hy + hc) / 2))
    assert nmi(np.array([3, 3, 1, 1]), ["a", "a", "b", "b"]) == pytest.approx(1.0)
    assert nmi(np.array([0, 1, 0, 1]), labels) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="labels"):
        nmi(np.array([0, 1]), labels)


def test_kmeans_beats_random_assignment() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 30)  # (120,)
    centres = rng.normal(scale=10.0, size=(4, 6))
    feats = centres[labels] + rng.normal(size=(120, 6))
    trained = kmeans_nmi(feats, labels, k=4, seed=0)
    assert trained.nmi > 0.95 and trained.clusters.shape == (120,)
    rand = random_assignment_nmi(labels, k=64, seed=0)
    assert rand.nmi < trained.nmi and 0.0 < rand.nmi < 0.7
    np.testing.assert_array_equal(rand.clusters, random_assignment(120, 64, 0))  # seeded
    assert random_assignment(120, 64, 1).tolist() != rand.clusters.tolist()
    assert kmeans_nmi(feats[:3], labels[:3], k=64).clusters.max() <= 2  # k capped at N


def _units() -> tuple[np.ndarray, list[str]]:
    """8 inputs x 4 units; each column lists the inputs in its order, best first."""
    labels = ["a", "a", "a", "a", "b", "b", "b", "c"]
    orders = [
        [0, 1, 2, 3, 4, 5, 6, 7],  # top 5: a a a a b -> a at 4-of-5
        [0, 4, 1, 5, 2, 3, 6, 7],  # a b a b a        -> a at 3-of-5 only
        [4, 5, 6, 7, 0, 1, 2, 3],  # b b b c a        -> b at 3-of-5 only
        [3, 2, 1, 0, 7, 4, 5, 6],  # a a a a c        -> a at 4-of-5 (a second unit for a)
    ]
    acts = np.zeros((8, 4))
    for u, order in enumerate(orders):
        acts[order, u] = np.arange(8, 0, -1)
    return acts, labels


def test_unit_preference_counts_classes_not_units() -> None:
    acts, labels = _units()
    np.testing.assert_array_equal(top_inputs(acts, 5)[2], [4, 5, 6, 7, 0])
    assert preferred_classes(acts, labels, 4, 5) == ["a", None, None, "a"]
    assert preferred_classes(acts, labels, 3, 5) == ["a", "a", "b", "a"]
    assert classes_covered(acts, labels, 3, 5) == {"a", "b"}
    # 4 units prefer a class at 3-of-5, but they cover 2 classes: the paper counts classes
    assert preference_counts(acts, labels) == {"4of5": 1, "3of5": 2}


def test_unit_preference_ties_and_bad_inputs() -> None:
    acts = np.ones((6, 1))  # all tied: the first five inputs by index
    assert preferred_classes(acts, ["x"] * 4 + ["y", "y"], 4, 5) == ["x"]
    with pytest.raises(ValueError, match="m <= n"):
        preferred_classes(acts, ["x"] * 6, 6, 5)
    with pytest.raises(ValueError, match="n must be"):
        top_inputs(acts, 7)
