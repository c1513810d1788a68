"""Linear SVM probes on frozen features (Owens et al. 2018 §5.1; VOC07 / SUN397 protocol).

One module for both benchmarks, following the self-supervision benchmark settings: features are
L2-normalised, ``LinearSVC(loss="squared_hinge", penalty="l2", dual=True, tol=1e-4,
max_iter=2000)``, and the cost is searched over the full grid {0.5^k | 4 <= k < 20} (16 values).

* VOC07: one binary SVM per class (positives weighted 2), cost chosen per class by 11-point AP on
  *val* (Owens), refit on *trainval*, scored on *test*; difficult (label 0) examples are left out
  of training and of every AP.
* SUN397: one-vs-rest multi-class SVM per split, cost chosen by stratified 3-fold CV accuracy on
  the training part, refit, accuracy on the test part; mean over splits.

The grid search is the hot path. liblinear releases the GIL, so fits run in a joblib *thread*
pool (``n_jobs``), sharing the feature arrays without copies; every (cost, class) or
(cost, fold) pair is one task and the full grid is always evaluated (no early stopping). Fits
run with single-threaded BLAS, and, when there are fewer training rows than dimensions, in an
orthonormal basis of the training rows (:func:`row_space`): the same SVM at a fraction of the
cost.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from soundsight.probes.metrics import area_ap, voc07_ap

log = logging.getLogger(__name__)

VOC_CLASS_WEIGHT = {1: 2, -1: 1}  # positives count twice (benchmark setting)
NORM_EPS = 1e-5


def cost_grid() -> list[float]:
    """The SVM cost grid {0.5^k | 4 <= k < 20}, largest cost first (16 values)."""
    return [0.5**k for k in range(4, 20)]


def l2_normalize(X: np.ndarray) -> np.ndarray:
    """Rows divided by their Euclidean norm plus 1e-5; returns float64 (N, D)."""
    X = _check_features(X, "X")
    return X / (np.linalg.norm(X, axis=1, keepdims=True) + NORM_EPS)


def make_svc(cost: float, class_weight: dict[int, int] | None, seed: int) -> LinearSVC:
    """The probe's linear SVM with the benchmark settings."""
    return LinearSVC(
        C=cost,
        class_weight=class_weight,
        loss="squared_hinge",
        penalty="l2",
        dual=True,
        tol=1e-4,
        max_iter=2000,
        random_state=seed,
    )


def row_space(X_fit: np.ndarray, X_eval: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Express X_fit (N, D) and X_eval (M, D) in an orthonormal basis of X_fit's row space.

    liblinear's dual solver (with its appended bias feature) sees the data only through inner
    products x_i . x_j of fitting rows, and w lies in their span, so fitting any subset of X_fit's
    rows and scoring X_eval gives the same SVM and decision values in the (N, min(N, D)) basis as
    in (N, D), at a fraction of the cost when N < D. Returned unchanged when N >= D.
    """
    n, d = X_fit.shape
    if n >= d:
        return X_fit, X_eval
    Q, _ = np.linalg.qr(X_fit.T)  # (D, N) orthonormal columns spanning the rows of X_fit
    return X_fit @ Q, X_eval @ Q  # (N, N), (M, N)


# ----------------------------------------------------------------------------------------------
# VOC07
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocProbeResult:
    """Per-class test APs of a VOC probe, the cost chosen for each class and the val grid."""

    class_names: list[str]
    ap11: np.ndarray  # (C,) VOC2007 11-point AP on test
    area_ap: np.ndarray  # (C,) area under the interpolated PR curve on test
    chosen_cost: np.ndarray  # (C,) cost used for the trainval refit
    grid: list[float]
    val_ap: np.ndarray  # (n_costs, C) 11-point AP on val of the train fit at each cost
    test_scores: np.ndarray = field(repr=False)  # (N_test, C) decision values

    @property
    def map11(self) -> float:
        """Mean 11-point AP over classes."""
        return float(self.ap11.mean())

    @property
    def map_area(self) -> float:
        """Mean area AP over classes."""
        return float(self.area_ap.mean())

    def to_frame(self) -> pd.DataFrame:
        """One row per class: ``class, ap11, area_ap, cost``."""
        return pd.DataFrame(
            {
                "class": self.class_names,
                "ap11": self.ap11,
                "area_ap": self.area_ap,
                "cost": self.chosen_cost,
            }
        )


def train_voc_probe(
    Xtrain: np.ndarray,
    Ytrain: np.ndarray,
    Xval: np.ndarray,
    Yval: np.ndarray,
    Xtrainval: np.ndarray,
    Ytrainval: np.ndarray,
    Xtest: np.ndarray,
    Ytest: np.ndarray,
    grid: Sequence[float] | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    *,
    class_names: Sequence[str] | None = None,
    select: Literal["per_class", "shared"] = "per_class",
    seed: int = 0,
    project: bool = True,
) -> VocProbeResult:
    """Fit the VOC07 probe: features X* (N, D), labels Y* (N, C) in {+1, -1, 0 = difficult}.

    ``select="per_class"`` picks each class's cost by its val AP; ``"shared"`` picks one cost for
    all classes by val mAP (Owens' wording: "for each method by maximizing mAP"). Ties go to the
    first (largest) cost of the grid. ``project`` fits in the row space of the training features
    (see :func:`row_space`; same SVM, faster when N < D).
    """
    grid = _check_grid(grid)
    sets = {
        "train": (Xtrain, Ytrain),
        "val": (Xval, Yval),
        "trainval": (Xtrainval, Ytrainval),
        "test": (Xtest, Ytest),
    }
    names = _check_voc_sets(sets, class_names)
    n_classes = len(names)
    X = {k: l2_normalize(x) for k, (x, _) in sets.items()}  # each (N, D) float64
    Y = {k: np.asarray(y).astype(np.int8) for k, (_, y) in sets.items()}  # each (N, C)
    Xtr, Xva = row_space(X["train"], X["val"]) if project else (X["train"], X["val"])
    Xtv, Xte = row_space(X["trainval"], X["test"]) if project else (X["trainval"], X["test"])

    def fit_val(i: int, c: int) -> np.ndarray:
        return _fit_binary(Xtr, Y["train"][:, c], Xva, grid[i], seed)

    pairs = [(i, c) for i in range(len(grid)) for c in range(n_classes)]
    with _fitting("VOC grid search"):
        val_scores = _run(
            [lambda i=i, c=c: fit_val(i, c) for i, c in pairs],
            n_jobs,
            progress,
            f"VOC grid ({len(grid)} costs x {n_classes} classes)",
        )
    val_ap = np.empty((len(grid), n_classes))  # (n_costs, C)
    for (i, c), s in zip(pairs, val_scores, strict=True):
        val_ap[i, c] = voc07_ap(s, Y["val"][:, c])
    chosen = _select_costs(val_ap, grid, select)  # (C,)

    def fit_test(c: int) -> np.ndarray:
        return _fit_binary(Xtv, Y["trainval"][:, c], Xte, chosen[c], seed)

    with _fitting("VOC trainval refit"):
        test_cols = _run(
            [lambda c=c: fit_test(c) for c in range(n_classes)], n_jobs, progress, "VOC refit"
        )
    test_scores = np.stack(test_cols, axis=1)  # (N_test, C)
    ap11 = np.array([voc07_ap(test_scores[:, c], Y["test"][:, c]) for c in range(n_classes)])
    aap = np.array([area_ap(test_scores[:, c], Y["test"][:, c]) for c in range(n_classes)])
    log.info("VOC probe: mAP11 %.4f, area mAP %.4f", ap11.mean(), aap.mean())
    return VocProbeResult(names, ap11, aap, chosen, grid, val_ap, test_scores)


def _fit_binary(
    X: np.ndarray, y: np.ndarray, Xeval: np.ndarray, cost: float, seed: int
) -> np.ndarray:
    """Fit one class on X (N, D) with labels y (N,) in {+1, -1, 0}, skipping the 0s; return the
    decision values on Xeval (M,)."""
    keep = y != 0
    svc = make_svc(cost, VOC_CLASS_WEIGHT, seed).fit(X[keep], y[keep])
    return svc.decision_function(Xeval)


def _select_costs(
    val_ap: np.ndarray, grid: list[float], select: Literal["per_class", "shared"]
) -> np.ndarray:
    """Cost per class from the val AP table (n_costs, C)."""
    if select == "per_class":
        best = val_ap.argmax(axis=0)  # (C,)
    elif select == "shared":
        best = np.full(val_ap.shape[1], val_ap.mean(axis=1).argmax())
    else:
        raise ValueError(f"select must be 'per_class' or 'shared', got {select!r}")
    return np.asarray(grid)[best]


def _check_voc_sets(
    sets: dict[str, tuple[np.ndarray, np.ndarray]], class_names: Sequence[str] | None
) -> list[str]:
    """Validate the four (X, Y) pairs; return the class names."""
    dims = set()
    y0 = np.asarray(next(iter(sets.values()))[1])
    names = _class_names(class_names, y0.shape[1] if y0.ndim == 2 else 0)
    for name, (x, y) in sets.items():
        x = _check_features(x, f"X{name}")
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[0] != x.shape[0]:
            raise ValueError(f"Y{name} must be (N, C) with N = {x.shape[0]} rows, got {y.shape}")
        if not np.isin(y, (-1, 0, 1)).all():
            raise ValueError(f"Y{name} must hold only +1, -1 and 0 (difficult)")
        if y.shape[1] != len(names):
            raise ValueError(f"Y{name} has {y.shape[1]} classes, expected {len(names)}")
        for c, cls in enumerate(names):
            if not (y[:, c] == 1).any():
                raise ValueError(f"class {cls!r} has no positive (+1) example in {name}")
            if name != "test" and not (y[:, c] == -1).any():
                raise ValueError(f"class {cls!r} has no negative (-1) example in {name}")
        dims.add(x.shape[1])
    if len(dims) != 1:
        raise ValueError(f"all splits need the same feature dimension D, got {sorted(dims)}")
    return names


def _class_names(names: Sequence[str] | None, n_classes: int) -> list[str]:
    if names is None:
        return [f"class{c}" for c in range(n_classes)]
    if len(names) != n_classes:
        raise ValueError(f"{len(names)} class names given for {n_classes} label columns")
    return list(names)


# ----------------------------------------------------------------------------------------------
# SUN397
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SunProbeResult:
    """Test accuracy per split, the cost chosen by CV per split and the CV accuracy grid."""

    accuracy: np.ndarray  # (n_splits,)
    chosen_cost: np.ndarray  # (n_splits,)
    grid: list[float]
    cv_accuracy: np.ndarray  # (n_splits, n_costs) mean CV accuracy per cost
    test_correct: list[np.ndarray] = field(default_factory=list, repr=False)  # per split (N_k,)

    @property
    def mean_accuracy(self) -> float:
        """Accuracy averaged over splits."""
        return float(self.accuracy.mean())


def sample_per_class(
    y_train_idx: np.ndarray, y: np.ndarray, n_per_class: int, seed: int
) -> np.ndarray:
    """Take ``n_per_class`` indices of each class from the training indices (sorted result).

    ``y_train_idx`` indexes into the labels ``y`` (N,). Every class present among the training
    indices must have at least ``n_per_class`` of them.
    """
    idx = np.asarray(y_train_idx, dtype=np.int64)
    labels = np.asarray(y)[idx]
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be >= 1, got {n_per_class}")
    rng = np.random.default_rng(seed)
    picked = []
    for cls in np.unique(labels):
        members = idx[labels == cls]
        if len(members) < n_per_class:
            raise ValueError(
                f"class {cls} has {len(members)} training images, fewer than {n_per_class}"
            )
        picked.append(rng.choice(members, size=n_per_class, replace=False))
    return np.sort(np.concatenate(picked))


def train_sun_probe(
    X: np.ndarray,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    grid: Sequence[float] | None = None,
    *,
    n_folds: int = 3,
    seed: int = 0,
    n_jobs: int = 1,
    progress: bool = True,
    project: bool = True,
) -> SunProbeResult:
    """Fit the SUN397 probe: features X (N, D), integer labels y (N,), (train_idx, test_idx) per
    split. Cost by stratified ``n_folds``-fold CV accuracy (ties: first cost of the grid);
    ``project`` as in :func:`train_voc_probe`."""
    grid = _check_grid(grid)
    Xn = l2_normalize(X)  # (N, D)
    y = np.asarray(y)
    if y.shape != (len(Xn),):
        raise ValueError(f"y must be (N,) = ({len(Xn)},), got {y.shape}")
    if not splits:
        raise ValueError("train_sun_probe needs at least one (train_idx, test_idx) split")
    acc, chosen, cv, correct = [], [], [], []
    for k, (train_idx, test_idx) in enumerate(splits):
        tr, te = np.asarray(train_idx), np.asarray(test_idx)
        if len(tr) == 0 or len(te) == 0:
            raise ValueError(f"split {k} has an empty train or test part")
        Xtr, Xte = row_space(Xn[tr], Xn[te]) if project else (Xn[tr], Xn[te])
        cv_acc = _cv_accuracy(Xtr, y[tr], grid, n_folds, seed, n_jobs, progress, k)
        cost = grid[int(cv_acc.argmax())]
        with _fitting(f"SUN split {k} refit"):
            svc = make_svc(cost, None, seed).fit(Xtr, y[tr])
        correct.append(svc.predict(Xte) == y[te])
        acc.append(float(correct[-1].mean()))
        chosen.append(cost)
        cv.append(cv_acc)
        log.info("SUN split %d: cost %.3g, accuracy %.4f", k, cost, acc[-1])
    return SunProbeResult(np.array(acc), np.array(chosen), grid, np.stack(cv), correct)


def _cv_accuracy(
    X: np.ndarray,
    y: np.ndarray,
    grid: list[float],
    n_folds: int,
    seed: int,
    n_jobs: int,
    progress: bool,
    split: int,
) -> np.ndarray:
    """Mean stratified-CV accuracy of each cost on training features X (N, D) -> (n_costs,)."""
    _, counts = np.unique(y, return_counts=True)
    if len(counts) < 2:
        raise ValueError(f"split {split}: the training part holds a single class")
    if counts.min() < n_folds:
        raise ValueError(
            f"split {split}: a class has {counts.min()} training images, fewer than the "
            f"{n_folds} CV folds"
        )
    folds = list(StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(X, y))

    def fold_acc(cost: float, fit_idx: np.ndarray, eval_idx: np.ndarray) -> float:
        svc = make_svc(cost, None, seed).fit(X[fit_idx], y[fit_idx])
        return float((svc.predict(X[eval_idx]) == y[eval_idx]).mean())

    tasks = [lambda c=c, f=f, e=e: fold_acc(c, f, e) for c in grid for f, e in folds]
    with _fitting(f"SUN split {split} CV"):
        out = _run(tasks, n_jobs, progress, f"SUN split {split} CV ({len(grid)} costs)")
    return np.asarray(out).reshape(len(grid), n_folds).mean(axis=1)


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


def _run(tasks: list[Callable[[], object]], n_jobs: int, progress: bool, desc: str) -> list:
    """Run zero-argument tasks in order on a thread pool (liblinear releases the GIL)."""
    if n_jobs == 1:
        return [t() for t in tqdm(tasks, desc=desc, disable=not progress)]
    results = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")(
        delayed(t)() for t in tasks
    )
    return list(tqdm(results, total=len(tasks), desc=desc, disable=not progress))


@contextmanager
def _fitting(what: str) -> Iterator[None]:
    """Run liblinear fits with single-threaded BLAS (its level-1 calls on short vectors are
    several times slower with OpenBLAS threads) and log one line for convergence warnings."""
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    n = 0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            n += 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if n:
        log.warning("%s: %d fits hit max_iter=2000 before tol=1e-4", what, n)


def _check_grid(grid: Sequence[float] | None) -> list[float]:
    grid = cost_grid() if grid is None else [float(c) for c in grid]
    if not grid or min(grid) <= 0:
        raise ValueError(f"the cost grid must be a non-empty list of positive costs, got {grid}")
    return grid


def _check_features(X: np.ndarray, name: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (N, D) array, got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X
