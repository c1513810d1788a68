"""Tests of the world's visual nuisance knobs (look_*, background_hue, *camera_zoom)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import ndimage

from soundsight.world import WorldConfig, sample_video_spec
from soundsight.world.compose import (
    DEFAULT_NUISANCES,
    NuisanceRanges,
    render_audio,
    render_frames,
    sample_camera,
    sample_look,
)
from soundsight.world.stills import render_still

SMALL = WorldConfig(n_videos=2, duration_s=2.0, fps=4, width=48, height=48, n_workers=1)
STRONG = dataclasses.replace(
    SMALL,
    look_gain=(0.4, 1.4),
    look_contrast=(0.5, 1.3),
    look_hue=np.pi,
    look_saturation=(0.3, 1.4),
    look_noise=0.08,
    background_hue=np.pi,
    camera_zoom=(0.4, 0.8),
)


def test_default_ranges_are_the_historical_draws():
    """The defaults reproduce the constants the world drew from before the knobs existed."""
    assert WorldConfig().nuisances() == DEFAULT_NUISANCES
    look = sample_look(np.random.default_rng(5))
    rng = np.random.default_rng(5)
    gain0 = rng.uniform(0.65, 1.25)
    assert look.gain0 == gain0 and look.background_hue == 0.0
    rng.uniform(0.9, 1.1)
    assert look.contrast == rng.uniform(0.8, 1.15)
    assert look.hue == rng.uniform(-0.35, 0.35)
    camera = sample_camera(np.random.default_rng(5), moving=True)
    assert camera[2] == np.random.default_rng(5).uniform(0.72, 1.0)


def test_strong_nuisances_change_frames_not_sound_or_masks():
    """Sound and instance masks are invariant to the look (the causal story: sound comes from
    objects and scenes); only the pixels change."""
    base = sample_video_spec(SMALL, 1)
    look = sample_look(np.random.default_rng(9), STRONG.nuisances())
    assert look.background_hue != 0.0
    strong = dataclasses.replace(base.visual, look=look)
    frames_a, truth_a = render_frames(base.visual)
    frames_b, truth_b = render_frames(strong)
    assert not np.array_equal(frames_a, frames_b)
    np.testing.assert_array_equal(truth_a.instance_map, truth_b.instance_map)
    np.testing.assert_array_equal(
        render_audio(base.visual, base.audio).audio, render_audio(strong, base.audio).audio
    )


def test_background_hue_recolours_only_the_background():
    """With every other nuisance off, the background hue moves background pixels only."""
    neutral = NuisanceRanges(
        gain=(1.0, 1.0), contrast=(1.0, 1.0), hue=0.0, saturation=(1.0, 1.0), noise=0.0
    )
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)  # seed 3: no blur
    plain = render_still(rng_a, "concert_hall", 64, 3, forced="piano", nuisances=neutral)
    tinted = render_still(
        rng_b,
        "concert_hall",
        64,
        3,
        forced="piano",
        nuisances=dataclasses.replace(neutral, background_hue=np.pi),
    )
    assert plain.spec.look.blur == tinted.spec.look.blur == 0.0  # blur would mix the two
    # interiors only: bilinear resampling of the canvas blends the pixels along object edges
    objects = ndimage.binary_erosion(plain.truth.instance_map[0] > 0, iterations=2)
    assert objects.sum() > 50
    np.testing.assert_array_equal(plain.rgb[objects], tinted.rgb[objects])
    assert np.abs(plain.rgb[~objects].astype(int) - tinted.rgb[~objects]).mean() > 5


def test_camera_zoom_range_is_respected():
    """Video, VOC and SUN cameras crop within their configured ranges."""
    for i in range(5):
        z0, z1 = sample_video_spec(STRONG, i).visual.camera[2::3]
        assert 0.4 <= z0 <= 0.8 and 0.38 <= z1 <= 0.8
    zoom = STRONG.nuisances(zoom=(0.3, 0.35)).zoom
    assert zoom == (0.3, 0.35)


def test_range_knobs_from_yaml_lists_and_validation():
    cfg = WorldConfig.from_dict({"look_gain": [0.5, 1.5], "sun_camera_zoom": [0.4, 0.6]})
    assert cfg.look_gain == (0.5, 1.5) and cfg.sun_camera_zoom == (0.4, 0.6)
    assert cfg.to_dict()["look_gain"] == [0.5, 1.5]
    assert WorldConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="look_gain"):
        WorldConfig(look_gain=(1.2, 0.8))
    with pytest.raises(ValueError, match="camera_zoom"):
        WorldConfig(camera_zoom=(0.5, 1.2))
    with pytest.raises(ValueError, match="background_hue"):
        WorldConfig(background_hue=-1.0)
