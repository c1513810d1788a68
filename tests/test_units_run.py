"""Unit-analysis entry points and Table 1 assembly."""

import numpy as np
import pandas as pd
import pytest

from soundsight.papers.owens2018.tables import table1_markdown, table1_with_published
from soundsight.units.focus import detector_counts, group_units, load_saved_units
from soundsight.units.label import AutoLabels, labels_from_fractions
from soundsight.units.run import (
    UnitAnalysis,
    save_analysis,
    strongest_detectors,
    voc_pool,
    world_pool,
)

ROW = {
    "n_units": 128,
    "n_detectors": 20,
    "n_sound_detectors": 12,
    "videos_with_object_sound": 0.4,
    "characteristic_sound_rate": 0.75,
}


def test_table1_puts_published_next_to_replicated():
    df = table1_with_published({"sound_cluster": ROW, "scene": {**ROW, "n_detectors": 30}})
    sound = df[df["model"] == "sound_cluster"].set_index("row")
    assert sound.loc["# Detectors", "replicated"] == 20
    assert sound.loc["# Detectors", "published"] == 91  # read from paper/published
    assert sound.loc["Characteristic sound rate", "replicated"] == pytest.approx(75.0)
    places = df[df["model"] == "scene"].set_index("row")
    assert places.loc["# Detectors", "published"] == 117
    md = table1_markdown(df)
    assert "20.0 (91)" in md and "30.0 (117)" in md


def test_strongest_detectors_prefers_one_unit_per_category():
    labels = pd.DataFrame(
        {
            "unit": [0, 1, 2, 3],
            "category": ["dog", "dog", "car", "tree"],
            "fraction": [0.9, 0.95, 0.7, 0.3],
            "is_detector": [True, True, True, False],
        }
    )
    best = strongest_detectors(labels, 2)
    assert list(best["unit"]) == [1, 2]


def test_world_pool_selects_held_out_frames(tmp_path):
    pd.DataFrame(
        {
            "frame_id": ["a", "b", "c"],
            "video_id": ["v1", "v1", "v2"],
            "shard_dir": ["shards/00000"] * 3,
            "jpg": ["frames/a.jpg", "frames/b.jpg", "frames/c.jpg"],
            "frame_time_s": [1.0, 2.0, 3.0],
        }
    ).to_csv(tmp_path / "index.csv", index=False)
    pd.DataFrame({"frame_id": ["a", "b", "c"], "split": ["train", "train", "test"]}).to_csv(
        tmp_path / "split.csv", index=False
    )
    test = world_pool(tmp_path / "index.csv", tmp_path / "split.csv", "test")
    assert list(test["frame_id"]) == ["c"]
    assert test["path"][0] == tmp_path / "shards/00000/frames/c.jpg"
    assert len(world_pool(tmp_path / "index.csv", tmp_path / "split.csv", "all")) == 3
    with pytest.raises(ValueError, match="units.pool"):
        world_pool(tmp_path / "index.csv", tmp_path / "split.csv", "train")


def test_voc_pool_needs_masks(tmp_path):
    with pytest.raises(FileNotFoundError, match="SegmentationClass"):
        voc_pool(tmp_path)


def _saved_analysis(tmp_path):
    """A 4-unit analysis written by save_analysis: unit 2 detects drum, unit 3 leans to piano."""
    categories = ("dog", "drum", "piano")
    fractions = np.array([[0.9, 0.0, 0.0], [0.1, 0.2, 0.0], [0.0, 0.8, 0.1], [0.3, 0.0, 0.4]])
    table = labels_from_fractions(fractions, categories, 0.6)
    auto = AutoLabels(table, fractions, np.zeros((4, 3, 3), bool), categories)
    rng = np.random.default_rng(0)
    maps = rng.random((4, 3, 2, 2)).astype(np.float32)  # (C, K, h, w)
    curve = pd.DataFrame({"threshold": [0.5], "n_detectors": [2]})
    analysis = UnitAnalysis(auto, np.array([[0, 1, 2]] * 4), maps, curve)
    pool = pd.DataFrame({"frame_id": ["a", "b", "c"]})
    save_analysis(analysis, pool, tmp_path / "labels.csv", tmp_path / "top.npz", n_maps=2)
    return load_saved_units(tmp_path / "labels.csv", tmp_path / "top.npz")


def test_saved_analysis_round_trip_and_group_units(tmp_path):
    saved = _saved_analysis(tmp_path)
    assert saved.top_maps.shape == (4, 2, 2, 2) and saved.categories == ("dog", "drum", "piano")
    assert list(saved.pool_ids) == ["a", "b", "c"]
    units = group_units(saved, ("drum", "piano", "guitar"), n=6)
    assert list(units["unit"]) == [2, 3, 1]  # the detector first, then by fraction; unit 0 has none
    assert list(units["is_detector"]) == [True, False, False]
    assert list(units["category"]) == ["drum", "piano", "drum"]
    counts = detector_counts(saved.labels, ("drum", "piano"))
    assert counts == {
        "n_units": 4,
        "n_detectors": 2,
        "n_group_detectors": 1,
        "per_category": {"dog": 1, "drum": 1},
    }
    with pytest.raises(ValueError, match="none of"):
        group_units(saved, ("violin",), n=3)


def test_old_unit_analysis_is_a_clear_error(tmp_path):
    np.savez(tmp_path / "top.npz", top_indices=np.zeros((1, 1), int))
    pd.DataFrame({"unit": [0]}).to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(ValueError, match="rerun units_frames"):
        load_saved_units(tmp_path / "labels.csv", tmp_path / "top.npz")


def test_read_detectors_keeps_only_detector_units(tmp_path):
    from soundsight.units.figures import read_detectors

    labels = tmp_path / "labels.csv"
    pd.DataFrame(
        {"unit": [0, 1, 2], "category": ["dog", "", "piano"], "is_detector": [True, False, True]}
    ).to_csv(labels, index=False)
    assert read_detectors({"m": labels}) == {"m": ["dog", "piano"]}
