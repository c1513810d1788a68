"""Clip-level linear SVM probe for audio features (Look, Listen and Learn, Table 2 protocol).

Each recording is described by features of equally spaced 1 s **sub-clips** (ESC-50: 10 per
5 s recording, DCASE 2013: 60 per 30 s one, :func:`subclip_starts`). Features are z-scored
with the training sub-clips' mean and standard deviation, a one-vs-all ``LinearSVC`` is fitted
on the sub-clips (each with its recording's label), a recording's class scores are the mean
of its sub-clips' decision values, and its prediction is their argmax.

- ESC-50: 5 predefined folds, train on 4 and test on 1, accuracy averaged over the 5 folds
  (:func:`fold_accuracy`); DCASE 2013 scenes: train on dev, test on test
  (:func:`train_clip_probe`).
- Splits are made on **recordings**, never on sub-clips: all sub-clips of a recording are on the
  same side (checked); a cost grid, when given, is searched by group k-fold over recordings.
  The paper gives no cost; the default is ``C = 1`` (liblinear's own default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

SUBCLIPS = {"esc50": 10, "dcase2013": 60}  # sub-clips per recording (L3 Sect. 4.2)
SUBCLIP_SECONDS = 1.0
DEFAULT_COST = 1.0
STD_EPS = 1e-8


def subclip_starts(duration: float, n: int, window: float = SUBCLIP_SECONDS) -> np.ndarray:
    """Start times (n,) of ``n`` equally spaced ``window``-second sub-clips of a recording."""
    if n < 1 or window <= 0 or duration < window:
        raise ValueError(f"need n >= 1 and 0 < window <= duration, got {n}, {window}, {duration}")
    return np.linspace(0.0, duration - window, n)


@dataclass(frozen=True)
class ZScore:
    """Per-dimension mean and standard deviation of training sub-clips."""

    mean: np.ndarray  # (D,)
    std: np.ndarray  # (D,)

    @classmethod
    def fit(cls, X: np.ndarray) -> ZScore:
        """Statistics of X (M, D); constant dimensions get std 1."""
        std = X.std(axis=0)
        return cls(X.mean(axis=0), np.where(std > STD_EPS, std, 1.0))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Z-scored X (M, D)."""
        return (X - self.mean) / self.std


@dataclass(frozen=True)
class ClipProbeResult:
    """Test-recording predictions of one clip probe."""

    clip_ids: np.ndarray  # (C,) test recordings, in order of first appearance
    classes: np.ndarray  # (K,)
    scores: np.ndarray  # (C, K) mean sub-clip decision values
    labels: np.ndarray  # (C,) true class
    cost: float

    @property
    def predictions(self) -> np.ndarray:
        """Argmax class per test recording (C,)."""
        return self.classes[self.scores.argmax(axis=1)]

    @property
    def correct(self) -> np.ndarray:
        """Per-recording correctness (C,) bool."""
        return self.predictions == self.labels

    @property
    def accuracy(self) -> float:
        """Fraction of test recordings classified right."""
        return float(self.correct.mean())


def _check(X: np.ndarray, clips: Sequence[object], labels: Sequence[object], name: str) -> tuple:
    """Features (M, D) float64, sub-clip recording ids (M,), labels (M,); one label a recording."""
    X = np.asarray(X, dtype=np.float64)
    c, y = np.asarray(clips).astype(str), np.asarray(labels)
    if X.ndim != 2 or not len(X) or not np.isfinite(X).all():
        raise ValueError(f"{name} features must be a finite, non-empty (M, D) array, got {X.shape}")
    if c.shape != (len(X),) or y.shape != (len(X),):
        raise ValueError(f"{name}: one recording id and label per sub-clip row ({len(X)})")
    bad = _not_constant(c, y.astype(str))
    if bad:
        raise ValueError(f"{name}: recordings with sub-clips of different labels: {bad[:5]}")
    return X, c, y


def _not_constant(clips: np.ndarray, values: np.ndarray) -> list[str]:
    """Recordings whose sub-clip rows do not share one value."""
    pairs = np.unique(np.stack([clips, values], axis=1), axis=0)  # (P, 2) distinct pairs
    ids, counts = np.unique(pairs[:, 0], return_counts=True)
    return ids[counts > 1].tolist()


def _clip_scores(
    decision: np.ndarray, clips: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean decision values per recording: ids (C,), scores (C, K), labels (C,)."""
    ids, first, inverse = np.unique(clips, return_index=True, return_inverse=True)
    sums = np.zeros((len(ids), decision.shape[1]))
    np.add.at(sums, inverse, decision)
    scores = sums / np.bincount(inverse)[:, None]  # (C, K)
    order = np.argsort(first)  # recordings in order of first appearance
    return ids[order], scores[order], labels[first][order]


def _fit_predict(
    Xtr: np.ndarray, ytr: np.ndarray, Xte: np.ndarray, cost: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-all LinearSVC on z-scored sub-clips; classes (K,) and test decisions (M, K)."""
    z = ZScore.fit(Xtr)
    svc = LinearSVC(C=cost, dual="auto", max_iter=5000, random_state=seed)
    svc.fit(z(Xtr), ytr)
    decision = svc.decision_function(z(Xte))
    if decision.ndim == 1:  # two classes: sklearn returns the positive class's score only
        decision = np.stack([-decision, decision], axis=1)
    return svc.classes_, decision


def _select_cost(
    X: np.ndarray, clips: np.ndarray, y: np.ndarray, grid: Sequence[float], seed: int, folds: int
) -> float:
    """The cost with the best recording accuracy in group k-fold CV (groups = recordings)."""
    n_splits = min(folds, len(np.unique(clips)))
    if n_splits < 2:
        raise ValueError("cost selection needs at least two training recordings")
    best, best_acc = float(grid[0]), -1.0
    for cost in grid:
        right = total = 0
        for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups=clips):
            classes, dec = _fit_predict(X[tr], y[tr], X[te], float(cost), seed)
            _, scores, lab = _clip_scores(dec, clips[te], y[te])
            right += int((classes[scores.argmax(axis=1)] == lab).sum())
            total += len(lab)
        if right / total > best_acc:
            best, best_acc = float(cost), right / total
    return best


def train_clip_probe(
    X_train: np.ndarray,
    clips_train: Sequence[object],
    y_train: Sequence[object],
    X_test: np.ndarray,
    clips_test: Sequence[object],
    y_test: Sequence[object],
    cost: float = DEFAULT_COST,
    grid: Sequence[float] | None = None,
    seed: int = 0,
    cv_folds: int = 3,
) -> ClipProbeResult:
    """Fit on training sub-clips (M, D) and score test recordings (mean over their sub-clips).

    ``clips_*``: the recording of each sub-clip row; ``y_*``: its label. A recording may not
    have sub-clips on both sides. ``grid``: costs searched by group k-fold over training
    recordings (else ``cost``).
    """
    Xtr, ctr, ytr = _check(X_train, clips_train, y_train, "train")
    Xte, cte, yte = _check(X_test, clips_test, y_test, "test")
    if Xtr.shape[1] != Xte.shape[1]:
        raise ValueError(f"train and test dims differ: {Xtr.shape[1]} vs {Xte.shape[1]}")
    shared = set(ctr.tolist()) & set(cte.tolist())
    if shared:
        raise ValueError(f"recordings with sub-clips in train and test: {sorted(shared)[:5]}")
    if len(np.unique(ytr)) < 2:
        raise ValueError("the training sub-clips need at least two classes")
    if grid:
        cost = _select_cost(Xtr, ctr, ytr, grid, seed, cv_folds)
    classes, decision = _fit_predict(Xtr, ytr, Xte, cost, seed)  # (M_test, K)
    ids, scores, labels = _clip_scores(decision, cte, yte)
    return ClipProbeResult(ids, classes, scores, labels, cost)


def fold_accuracy(
    X: np.ndarray,
    clips: Sequence[object],
    labels: Sequence[object],
    folds: Sequence[int],
    cost: float = DEFAULT_COST,
    grid: Sequence[float] | None = None,
    seed: int = 0,
) -> list[ClipProbeResult]:
    """ESC-50 protocol: for each fold, train on the others and test on it (sorted folds).

    ``folds`` (M,): the fold of each sub-clip row's recording (constant within a recording).
    The benchmark's number is the mean of the returned results' ``accuracy``.
    """
    X, c, y = _check(X, clips, labels, "ESC")
    f = np.asarray(folds)
    if f.shape != (len(X),):
        raise ValueError(f"one fold per sub-clip row ({len(X)}), got {f.shape}")
    bad = _not_constant(c, f.astype(str))
    if bad:
        raise ValueError(f"recordings with sub-clips in several folds: {bad[:5]}")
    results = []
    for fold in np.unique(f):
        test = f == fold
        results.append(
            train_clip_probe(
                X[~test], c[~test], y[~test], X[test], c[test], y[test], cost, grid, seed
            )
        )
    return results


def clips_npz_arrays(benchmark: str, results: Sequence[ClipProbeResult]) -> dict[str, np.ndarray]:
    """The arrays of ``clips.npz``, fold k = 1..K: ``correct_<benchmark>_f<k>`` and
    ``clip_ids_<benchmark>_f<k>`` (what the ``clip_accuracy`` audit plugin reads), and the true
    and predicted class of each test recording, ``labels_<benchmark>_f<k>`` and
    ``predictions_<benchmark>_f<k>`` (str, for confusion matrices), all (C_k,) in one order."""
    out: dict[str, np.ndarray] = {}
    for k, res in enumerate(results, start=1):
        out[f"correct_{benchmark}_f{k}"] = res.correct
        out[f"clip_ids_{benchmark}_f{k}"] = res.clip_ids.astype(str)
        out[f"labels_{benchmark}_f{k}"] = res.labels.astype(str)
        out[f"predictions_{benchmark}_f{k}"] = res.predictions.astype(str)
    return out
