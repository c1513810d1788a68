"""mini-ESC-50 and mini-DCASE 2013 written by the world, read back by the real-data adapters."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.io import wavfile

from soundsight.data.dcase2013 import read_dcase2013
from soundsight.data.esc50 import esc10_subset, fold_splits, read_esc50
from soundsight.world import WorldConfig
from soundsight.world.soundsets import (
    dcase_clip,
    esc50_classes,
    esc50_source,
    generate_dcase2013,
    generate_esc50,
)

TINY = dict(esc50_duration_s=1.0, esc50_rate=16000, dcase_duration_s=1.0, dcase_rate=16000)


def test_esc50_reads_back_with_no_rejects_and_folds_keep_sources(tmp_path):
    cfg = WorldConfig(scenes=("beach", "street"), esc50_takes=3, **TINY)
    summary = generate_esc50(cfg, tmp_path)
    clips, rejects = read_esc50(tmp_path)
    assert rejects.empty
    n_classes = len(esc50_classes(cfg))  # 11 sound makers + 2 ambiences
    assert n_classes == 13 and summary["n_clips"] == len(clips) == n_classes * 5 * 3
    meta = pd.read_csv(tmp_path / "ESC-50-master" / "meta" / "esc50.csv")
    assert list(meta.columns) == [
        "filename",
        "fold",
        "target",
        "category",
        "esc10",
        "src_file",
        "take",
    ]
    assert (meta.groupby("src_file")["fold"].nunique() == 1).all()  # a source's takes share a fold
    assert (meta.groupby(["target", "fold"]).size() == 3).all()  # balanced classes x folds
    names = meta["filename"].str.extract(r"(\d)-(\d+)-([A-Z])-(\d+)\.wav")
    assert (names[0].astype(int) == meta["fold"]).all() and (
        names[3].astype(int) == meta["target"]
    ).all()
    assert sorted(esc10_subset(clips)["category"].unique()) == sorted(
        ["dog", "baby", "person", "bird", "car", "train", "drum", "waterfall", "waves"]
    )  # 'wind' is the forest's ambience, not in this world
    for _, train, test in fold_splits(clips):
        assert not set(meta["src_file"].iloc[train]) & set(meta["src_file"].iloc[test])
    rate, x = wavfile.read(clips["path"][0])
    assert rate == 16000 and x.shape == (16000,) and x.dtype == np.int16  # mono 16 bit


def test_esc50_takes_are_cuts_of_one_deterministic_source():
    cfg = WorldConfig(**TINY)
    a, b = esc50_source(cfg, 3, 0), esc50_source(cfg, 3, 0)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (2, 16000) and not np.array_equal(a, esc50_source(cfg, 3, 1))
    other = esc50_source(WorldConfig(seed=1, **TINY), 3, 0)
    assert not np.array_equal(a, other)


def test_esc50_classes_differ_in_spectrum():
    """Dog barks (0.4-3.5 kHz) and a car engine (below 400 Hz) differ where they should."""
    cfg = WorldConfig(esc50_duration_s=2.0, esc50_rate=16000)
    classes = esc50_classes(cfg)
    low = {}
    for name in ("dog", "car"):
        x = esc50_source(cfg, classes.index(name), 0).ravel()
        spec = np.abs(np.fft.rfft(x)) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / 16000)
        low[name] = spec[freqs < 400].sum() / spec.sum()
    assert low["car"] > 0.5 > low["dog"]


def test_dcase_reads_back_with_the_world_scene_classes(tmp_path):
    cfg = WorldConfig(scenes=("concert_hall", "street", "beach"), dcase_clips_per_class=2, **TINY)
    summary = generate_dcase2013(cfg, tmp_path)
    clips, rejects = read_dcase2013(tmp_path, classes=None)
    assert rejects.empty and len(clips) == 12
    assert summary["classes"] == ["concerthall", "street", "beach"]
    assert clips.groupby("split").size().to_dict() == {"dev": 6, "test": 6}
    assert sorted(clips["label"].unique()) == ["beach", "concerthall", "street"]
    assert clips.loc[clips["label"] == "street", "target"].unique().tolist() == [2]  # sorted
    # the official class list rejects every world clip by name, with a reason
    _, strict = read_dcase2013(tmp_path)
    assert len(strict) == 12 and strict["reason"].str.startswith("unknown class").all()
    rate, x = wavfile.read(tmp_path / "scenes_stereo" / "beach01.wav")
    assert rate == 16000 and x.shape == (16000, 2)


def test_dcase_stereo_channels_differ_and_splits_differ():
    cfg = WorldConfig(**TINY)
    dev, test = dcase_clip(cfg, 0, 0, 1), dcase_clip(cfg, 0, 1, 1)
    assert dev.shape == (16000, 2)
    corr = np.corrcoef(dev[:, 0], dev[:, 1])[0, 1]
    assert corr < 0.9  # not a duplicated mono channel
    assert not np.allclose(dev, test)
    np.testing.assert_array_equal(dev, dcase_clip(cfg, 0, 0, 1))
