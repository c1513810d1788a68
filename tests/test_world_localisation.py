"""The world's localisation set: frames, audio and sounding-object points from the masks."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy.io import wavfile

from soundsight.data.localisation import (
    centre_baseline_hits,
    pointing_hits,
    read_localisation,
    sounding_objects,
)
from soundsight.world import WorldConfig
from soundsight.world.localisation import generate_localisation, interior_point, sample_item

CFG = WorldConfig(loc_n_frames=12, loc_image_size=64, audio_rate=16000, loc_p_two_sources=0.5)


@pytest.fixture(scope="module")
def loc(tmp_path_factory):
    out = tmp_path_factory.mktemp("loc")
    summary = generate_localisation(CFG, out)
    return out, summary


def test_reads_back_with_one_sounding_object_per_frame(loc):
    out, summary = loc
    frames, objects = read_localisation(out)
    assert len(frames) == summary["n_frames"] == 12
    assert (objects.groupby("image_id")["sounding"].sum() == 1).all()
    per_frame = objects.groupby("image_id").size().reindex(frames["image_id"]).to_numpy()
    np.testing.assert_array_equal(per_frame, np.where(frames["kind"] == "two", 2, 1))
    assert summary["n_two_sources"] == (frames["kind"] == "two").sum() > 0
    rate, audio = wavfile.read(frames["audio"][0])
    assert rate == 16000 and audio.shape == (16000,)
    assert Image.open(frames["image"][0]).size == (64, 64)


def test_points_lie_on_their_object_mask(loc):
    out, _ = loc
    frames, objects = read_localisation(out)
    masks = {
        i: np.asarray(Image.open(p))
        for i, p in zip(frames["image_id"], frames["mask"], strict=True)
    }
    for row in objects.itertuples():
        assert masks[row.image_id][row.py, row.px] == row.instance_id


def test_centre_baseline_cannot_win_by_construction(loc):
    out, _ = loc
    frames, objects = read_localisation(out)
    hits = centre_baseline_hits(frames, objects)
    assert not hits[frames["offcentre"].to_numpy(bool)].any()  # required off-centre frames
    assert hits.mean() <= 1 - CFG.loc_p_offcentre + 0.2
    target = sounding_objects(frames, objects)
    near = np.hypot(target["px"] - 32, target["py"] - 32) < 0.15 * 64
    assert near.mean() <= 0.5


def test_the_silent_maker_is_silent_and_the_item_deterministic():
    a, choice, kind, _ = sample_item(CFG, 3)
    b, *_ = sample_item(CFG, 3)
    np.testing.assert_array_equal(a.audio_truth.audio, b.audio_truth.audio)
    active = dict(zip(a.audio_truth.source_instance, a.audio_truth.source_active[0], strict=True))
    assert active[choice + 1] and sum(active.values()) == 1


def test_interior_point_and_pointing_hits_by_hand():
    mask = np.zeros((7, 9), bool)
    mask[1:6, 2:7] = True  # a 5 x 5 square centred at (4, 3)
    assert interior_point(mask) == (4, 3)
    boxes = np.array([[0, 0, 4, 4], [2, 2, 3, 3]], float)
    np.testing.assert_array_equal(
        pointing_hits(np.array([[3.5, 0.0], [3.0, 2.0]]), boxes), [True, False]
    )


def test_reader_rejects_a_frame_with_two_sounding_objects(loc, tmp_path):
    out, _ = loc
    copy = tmp_path / "Localisation"
    shutil.copytree(out / "Localisation", copy)
    objects = pd.read_csv(copy / "objects.csv")
    objects["sounding"] = True
    objects.to_csv(copy / "objects.csv", index=False)
    with pytest.raises(ValueError, match="exactly one sounding"):
        read_localisation(tmp_path)
