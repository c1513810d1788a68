"""AudioSet-style and Kinetics-Sounds-style sets over a rendered world corpus."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from soundsight.data.audioset import read_ontology, read_segments, segments_manifest
from soundsight.data.manifest import list_videos
from soundsight.world import LABEL_VOCAB, WorldConfig, generate_videos
from soundsight.world.labelsets import (
    kinetics_label,
    split_ids,
    write_audioset,
    write_kinetics_sounds,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A tiny rendered corpus: 8 videos of 2 s at 32 x 32, music over half of them."""
    out = tmp_path_factory.mktemp("corpus")
    cfg = WorldConfig(
        n_videos=8, duration_s=2.0, fps=4, width=32, height=32, audio_rate=16000,
        n_bad_videos=1, n_workers=1, p_music=0.5, p_silent_video=0.0,
    )  # fmt: skip
    generate_videos(cfg, out)
    return out


def test_ontology_is_a_dag_with_levels_and_two_parents(tmp_path, world):
    write_audioset(world, tmp_path, seed=0, eval_fraction=0.25)
    onto = read_ontology(tmp_path / "ontology.json")
    names = {v: k for k, v in onto.names.items()}
    assert set(LABEL_VOCAB) <= set(names)
    assert set(onto.parents[names["crowd"]]) == {"/w/voice", "/w/group"}
    assert set(onto.parents[names["piano"]]) == {"/w/keyboard", "/w/percussion"}
    assert onto.depth(names["guitar"]) == 3  # music > instrument > plucked > guitar
    assert onto.depth(names["music"]) == 0
    assert onto.ancestors(names["train"]) == {"/w/rail", "/w/vehicle", "/w/things"}
    assert max(onto.depth(n) for n in onto.names) >= 3


def test_segments_read_back_and_match_the_videos(tmp_path, world):
    summary = write_audioset(world, tmp_path, seed=0, eval_fraction=0.25)
    onto = read_ontology(tmp_path / "ontology.json")
    videos = pd.read_csv(world / "videos.csv", dtype=str, keep_default_na=False)
    labelled = videos.loc[(videos["scene"] != "") & (videos["labels"] != "")]
    parts = {
        s: read_segments(tmp_path / f)
        for s, f in (("train", "balanced_train_segments.csv"), ("eval", "eval_segments.csv"))
    }
    assert sum(len(p) for p in parts.values()) == len(labelled) == sum(summary["counts"].values())
    assert not set(parts["train"]["ytid"]) & set(parts["eval"]["ytid"])
    both = pd.concat(parts.values(), ignore_index=True)
    manifest, rejects = segments_manifest(both, world / "videos", onto)
    assert rejects.empty and len(manifest) == len(labelled)
    truth = dict(zip(labelled["video_id"], labelled["labels"], strict=True))
    for key, labels in zip(manifest["video_id"], manifest["labels"], strict=True):
        assert labels == truth[key.rsplit("_", 1)[0]]  # display names = the world's labels
    assert (manifest["end"] == 2.0).all() and (manifest["start"] == 0.0).all()


def test_split_ids_is_deterministic_and_sized():
    ids = [f"v{i}" for i in range(20)]
    assert split_ids(ids, 0.3, 0, 7) == split_ids(ids, 0.3, 0, 7)
    assert len(split_ids(ids, 0.3, 0, 7)) == 6
    assert split_ids(ids, 0.3, 0, 7) != split_ids(ids, 0.3, 1, 7)


def test_kinetics_label_is_the_longest_sounding_visible_object():
    def obj(cat, audible=True, on=True, frames=5):
        return {
            "category": cat,
            "audible": audible,
            "on_screen": on,
            "frames_visible": 4 if on else 0,
            "frames_audible": frames,
        }

    assert kinetics_label({"objects": [obj("dog", frames=3), obj("guitar", frames=7)]}) == "guitar"
    assert kinetics_label({"objects": [obj("dog", frames=7), obj("guitar", frames=7)]}) == "dog"
    assert kinetics_label({"objects": [obj("dog", audible=False), obj("car", on=False)]}) is None
    assert kinetics_label({"objects": []}) is None


def test_kinetics_manifest_reads_back_with_one_label(tmp_path, world):
    out = tmp_path / "ks" / "kinetics_sounds.csv"
    summary = write_kinetics_sounds(world, out, seed=0, val_fraction=0.5)
    listed = list_videos(out)
    assert len(listed) == summary["n_clips"] > 0
    assert summary["n_clips"] + summary["n_left_out"] == 8
    assert set(listed["split"]) <= {"train", "val"}
    assert not listed["labels"].str.contains(";").any()
    for vid, label, path in zip(listed["video_id"], listed["labels"], listed["path"], strict=True):
        truth = json.loads((world / "groundtruth" / f"{vid}.json").read_text())
        assert label == kinetics_label(truth) and label in truth["labels"]
        assert path.endswith(f"{vid}.mp4")
