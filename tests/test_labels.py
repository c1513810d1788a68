"""Sound labels: split by video, k-means clusters with median-distance dropping, PCA codes."""

import numpy as np
import pandas as pd
import pytest

from soundsight.labels.build import (
    build_cluster_labels,
    build_code_labels,
    cluster_input,
    decode_codes,
)
from soundsight.labels.clusters import ClusterModel, cluster_labels, fit_clusters
from soundsight.labels.codes import CodeModel, fit_codes
from soundsight.labels.split import split_by_video


def _frames(n_videos: int, per_video: int) -> pd.DataFrame:
    vids = np.repeat([f"v{i:03d}" for i in range(n_videos)], per_video)
    return pd.DataFrame({"frame_id": [f"{v}_{k}" for k, v in enumerate(vids)], "video_id": vids})


def test_split_keeps_videos_whole_and_is_deterministic():
    frames = _frames(50, 4)
    a = split_by_video(frames, 0.3, seed=1)
    assert (a == split_by_video(frames, 0.3, seed=1)).all()
    assert not (a == split_by_video(frames, 0.3, seed=2)).all()
    per_video = frames.assign(split=a).groupby("video_id")["split"].nunique()
    assert (per_video == 1).all()
    assert 0.1 < (a == "test").mean() < 0.5


def test_split_of_a_video_does_not_depend_on_other_videos():
    frames = _frames(40, 2)
    full = split_by_video(frames, 0.5, seed=0)
    half = split_by_video(frames.iloc[:40], 0.5, seed=0)
    assert (full.iloc[:40].to_numpy() == half.to_numpy()).all()


def test_split_rejects_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        split_by_video(_frames(3, 1), 1.5, seed=0)


def _blobs(n_per: int, centers: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + 0.1 * rng.standard_normal((n_per, len(c))) for c in centers])
    return X, np.repeat(np.arange(len(centers)), n_per)


def test_kmeans_recovers_blobs_and_drops_beyond_median():
    centers = np.eye(3) * 5.0
    X, truth = _blobs(40, centers)
    model = fit_clusters(X, 3, seed=0)
    lab = cluster_labels(model, X, is_train=np.ones(len(X), bool))
    # every blob maps to one cluster
    for c in range(3):
        assert len(set(lab["label"][truth == c])) == 1
    # about half the training frames are kept, exactly those within the median distance
    assert lab["keep"].sum() == (lab["distance"] <= model.median_distance).sum()
    assert abs(lab["keep"].mean() - 0.5) < 0.05


def test_test_frames_are_labelled_never_dropped():
    X, _ = _blobs(20, np.eye(2) * 4)
    model = fit_clusters(X, 2, seed=0)
    lab = cluster_labels(model, X * 3.0, is_train=np.zeros(len(X), bool))
    assert lab["keep"].all()


def test_cluster_model_roundtrip(tmp_path):
    X, _ = _blobs(10, np.eye(2))
    model = fit_clusters(X, 2, seed=0, scaling="inverse_dim")
    model.save(tmp_path / "m.npz")
    back = ClusterModel.load(tmp_path / "m.npz")
    assert back.scaling == "inverse_dim" and back.k == 2
    np.testing.assert_array_equal(back.assign(X)[0], model.assign(X)[0])


def test_kmeans_needs_enough_frames():
    with pytest.raises(ValueError, match="k=5"):
        fit_clusters(np.zeros((3, 2)), 5, seed=0)


def test_codes_are_pca_signs_and_balanced_with_median():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6)) * np.array([5, 4, 3, 2, 1, 0.5]) + 10.0
    model = fit_codes(X, 3, "zero")
    # principal axes follow the variance order of the coordinates
    assert np.argmax(np.abs(model.components), 1).tolist() == [0, 1, 2]
    bits = model.encode(X)
    assert abs(model.components[0, 0]) > 0.95  # the first axis is (nearly) coordinate 0
    # each bit is the sign of the centred projection on its axis
    np.testing.assert_array_equal(bits, ((X - X.mean(0)) @ model.components.T > 0).astype(np.uint8))
    med = fit_codes(X, 3, "median").encode(X)
    assert np.allclose(med.mean(0), 0.5, atol=0.01)


def test_code_model_roundtrip_and_validation(tmp_path):
    X = np.random.default_rng(1).standard_normal((30, 4))
    model = fit_codes(X, 2)
    model.save(tmp_path / "c.npz")
    np.testing.assert_array_equal(CodeModel.load(tmp_path / "c.npz").encode(X), model.encode(X))
    with pytest.raises(ValueError, match="n_projections"):
        fit_codes(X, 10)
    with pytest.raises(ValueError, match="binary_threshold"):
        fit_codes(X, 2, "mean")


def test_build_label_tables_fit_on_train_only():
    frames = _frames(20, 5)
    frames["split"] = split_by_video(frames, 0.3, seed=0)
    rng = np.random.default_rng(0)
    texture = np.abs(rng.standard_normal((len(frames), 502)))
    table, model, summary = build_cluster_labels(frames, texture, 4, 0, "inverse_dim")
    assert len(table) == len(frames) and set(table["label"]) <= set(range(4))
    assert summary["n_train_kept"] + summary["n_train_dropped"] == summary["n_train"]
    assert table.loc[table["split"] == "test", "keep"].all()
    codes, cmodel, csummary = build_code_labels(frames, texture[:, :32], 8, "zero", None)
    assert decode_codes(codes["code"]).shape == (len(frames), 8)
    # the PCA mean is the mean of the training rows only
    train = (frames["split"] == "train").to_numpy()
    np.testing.assert_allclose(cmodel.mean, texture[train, :32].mean(0))


def test_any_stored_feature_is_clustered_like_the_texture():
    """The texture keeps its group scaling; MFCC (or any other feature) is clustered as stored,
    with the same split and drop-far rule; the texture labels do not depend on the others."""
    frames = _frames(20, 5)
    frames["split"] = split_by_video(frames, 0.3, seed=0)
    rng = np.random.default_rng(0)
    feats = {
        "texture": np.abs(rng.standard_normal((len(frames), 502))),
        "mfcc": rng.standard_normal((len(frames), 40)) * 10,
    }
    X, scaling = cluster_input(feats, "texture", "inverse_dim")
    assert X is feats["texture"] and scaling == "inverse_dim"
    texture_table, _, _ = build_cluster_labels(frames, X, 4, 0, scaling)
    direct, _, _ = build_cluster_labels(frames, feats["texture"], 4, 0, "inverse_dim")
    pd.testing.assert_frame_equal(texture_table, direct)
    X, scaling = cluster_input(feats, "mfcc", "inverse_dim")
    assert X is feats["mfcc"] and scaling is None
    table, model, summary = build_cluster_labels(frames, X, 4, 0, scaling)
    assert model.scaling == "none" and model.centroids.shape == (4, 40)
    train = (frames["split"] == "train").to_numpy()
    kept = table["keep"].to_numpy()
    assert kept[~train].all() and summary["n_train_kept"] == int(kept[train].sum())
    assert (table.loc[train & kept, "distance"] <= model.median_distance).all()
    with pytest.raises(KeyError, match="'spectrum' not in the sound features"):
        cluster_input(feats, "spectrum", None)
