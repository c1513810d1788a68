"""Clip-level SVM probe (L3 Table 2): z-score, one-vs-all LinearSVC on sub-clips, mean scores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from soundsight.probes.clips import (
    clips_npz_arrays,
    fold_accuracy,
    subclip_starts,
    train_clip_probe,
)


def _esc(noise: float = 0.5, seed: int = 0) -> tuple[np.ndarray, ...]:
    """3 classes x 5 folds x 2 recordings x 10 sub-clips, 8-d features around class centres."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(3, 8))
    rows, clips, labels, folds = [], [], [], []
    for fold in range(1, 6):
        for cls in range(3):
            for take in range(2):
                clip = f"{fold}-{cls}-{take}"
                rows.append(centres[cls] + noise * rng.normal(size=(10, 8)))
                clips += [clip] * 10
                labels += [f"class{cls}"] * 10
                folds += [fold] * 10
    return np.concatenate(rows), np.array(clips), np.array(labels), np.array(folds)


def test_subclip_starts() -> None:
    np.testing.assert_allclose(subclip_starts(5.0, 10), np.arange(10) * 4 / 9)
    assert subclip_starts(30.0, 60)[-1] == pytest.approx(29.0)
    with pytest.raises(ValueError):
        subclip_starts(0.5, 10)


def test_separable_folds_and_no_straddling() -> None:
    X, clips, labels, folds = _esc()
    results = fold_accuracy(X, clips, labels, folds)
    assert len(results) == 5 and np.mean([r.accuracy for r in results]) == 1.0
    for fold, res in enumerate(results, start=1):
        expected = list(dict.fromkeys(clips[folds == fold]))
        assert res.clip_ids.tolist() == expected  # each test recording once, in order
        assert not set(expected) & set(clips[folds != fold])
    arrays = clips_npz_arrays("esc50", results)
    assert sorted(arrays)[:2] == ["clip_ids_esc50_f1", "clip_ids_esc50_f2"]
    assert arrays["correct_esc50_f3"].dtype == bool and arrays["correct_esc50_f3"].shape == (6,)
    for fold, res in enumerate(results, start=1):  # true and predicted classes, as strings
        labels, predicted = arrays[f"labels_esc50_f{fold}"], arrays[f"predictions_esc50_f{fold}"]
        assert labels.dtype.kind == predicted.dtype.kind == "U"
        assert labels.tolist() == res.labels.astype(str).tolist()
        assert ((labels == predicted) == arrays[f"correct_esc50_f{fold}"]).all()


def test_clip_score_is_the_mean_of_sub_clip_decisions() -> None:
    X, clips, labels, folds = _esc(noise=4.0, seed=1)  # hard: some recordings wrong
    tr, te = folds != 1, folds == 1
    res = train_clip_probe(X[tr], clips[tr], labels[tr], X[te], clips[te], labels[te], cost=0.1)
    scaler = StandardScaler().fit(X[tr])
    svc = LinearSVC(C=0.1, dual="auto", max_iter=5000, random_state=0)
    svc.fit(scaler.transform(X[tr]), labels[tr])
    dec = svc.decision_function(scaler.transform(X[te]))  # (60, 3)
    for i, clip in enumerate(res.clip_ids):
        np.testing.assert_allclose(res.scores[i], dec[clips[te] == clip].mean(axis=0))
    assert res.predictions.tolist() == svc.classes_[res.scores.argmax(axis=1)].tolist()
    votes = svc.predict(scaler.transform(X[te]))  # per-sub-clip predictions differ from clips'
    assert (votes != labels[te]).any()


def test_recordings_never_straddle_train_and_test() -> None:
    X, clips, labels, folds = _esc()
    with pytest.raises(ValueError, match="in train and test"):
        train_clip_probe(X[:40], clips[:40], labels[:40], X[35:60], clips[35:60], labels[35:60])
    bad = folds.copy()
    bad[0] = 2  # one sub-clip of recording 1-0-0 in fold 2
    with pytest.raises(ValueError, match="several folds"):
        fold_accuracy(X, clips, labels, bad)
    mixed = labels.copy()
    mixed[0] = "class2"
    with pytest.raises(ValueError, match="different labels"):
        fold_accuracy(X, clips, mixed, folds)


def test_cost_grid_by_recording_groups_and_two_classes() -> None:
    X, clips, labels, folds = _esc()
    keep = labels != "class2"  # two classes: decisions of both sides
    tr, te = keep & (folds != 5), keep & (folds == 5)
    res = train_clip_probe(
        X[tr], clips[tr], labels[tr], X[te], clips[te], labels[te], grid=[0.01, 1.0]
    )
    assert res.cost in (0.01, 1.0) and res.scores.shape == (4, 2) and res.accuracy == 1.0
