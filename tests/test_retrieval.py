"""nDCG@k over an ontology (Objects that Sound, App. A as pinned) and the CCA baseline."""

from __future__ import annotations

import numpy as np
import pytest

from soundsight.data.audioset import Ontology
from soundsight.eval.retrieval import (
    discounts,
    distance_matrix,
    fit_cca,
    label_distance,
    ndcg_directions,
    ndcg_npz_arrays,
    rank_database,
    relevance_matrix,
    retrieval_ndcg,
)

L = 1.0 / np.log2(3.0)  # discount of rank 2


def _ontology(edges: list[tuple[str, str]]) -> Ontology:
    """An Ontology from (parent, child) edges, parents listed in edge order."""
    nodes = list(dict.fromkeys(n for e in edges for n in e))
    children = {n: tuple(c for p, c in edges if p == n) for n in nodes}
    parents = {n: tuple(p for p, c in edges if c == n) for n in nodes}
    return Ontology({n: n.replace("_", " ") for n in nodes}, children, parents)


def _music() -> Ontology:
    """Music -> Musical instrument -> Plucked string -> Guitar -> {acoustic, electric}; and
    Musical instrument -> Percussion -> {drum, drum kit}, as in AudioSet."""
    return _ontology(
        [
            ("music", "musical_instrument"),
            ("musical_instrument", "plucked_string"),
            ("plucked_string", "guitar"),
            ("guitar", "electric_guitar"),
            ("guitar", "acoustic_guitar"),
            ("musical_instrument", "percussion"),
            ("percussion", "drum"),
            ("percussion", "drum_kit"),
        ]
    )


def test_pinned_distances() -> None:
    onto = _music()
    assert label_distance(onto, "acoustic_guitar", "acoustic_guitar") == 0
    assert label_distance(onto, "acoustic_guitar", "electric_guitar") == 2
    assert label_distance(onto, "acoustic_guitar", "drum") == 5
    d = distance_matrix(onto, ["acoustic_guitar", "drum", "music"])
    np.testing.assert_array_equal(d, [[0, 5, 4], [5, 0, 3], [4, 3, 0]])


def test_two_parent_node_uses_its_second_parent() -> None:
    # x has parents p1 (listed first, deep) and p2 (second, beside y): via p2 the path is 2;
    # a reader keeping only the first parent would walk x-p1-s-root-p2-y = 5
    onto = _ontology(
        [("root", "s"), ("s", "p1"), ("p1", "x"), ("root", "p2"), ("p2", "x"), ("p2", "y")]
    )
    assert onto.parents["x"] == ("p1", "p2")
    assert label_distance(onto, "x", "y") == 2
    assert label_distance(onto, "y", "x") == 2
    rel = relevance_matrix([["x"]], [["y"], ["s"]], onto)
    np.testing.assert_array_equal(rel, [[18.0, 18.0]])  # s is 2 up from x through p1


def test_relevance_best_pair_floor_and_components() -> None:
    onto = _ontology([("music", "guitar"), ("music", "drum"), ("animal", "dog")])
    rel = relevance_matrix([["guitar", "dog"]], [["drum"], ["dog"], ["music", "guitar"]], onto)
    np.testing.assert_array_equal(rel, [[18.0, 20.0, 20.0]])  # best pair over both label sets
    rel = relevance_matrix([["guitar"]], [["dog"], ["drum"]], onto, c=1)
    np.testing.assert_array_equal(rel, [[0.0, 0.0]])  # other component (inf) and floored


def _four_items() -> tuple[np.ndarray, list[list[str]]]:
    """Unit vectors at 0, 10, 25 and 90 degrees; labels ag, eg, drum, {ag, drum kit}."""
    angles = np.deg2rad([0.0, 10.0, 25.0, 90.0])
    feats = np.stack([np.cos(angles), np.sin(angles)], axis=1) * [[1.0], [3.0], [0.5], [2.0]]
    labels = [["acoustic_guitar"], ["electric_guitar"], ["drum"], ["acoustic_guitar", "drum_kit"]]
    return feats, labels


# hand-worked (C = 20): relevances
#   q0 ag:      [-, 18, 15, 20]   ranking 1, 2, 3
#   q1 eg:      [18, -, 15, 18]   ranking 0, 2, 3
#   q2 drum:    [15, 15, -, 18]   ranking 1, 0, 3
#   q3 ag+kit:  [20, 18, 18, -]   ranking 2, 1, 0
HAND_K2 = [
    (18 + 15 * L) / (20 + 18 * L),
    (18 + 15 * L) / (18 + 18 * L),
    (15 + 15 * L) / (18 + 15 * L),
    (18 + 18 * L) / (20 + 18 * L),
]


def test_four_item_database_by_hand() -> None:
    feats, labels = _four_items()
    rel = relevance_matrix(labels, labels, _music())
    np.testing.assert_array_equal(
        rel, [[20, 18, 15, 20], [18, 20, 15, 18], [15, 15, 20, 18], [20, 18, 18, 20]]
    )
    res = retrieval_ndcg(feats, feats, labels, None, _music(), k=2)
    np.testing.assert_array_equal(res.ranking, [[1, 2], [0, 2], [1, 0], [2, 1]])
    np.testing.assert_allclose(res.per_query, HAND_K2)
    assert res.mean == pytest.approx(np.mean(HAND_K2))
    # k larger than the database: every other item is retrieved, IDCG over all of them
    full = retrieval_ndcg(feats, feats, labels, None, _music(), k=30)
    d3 = discounts(3)
    assert full.ranking.shape == (4, 3)
    assert full.per_query[0] == pytest.approx((np.array([18, 15, 20]) @ d3) / ([20, 18, 15] @ d3))


def test_port_bugs_give_different_numbers() -> None:
    feats, labels = _four_items()
    right = retrieval_ndcg(feats, feats, labels, None, _music(), k=2).mean
    # exponential gain 2^rel - 1, q0: (2^18-1 + (2^15-1)L) / (2^20-1 + (2^18-1)L), ...
    g = lambda r: 2.0**r - 1  # noqa: E731
    expo = np.mean(
        [
            (g(18) + g(15) * L) / (g(20) + g(18) * L),
            (g(18) + g(15) * L) / (g(18) + g(18) * L),
            (g(15) + g(15) * L) / (g(18) + g(15) * L),
            (g(18) + g(18) * L) / (g(20) + g(18) * L),
        ]
    )
    # IDCG from the retrieved list: each query's two gains sorted, so q0, q1, q2, q3 are 1
    from_list = 1.0
    # the query as its own first hit (relevance 20 at rank 1): q0 gains 20, 18, ideal 20, 20
    q_self = [(18, 20), (18, 18), (15, 18), (18, 20)]  # (gain at rank 2, ideal at rank 2)
    self_hit = np.mean([(20 + a * L) / (20 + b * L) for a, b in q_self])
    for wrong in (expo, from_list, self_hit):
        assert abs(right - wrong) > 1e-3


def test_cross_modal_excludes_the_counterpart() -> None:
    feats, labels = _four_items()
    rng = np.random.default_rng(0)
    audio = feats + 1e-3 * rng.normal(size=feats.shape)  # each item's nearest is its own audio
    cross = retrieval_ndcg(feats, audio, labels, None, _music(), k=2)
    assert not (cross.ranking == np.arange(4)[:, None]).any()
    np.testing.assert_allclose(cross.per_query, HAND_K2)
    # without the exclusion the counterpart would be first
    assert (rank_database(feats, audio, False, 1)[:, 0] == np.arange(4)).all()


def test_all_four_directions_and_their_npz() -> None:
    feats, labels = _four_items()
    audio = feats[[1, 0, 3, 2]]  # audio of item i looks like the image of another item
    res = ndcg_directions(feats, audio, labels, _music(), k=2)
    assert list(res) == ["im-im", "im-aud", "aud-im", "aud-aud"]
    np.testing.assert_allclose(res["im-im"].per_query, HAND_K2)
    for direction, (q, d) in {"im-aud": (feats, audio), "aud-im": (audio, feats)}.items():
        want = retrieval_ndcg(q, d, labels, None, _music(), k=2)
        np.testing.assert_array_equal(res[direction].per_query, want.per_query)
    arrays = ndcg_npz_arrays(["a", "b", "c", "d"], res)
    assert sorted(arrays) == [
        "ndcg_aud-aud",
        "ndcg_aud-im",
        "ndcg_im-aud",
        "ndcg_im-im",
        "query_ids",
    ]
    with pytest.raises(ValueError, match="dims differ"):
        ndcg_directions(feats, np.ones((4, 3)), labels, _music(), ["im-aud"])


def test_undefined_queries_and_bad_inputs() -> None:
    onto = _ontology([("music", "guitar"), ("animal", "dog")])
    feats = np.eye(3)
    res = retrieval_ndcg(feats, feats, [["guitar"], ["dog"], ["dog"]], None, onto, k=2, c=1)
    assert np.isnan(res.per_query[0])  # nothing relevant to a guitar at c = 1
    # q1: items 0 and 2 tie in distance, the lower index (irrelevant guitar) ranks first
    assert res.per_query[1] == pytest.approx(L) and res.mean == pytest.approx(L)
    with pytest.raises(ValueError, match="labels"):
        retrieval_ndcg(feats, feats, [["dog"]], None, onto)
    with pytest.raises(KeyError, match="cat"):
        relevance_matrix([["cat"]], [["dog"]], onto)
    with pytest.raises(ValueError, match="no labels"):
        relevance_matrix([[]], [["dog"]], onto)


def test_cca_aligns_correlated_views() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 3))  # shared latent
    x = z @ rng.normal(size=(3, 10)) + 0.5 * rng.normal(size=(300, 10))
    y = z @ rng.normal(size=(3, 8)) + 0.5 * rng.normal(size=(300, 8))
    y = np.hstack([y, rng.normal(size=(300, 4))])  # (300, 12)
    proj = fit_cca(x[:200], y[:200], n_components=3)
    assert proj.n_components == 3
    px, py = proj.transform_x(x[200:]), proj.transform_y(y[200:])  # (100, 3) each
    np.testing.assert_allclose(np.linalg.norm(px, axis=1), 1.0)
    corr = [np.corrcoef(px[:, j], py[:, j])[0, 1] for j in range(3)]
    raw = [abs(np.corrcoef(x[200:, j], y[200:, j])[0, 1]) for j in range(3)]
    assert min(corr) > 0.5 and min(corr) > max(raw)
    # aligned views retrieve each other's items better than chance
    hit = (px @ py.T).argmax(axis=1) == np.arange(100)
    assert hit.mean() > 0.1
    assert fit_cca(x[:5], y[:5], n_components=128).n_components == 4  # capped by N - 1


def test_closed_form_cca_matches_sklearn() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(size=(400, 2))
    x = z @ rng.normal(size=(2, 6)) + 0.7 * rng.normal(size=(400, 6))
    y = z @ rng.normal(size=(2, 5)) + 0.7 * rng.normal(size=(400, 5))
    ref = fit_cca(x, y, n_components=2, max_iter=5000)
    fast = fit_cca(x, y, n_components=2, method="closed_form")
    for proj in (ref, fast):
        assert proj.n_components == 2
    bx, by = fast.transform_x(x), fast.transform_y(y)
    rx, ry = ref.transform_x(x), ref.transform_y(y)
    # the projections agree up to each component's sign
    for j in range(2):
        s = np.sign(np.corrcoef(bx[:, j], rx[:, j])[0, 1])
        assert abs(np.corrcoef(bx[:, j], rx[:, j])[0, 1]) > 0.99
        assert np.corrcoef(by[:, j], s * ry[:, j])[0, 1] > 0.99
    with pytest.raises(ValueError, match="unknown CCA method"):
        fit_cca(x, y, method="qr")  # type: ignore[arg-type]
