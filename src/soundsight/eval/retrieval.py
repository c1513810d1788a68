"""nDCG@k retrieval over an ontology, and the CCA baseline (Objects that Sound, Table 1).

The relevance rule is **this project's reading** of the paper's appendix (which is not public):

- the **ontology distance** ``d(a, b)`` between two labels is the length of the shortest path
  between them in the ontology graph taken as *undirected* over every parent/child edge, using
  **all** parents of a node (AudioSet is a DAG: a node may have several parents, and a reader
  that keeps one parent per node gets longer paths). Labels in different connected components
  (AudioSet has several top-level classes and no common root) are infinitely far apart;
- the **relevance** of a database clip to a query clip is ``C - d`` with ``C = 20``, for the
  best (closest) pair over the two clips' label sets, floored at 0;
- ``DCG@k = sum_{i=1..k} rel_i / log2(i + 1)`` over the ranked top k (linear gain, not
  ``2^rel - 1``); ``IDCG@k`` is the DCG of the best k relevances in the **whole database**
  (not of the retrieved list); the query itself is never a result; nDCG is the mean over all
  queries.

Ranking: features are L2-normalised and the database is sorted by Euclidean distance to the
query (equivalent to cosine similarity), ties broken by database index (a stable sort).

**Cross-modal retrieval** (image queries against the audio database, or the reverse) runs over
the same items: query ``i`` and database item ``i`` are two modalities of one clip, so the
item's own counterpart counts as "the query itself" and is excluded as well. In every direction
the exclusion is the diagonal of the (query, database) matrix.

A query whose IDCG is 0 (no database item with positive relevance) has an undefined nDCG:
its value is NaN and the mean is over the defined queries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.cross_decomposition import CCA

from soundsight.data.audioset import Ontology

RELEVANCE_C = 20  # relevance = C - d
NDCG_K = 30
CCA_COMPONENTS = 128
CCA_RIDGE = 1e-4  # closed-form CCA: ridge on each covariance, relative to its mean variance
NORM_EPS = 1e-12
QUERY_CHUNK = 1024  # queries ranked at a time (bounds the (chunk, N) distance matrix)


# ------------------------------------------------------------------------------------------------
# ontology distances and relevance
# ------------------------------------------------------------------------------------------------


def _neighbours(ontology: Ontology) -> dict[str, set[str]]:
    """Undirected adjacency over every parent/child edge (all parents of each node)."""
    adj: dict[str, set[str]] = {node: set() for node in ontology.names}
    for node, kids in ontology.children.items():
        for kid in kids:
            adj[node].add(kid)
            adj[kid].add(node)
    for node, parents in ontology.parents.items():
        for parent in parents:
            adj[node].add(parent)
            adj[parent].add(node)
    return adj


def _bfs(adj: Mapping[str, set[str]], source: str) -> dict[str, int]:
    """Hop counts from ``source`` to every node it reaches."""
    dist = {source: 0}
    todo = deque([source])
    while todo:
        node = todo.popleft()
        for nxt in adj[node]:
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                todo.append(nxt)
    return dist


def label_distance(ontology: Ontology, a: str, b: str) -> float:
    """Shortest undirected path between labels ``a`` and ``b`` over all parents (inf if none)."""
    for node in (a, b):
        if node not in ontology.names:
            raise KeyError(f"unknown ontology class id {node!r}")
    return float(_bfs(_neighbours(ontology), a).get(b, np.inf))


def distance_matrix(ontology: Ontology, labels: Sequence[str]) -> np.ndarray:
    """Pairwise ontology distances (L, L) between ``labels`` (inf between components)."""
    unknown = [lab for lab in labels if lab not in ontology.names]
    if unknown:
        raise KeyError(f"unknown ontology class ids {unknown}")
    adj = _neighbours(ontology)
    out = np.full((len(labels), len(labels)), np.inf)  # (L, L)
    for i, a in enumerate(labels):
        hops = _bfs(adj, a)
        for j, b in enumerate(labels):
            if b in hops:
                out[i, j] = hops[b]
    return out


def relevance_matrix(
    query_labels: Sequence[Sequence[str]],
    db_labels: Sequence[Sequence[str]],
    ontology: Ontology,
    c: float = RELEVANCE_C,
) -> np.ndarray:
    """Relevance (Q, N): ``max(0, C - min d(a, b))``, a a query label, b a database item's."""
    vocab = sorted({lab for labs in (*query_labels, *db_labels) for lab in labs})
    for where, sets in (("query", query_labels), ("database", db_labels)):
        empty = [i for i, labs in enumerate(sets) if not len(labs)]
        if empty:
            raise ValueError(f"{where} items {empty[:5]} have no labels")
    pos = {lab: i for i, lab in enumerate(vocab)}
    rel_labels = np.maximum(c - distance_matrix(ontology, vocab), 0.0)  # (L, L)
    per_label = np.stack(
        [rel_labels[[pos[lab] for lab in labs]].max(axis=0) for labs in query_labels]
    )  # (Q, L) best relevance of each query to each single label
    out = np.empty((len(query_labels), len(db_labels)))
    groups: dict[tuple[str, ...], list[int]] = {}
    for n, labs in enumerate(db_labels):
        groups.setdefault(tuple(sorted(set(labs))), []).append(n)
    for labs, items in groups.items():
        best = per_label[:, [pos[lab] for lab in labs]].max(axis=1)  # (Q,)
        out[:, items] = best[:, None]
    return out


# ------------------------------------------------------------------------------------------------
# ranking and nDCG
# ------------------------------------------------------------------------------------------------


def l2_rows(X: np.ndarray, name: str = "features") -> np.ndarray:
    """Rows of a (N, D) array divided by their Euclidean norm (float64)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or not len(X):
        raise ValueError(f"{name} must be a non-empty (N, D) array, got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), NORM_EPS)


def rank_database(
    queries: np.ndarray, database: np.ndarray, exclude_diagonal: bool, k: int
) -> np.ndarray:
    """Top-k database indices (Q, k') per query by Euclidean distance on L2-normalised rows.

    ``exclude_diagonal``: database item ``i`` is query ``i`` (or its other modality) and is
    never a result. ``k' = min(k, available items)``; ties are broken by database index.
    """
    q, db = l2_rows(queries, "query features"), l2_rows(database, "database features")
    if exclude_diagonal and len(q) != len(db):
        raise ValueError(f"self-exclusion needs one query per item: {len(q)} vs {len(db)}")
    kk = min(k, len(db) - int(exclude_diagonal))
    if kk < 1:
        raise ValueError("the database has no item to retrieve")
    out = np.empty((len(q), kk), dtype=np.int64)
    for start in range(0, len(q), QUERY_CHUNK):
        block = q[start : start + QUERY_CHUNK]  # (b, D)
        dist = np.sqrt(np.maximum(2.0 - 2.0 * block @ db.T, 0.0))  # (b, N) unit vectors
        if exclude_diagonal:
            rows = np.arange(len(block))
            dist[rows, start + rows] = np.inf
        out[start : start + len(block)] = np.argsort(dist, axis=1, kind="stable")[:, :kk]
    return out


def discounts(k: int) -> np.ndarray:
    """``1 / log2(i + 1)`` for ranks i = 1..k (k,)."""
    return 1.0 / np.log2(np.arange(2, k + 2))


def ndcg_from_ranking(
    ranking: np.ndarray, relevance: np.ndarray, exclude_diagonal: bool, k: int
) -> np.ndarray:
    """Per-query nDCG@k (Q,) of a ranking (Q, k') under relevance (Q, N); NaN where IDCG is 0."""
    rel = np.asarray(relevance, dtype=np.float64)
    if rel.shape[0] != ranking.shape[0]:
        raise ValueError(f"relevance has {rel.shape[0]} queries, the ranking {ranking.shape[0]}")
    kk = ranking.shape[1]
    gains = np.take_along_axis(rel, ranking, axis=1)  # (Q, k') linear gain
    dcg = gains @ discounts(kk)  # (Q,)
    pool = rel.copy()
    if exclude_diagonal:
        np.fill_diagonal(pool, -np.inf)  # the query is not in its own database
    ideal = -np.sort(-pool, axis=1)[:, :kk]  # (Q, k') best relevances in the whole database
    idcg = np.where(np.isfinite(ideal), ideal, 0.0) @ discounts(kk)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(idcg > 0, dcg / idcg, np.nan)


@dataclass(frozen=True)
class NdcgResult:
    """nDCG@k of one retrieval direction: per-query values and their mean."""

    per_query: np.ndarray  # (Q,) NaN where the query has no relevant item
    ranking: np.ndarray  # (Q, k') database indices, best first
    k: int

    @property
    def mean(self) -> float:
        """Mean nDCG over the queries where it is defined (NaN when none is)."""
        defined = self.per_query[np.isfinite(self.per_query)]
        return float(defined.mean()) if len(defined) else float("nan")


def retrieval_ndcg(
    queries: np.ndarray,
    database: np.ndarray,
    query_labels: Sequence[Sequence[str]],
    db_labels: Sequence[Sequence[str]] | None,
    ontology: Ontology,
    k: int = NDCG_K,
    c: float = RELEVANCE_C,
    same_items: bool = True,
) -> NdcgResult:
    """nDCG@k of retrieving ``database`` (N, D') rows with ``queries`` (Q, D) rows.

    ``same_items`` (the paper's protocol, any direction im/aud): query i and database item i are
    the same clip and item i is never query i's result; ``db_labels`` then defaults to
    ``query_labels``. The two feature sets need the same dimension (cross-modal: aligned
    embeddings or CCA projections).
    """
    if db_labels is None:
        if not same_items:
            raise ValueError("db_labels is required when the database is not the query set")
        db_labels = query_labels
    if len(query_labels) != len(queries) or len(db_labels) != len(database):
        raise ValueError(
            f"labels ({len(query_labels)}, {len(db_labels)}) do not match the features "
            f"({len(queries)}, {len(database)})"
        )
    if np.shape(queries)[1:] != np.shape(database)[1:]:
        raise ValueError(
            f"query and database dims differ: {np.shape(queries)} vs {np.shape(database)}"
        )
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    relevance = relevance_matrix(query_labels, db_labels, ontology, c)  # (Q, N)
    ranking = rank_database(queries, database, same_items, k)  # (Q, k')
    return NdcgResult(ndcg_from_ranking(ranking, relevance, same_items, k), ranking, k)


DIRECTIONS: tuple[str, ...] = ("im-im", "im-aud", "aud-im", "aud-aud")  # query-database


def ndcg_directions(
    image: np.ndarray,
    audio: np.ndarray,
    labels: Sequence[Sequence[str]],
    ontology: Ontology,
    directions: Sequence[str] = DIRECTIONS,
    k: int = NDCG_K,
    c: float = RELEVANCE_C,
) -> dict[str, NdcgResult]:
    """nDCG@k of the paper's Table 1 directions over one set of items (row i of ``image``
    (N, Di) and of ``audio`` (N, Da) is clip i, labelled ``labels[i]``); every item is a query
    and neither it nor its counterpart is its own result. Cross-modal directions need Di = Da."""
    feats = {"im": image, "aud": audio}
    if len(image) != len(audio) or len(labels) != len(image):
        raise ValueError(f"{len(image)} images, {len(audio)} audio, {len(labels)} label sets")
    relevance = relevance_matrix(labels, labels, ontology, c)  # (N, N), the same in every direction
    out = {}
    for direction in directions:
        q, _, d = direction.partition("-")
        if q not in feats or d not in feats:
            raise ValueError(f"unknown direction {direction!r}; expected one of {DIRECTIONS}")
        if feats[q].shape[1] != feats[d].shape[1]:
            raise ValueError(
                f"{direction}: dims differ ({feats[q].shape[1]} vs {feats[d].shape[1]})"
            )
        ranking = rank_database(feats[q], feats[d], True, k)
        out[direction] = NdcgResult(ndcg_from_ranking(ranking, relevance, True, k), ranking, k)
    return out


def ndcg_npz_arrays(query_ids: Sequence[str], results: Mapping[str, NdcgResult]) -> dict:
    """The arrays of ``ndcg.npz`` the ``ndcg`` audit plugin reads: ``query_ids`` (Q,) and
    ``ndcg_<direction>`` (Q,) per direction."""
    ids = np.asarray(query_ids).astype(str)
    arrays: dict[str, np.ndarray] = {"query_ids": ids}
    for direction, res in results.items():
        if len(res.per_query) != len(ids):
            raise ValueError(f"{direction}: {len(res.per_query)} values for {len(ids)} queries")
        arrays[f"ndcg_{direction}"] = res.per_query
    return arrays


# ------------------------------------------------------------------------------------------------
# CCA baseline
# ------------------------------------------------------------------------------------------------


class ClosedFormCca:
    """Exact CCA by whitening and one SVD (a fast stand-in for sklearn's iterative NIPALS).

    Like ``CCA(scale=True)``: each view is centred and scaled to unit variance; the covariances
    get a ridge ``reg * mean(diag)`` (needed when N <= D); the directions are the top singular
    vectors of ``Cxx^-1/2 Cxy Cyy^-1/2``. Same ``fit`` / ``transform(X, Y)`` interface.
    """

    def __init__(self, n_components: int, reg: float = CCA_RIDGE) -> None:
        self.n_components, self.reg = n_components, reg

    @staticmethod
    def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        std = X.std(axis=0, ddof=1)
        return X.mean(axis=0), np.where(std > 0, std, 1.0)

    def _inv_sqrt(self, C: np.ndarray) -> np.ndarray:
        w, V = np.linalg.eigh(C + self.reg * np.mean(np.diag(C)) * np.eye(len(C)))
        return (V / np.sqrt(np.maximum(w, NORM_EPS))) @ V.T

    def fit(self, X: np.ndarray, Y: np.ndarray) -> ClosedFormCca:
        """Fit on paired rows X (N, Dx), Y (N, Dy)."""
        (self.x_mean_, self.x_std_), (self.y_mean_, self.y_std_) = map(self._standardise, (X, Y))
        Xs, Ys = (X - self.x_mean_) / self.x_std_, (Y - self.y_mean_) / self.y_std_
        n = len(X) - 1
        Wx, Wy = self._inv_sqrt(Xs.T @ Xs / n), self._inv_sqrt(Ys.T @ Ys / n)
        U, S, Vt = np.linalg.svd(Wx @ (Xs.T @ Ys / n) @ Wy, full_matrices=False)
        k = self.n_components
        self.x_rotations_, self.y_rotations_ = Wx @ U[:, :k], Wy @ Vt[:k].T  # (Dx, k), (Dy, k)
        self.correlations_ = S[:k]
        self.n_features_in_ = X.shape[1]
        return self

    def transform(
        self, X: np.ndarray, Y: np.ndarray | None = None
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Projections of X (N, k), and of Y when given."""
        px = ((X - self.x_mean_) / self.x_std_) @ self.x_rotations_
        if Y is None:
            return px
        return px, ((Y - self.y_mean_) / self.y_std_) @ self.y_rotations_


@dataclass
class CcaProjection:
    """A fitted CCA between two views; projections are L2-normalised (the paper's setting)."""

    cca: CCA | ClosedFormCca
    n_components: int

    def transform_x(self, X: np.ndarray) -> np.ndarray:
        """First-view features (N, Dx) -> L2-normalised projections (N, n_components)."""
        return l2_rows(self.cca.transform(l2_rows(X, "x features")), "projected x")

    def transform_y(self, Y: np.ndarray) -> np.ndarray:
        """Second-view features (N, Dy) -> L2-normalised projections (N, n_components)."""
        dummy = np.zeros((len(Y), self.cca.n_features_in_))
        _, proj = self.cca.transform(dummy, l2_rows(Y, "y features"))
        return l2_rows(proj, "projected y")


def fit_cca(
    x: np.ndarray,
    y: np.ndarray,
    n_components: int = CCA_COMPONENTS,
    max_iter: int = 500,
    method: Literal["sklearn", "closed_form"] = "sklearn",
) -> CcaProjection:
    """Fit a CCA on paired rows of two views (N, Dx), (N, Dy), L2-normalised first.

    Components are capped at ``min(n_components, N - 1, Dx, Dy)``. ``method="sklearn"``:
    ``sklearn.cross_decomposition.CCA`` (iterative NIPALS; slow at 128 components on 512-d
    features, ~150 s for N = 1000 on one core, with convergence warnings on the weak
    components); ``"closed_form"``: :class:`ClosedFormCca`, the same directions from one SVD.
    """
    X, Y = l2_rows(x, "x features"), l2_rows(y, "y features")
    if len(X) != len(Y):
        raise ValueError(f"CCA needs paired rows: {len(X)} x vs {len(Y)} y")
    n = min(n_components, len(X) - 1, X.shape[1], Y.shape[1])
    if n < 1:
        raise ValueError(f"too little data for CCA: {X.shape} and {Y.shape}")
    if method == "sklearn":
        model: CCA | ClosedFormCca = CCA(n_components=n, max_iter=max_iter, scale=True)
    elif method == "closed_form":
        model = ClosedFormCca(n)
    else:
        raise ValueError(f"unknown CCA method {method!r}; expected 'sklearn' or 'closed_form'")
    model.fit(X, Y)
    return CcaProjection(model, n)


# ------------------------------------------------------------------------------------------------
# the views one Table 1 method ranks
# ------------------------------------------------------------------------------------------------


def label_ids(ontology: Ontology, label_sets: Sequence[str]) -> list[list[str]]:
    """Class ids of ``;``-joined display names (a manifest's ``labels``), one list per item;
    KeyError naming a name that is not in the ontology or names several classes."""
    by_name: dict[str, list[str]] = {}
    for node, name in ontology.names.items():
        by_name.setdefault(name, []).append(node)
    out = []
    for labels in label_sets:
        ids = []
        for name in (s.strip() for s in str(labels).split(";") if s.strip()):
            nodes = by_name.get(name, [])
            if len(nodes) != 1:
                problem = "is not in the ontology" if not nodes else f"names classes {nodes}"
                raise KeyError(f"label {name!r} {problem}")
            ids.append(nodes[0])
        out.append(ids)
    return out


def random_views(n: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Independent Gaussian image and audio features (n, dim): the random-ranking baseline."""
    if n < 2 or dim < 1:
        raise ValueError(f"random features need n >= 2 items and dim >= 1, got {n}, {dim}")
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, dim)), rng.standard_normal((n, dim))


def retrieval_views(
    image: np.ndarray,
    audio: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray] | None = None,
    n_components: int = CCA_COMPONENTS,
    method: Literal["sklearn", "closed_form"] = "closed_form",
) -> tuple[np.ndarray, np.ndarray]:
    """The (image, audio) rows retrieval ranks: L2-normalised as they are, or, with ``fit``
    (paired training rows of the same two feature sets), both projected by a CCA fitted on
    them (:func:`fit_cca`) and L2-normalised."""
    if fit is None:
        return l2_rows(image, "image features"), l2_rows(audio, "audio features")
    for view, (test, train) in {"image": (image, fit[0]), "audio": (audio, fit[1])}.items():
        if np.shape(test)[1:] != np.shape(train)[1:]:
            raise ValueError(
                f"{view}: CCA fitted on {np.shape(train)} rows cannot project {np.shape(test)}"
            )
    cca = fit_cca(fit[0], fit[1], n_components, method=method)
    return cca.transform_x(image), cca.transform_y(audio)


Features = Mapping[str, np.ndarray]  # one model's features npz: item_ids, labels, vision[, audio]


def common_items(ids: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Index arrays into each of ``ids`` selecting the items all share, in the first's order."""
    shared = set(map(str, ids[0])).intersection(*(map(str, i) for i in ids[1:]))
    order = [str(i) for i in ids[0] if str(i) in shared]
    out = []
    for arr in ids:
        pos = {str(v): k for k, v in enumerate(arr)}
        out.append(np.array([pos[i] for i in order], dtype=np.int64))
    return out


def _stream_rows(
    feats: Mapping[str, Features], sources: Sequence[tuple[str, str]]
) -> tuple[list[np.ndarray], Features]:
    """The ``(model, stream)`` feature rows, restricted to the items every model has, and the
    first model's features (ids, labels) on those items."""
    for model, stream in sources:
        if stream not in feats[model]:
            raise ValueError(f"{model}'s features have no {stream!r} stream")
    models = list(dict.fromkeys(m for m, _ in sources))
    index = dict(zip(models, common_items([feats[m]["item_ids"] for m in models]), strict=True))
    rows = [np.asarray(feats[m][s])[index[m]] for m, s in sources]
    first = {k: np.asarray(feats[models[0]][k])[index[models[0]]] for k in ("item_ids", "labels")}
    return rows, first


def method_ndcg(
    image_model: str | None,
    audio_model: str | None,
    cca: bool,
    test: Mapping[str, Features],
    train: Mapping[str, Features],
    ontology: Ontology,
    seed: int,
    n_components: int = CCA_COMPONENTS,
    cca_method: Literal["sklearn", "closed_form"] = "closed_form",
    random_dim: int = CCA_COMPONENTS,
) -> tuple[dict, dict[str, np.ndarray]]:
    """nDCG@30 of one retrieval method on the test items: image features from ``image_model``'s
    ``vision`` stream (None: random features for both modalities), audio from ``audio_model``'s
    ``audio`` (None: image-image only), optionally aligned by a CCA fitted on ``train``'s items.
    Returns the summary (mean per direction, counts) and the ``ndcg.npz`` arrays."""
    if image_model is None:
        any_model = next(iter(test))
        base = test[any_model]
        image, audio = random_views(len(base["item_ids"]), random_dim, seed)
        info: Features = {k: np.asarray(base[k]) for k in ("item_ids", "labels")}
        directions: Sequence[str] = DIRECTIONS
    else:
        sources = [(image_model, "vision")] + ([(audio_model, "audio")] if audio_model else [])
        rows, info = _stream_rows(test, sources)
        fit = None
        if cca:
            if audio_model is None:
                raise ValueError("a CCA needs an audio model")
            fit_rows, _ = _stream_rows(train, sources)
            fit = (fit_rows[0], fit_rows[1])
        if audio_model is None:
            image = audio = l2_rows(rows[0], "image features")
            directions = ("im-im",)
        else:
            image, audio = retrieval_views(rows[0], rows[1], fit, n_components, cca_method)
            directions = DIRECTIONS
    labels = label_ids(ontology, [str(v) for v in info["labels"]])
    results = ndcg_directions(image, audio, labels, ontology, directions)
    means = {d: r.mean for d, r in results.items()}
    summary = {
        "ndcg": {d: (v if np.isfinite(v) else None) for d, v in means.items()},  # None: no query
        "n_queries": int(len(info["item_ids"])),
        "n_undefined": {d: int(np.isnan(r.per_query).sum()) for d, r in results.items()},
        "dims": {"image": int(image.shape[1]), "audio": int(audio.shape[1])},
    }
    return summary, ndcg_npz_arrays(info["item_ids"], results)
