"""Unit-analysis entry points and Table 1 assembly."""

import pandas as pd
import pytest

from soundsight.paper.table1 import table1_markdown, table1_with_published
from soundsight.units.run import strongest_detectors, voc_pool, world_pool

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
