"""The world at 48 kHz (the L3 / AVE front end's rate): videos render, ingest resamples down."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.io import wavfile

from soundsight.data import ingest_shard, list_videos, load_shard_audio
from soundsight.world import WorldConfig, generate_videos, render_video, sample_video_spec
from soundsight.world.localisation import generate_localisation

CFG = WorldConfig(
    n_videos=2, duration_s=2.0, fps=4, width=32, height=32, audio_rate=48000,
    n_bad_videos=0, n_workers=1, loc_n_frames=2, loc_image_size=32,
)  # fmt: skip


def test_48k_videos_keep_their_rate_and_ingest_resamples(tmp_path):
    generate_videos(CFG, tmp_path / "world")
    videos = list_videos(tmp_path / "world" / "videos.csv")
    ingest_shard(
        videos, tmp_path / "shard", frames_per_video=2, short_side=32, window_s=1.0,
        audio_rate=22050, track_rate=None, seed=0, progress=False,
    )  # fmt: skip
    tracks = pd.read_csv(tmp_path / "shard" / "tracks.csv")
    assert (tracks["rate"] == 48000).all() and (tracks["n_samples"] == 96000).all()
    audio = load_shard_audio(tmp_path / "shard")
    assert audio.shape == (4, 22050) and np.abs(audio).max() > 0  # 1 s windows at ingest's rate


def test_the_rate_changes_the_samples_not_the_scene():
    """Content (scene, objects, labels, per-frame activity) is the same at 22.05 and 48 kHz."""
    fast = sample_video_spec(dataclasses.replace(CFG, audio_rate=22050), 1)
    slow = sample_video_spec(CFG, 1)
    assert fast.visual == slow.visual
    a, b = render_video(fast), render_video(slow)
    np.testing.assert_array_equal(a.audio_truth.source_active, b.audio_truth.source_active)
    assert len(b.audio_truth.audio) == 96000 and len(a.audio_truth.audio) == 44100


def test_localisation_audio_at_48k(tmp_path):
    generate_localisation(CFG, tmp_path)
    rate, x = wavfile.read(tmp_path / "Localisation" / "audio" / "loc_00000.wav")
    assert rate == 48000 and x.shape == (48000,)


def test_world_audio_rate_null_is_the_default_and_the_workflow_key_is_passed():
    assert WorldConfig.from_dict({"audio_rate": None}).audio_rate == WorldConfig().audio_rate
    assert WorldConfig.from_dict({"audio_rate": 48000}).audio_rate == 48000
    common = (Path(__file__).parents[1] / "workflow/rules/world.smk").read_text()
    assert 'config["ingest"]["audio_rate"]' not in common  # every world rule: world_audio_rate()
    assert common.count("audio_rate=world_audio_rate()") >= 6
