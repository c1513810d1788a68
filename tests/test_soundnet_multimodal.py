"""SoundNet Table 7: held-out videos, per-class split, sound / vision / both SVMs, the table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from soundsight.data.video import write_mp4
from soundsight.models.input_spec import ImageSpec
from soundsight.papers.soundnet.multimodal import (
    BENCHES,
    Table7Config,
    evaluate,
    held_out_videos,
    sound_features,
    split_held_out,
    vision_features,
    zscore_blocks,
)
from soundsight.papers.soundnet.table7 import build_table7, write_table7
from soundsight.report.published import published_value

CFG = Table7Config(costs=(0.01, 1.0), cv_folds=3)


def _features(y: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """conv7 and vision carry the class (vision more clearly), conv8 is noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(y.max() + 1, 6)) * 3.0
    return {
        "conv7": centres[y] + rng.normal(size=(len(y), 6)),
        "conv8": rng.normal(size=(len(y), 4)),
        "vision": np.repeat(centres[y], 2, axis=1) + 0.1 * rng.normal(size=(len(y), 12)),
    }


def test_split_is_per_class_reproducible_and_drops_rare_classes():
    y = np.array([0] * 10 + [1] * 5 + [2] * 2 + [3])
    a, b = split_held_out(y, 0.4, seed=3), split_held_out(y, 0.4, seed=3)
    np.testing.assert_array_equal(a.test, b.test)
    assert not (a.train & a.test).any() and a.dropped == {3: 1}
    assert not a.train[y == 3].any() and not a.test[y == 3].any()
    assert [int(a.test[y == c].sum()) for c in (0, 1, 2)] == [4, 2, 1]  # round(0.4 n), >= 1
    assert [int(a.train[y == c].sum()) for c in (0, 1, 2)] == [6, 3, 1]
    other = [split_held_out(y, 0.4, seed=s).test for s in range(4, 9)]
    assert any((t != a.test).any() for t in other)  # the seed draws which videos


def test_zscore_blocks_use_the_training_rows_only():
    train = np.array([True, True, False])
    out = zscore_blocks([np.array([[0.0], [2.0], [10.0]]), np.array([[1.0], [1.0], [5.0]])], train)
    np.testing.assert_allclose(out, [[-1, 0], [1, 0], [9, 4]])  # constant block: std 1


def test_svm_learns_separable_features_and_the_majority_row_is_right():
    y = np.repeat([0, 1, 2], [12, 9, 9])
    ids = [f"v{i:02d}" for i in range(len(y))]
    summary, arrays = evaluate(_features(y), ids, y, CFG, seed=0, class_names=["a", "b", "c"])
    acc = {b: summary["benches"][b]["accuracy"] for b in BENCHES}
    assert summary["status"] == "ok" and summary["n_test"] == 5 + 4 + 4
    assert summary["classes"]["a"] == {"train": 7, "test": 5}
    assert acc["t7_vision"] == 1.0 and acc["t7_both_conv7"] == 1.0
    assert acc["t7_sound_conv7"] > 0.8 > acc["t7_sound_conv8"]  # conv8 here is noise
    assert acc["t7_majority"] == pytest.approx(5 / 13)  # class a: most common in training
    assert summary["chance"] == pytest.approx(1 / 3)
    assert summary["benches"]["t7_sound_conv7"]["cost"] in CFG.costs
    for bench in BENCHES:  # the clip-probe format of the audit, one fold
        correct, clip_ids = arrays[f"correct_{bench}_f1"], arrays[f"clip_ids_{bench}_f1"]
        assert correct.dtype == bool and len(correct) == len(clip_ids) == 13
        assert correct.mean() == pytest.approx(acc[bench])
    split = split_held_out(y, CFG.test_fraction, 0)
    assert set(arrays["clip_ids_t7_vision_f1"]) == {ids[i] for i in np.flatnonzero(split.test)}


def test_too_few_held_out_videos_is_reported_not_a_crash():
    y = np.array([0, 1, 2, 2])
    summary, arrays = evaluate(_features(y), ["a", "b", "c", "d"], y, CFG, seed=0)
    assert "too few held-out videos" in summary["status"] and arrays == {}
    assert all(math.isnan(v["accuracy"]) for v in summary["benches"].values())
    assert summary["dropped_classes"] == {"0": 1, "1": 1}
    with pytest.raises(ValueError, match="one video id, label and feature row"):
        evaluate(_features(y), ["a"], y, CFG, seed=0)
    with pytest.raises(ValueError, match="test_fraction"):
        Table7Config(test_fraction=1.0)


def test_held_out_videos_take_the_test_side_and_one_scene_each(tmp_path):
    frames = pd.DataFrame(
        {
            "frame_id": ["a_0", "a_1", "b_0", "c_0", "c_1"],
            "video_id": ["a", "a", "b", "c", "c"],
            "split": ["test", "test", "train", "test", "test"],
            "label": [3, 3, 1, 0, 0],
        }
    )
    frames.to_csv(tmp_path / "split.csv", index=False, columns=["frame_id", "video_id", "split"])
    frames.to_csv(tmp_path / "scene.csv", index=False)
    out = held_out_videos(tmp_path / "split.csv", tmp_path / "scene.csv")
    assert out.to_dict("list") == {"video_id": ["a", "c"], "label": [3, 0]}
    frames.loc[1, "label"] = 2
    frames.to_csv(tmp_path / "scene.csv", index=False)
    with pytest.raises(ValueError, match="several scenes.*'a'"):
        held_out_videos(tmp_path / "split.csv", tmp_path / "scene.csv")


def test_sound_features_pool_conv7_and_both_heads_of_whole_tracks(tmp_path):
    from teacher_corpus import write_teacher_corpus

    from soundsight.models import build_model
    from soundsight.train.pairs import TrackClips

    ingest, _ = write_teacher_corpus(tmp_path, n_videos=3, n_test=1)
    tracks = pd.read_csv(ingest / "tracks.csv", dtype={"video_id": str})
    torch.manual_seed(0)
    model = build_model("soundnet8", num_outputs=3, num_scene_outputs=2, width=0.0625)
    feats = sound_features(model, TrackClips(tracks, ingest), tracks, ["v002", "v000"])
    assert feats["conv7"].shape == (2, model.channels["conv7"])
    assert feats["conv8"].shape == (2, 3 + 2)  # object and scene heads side by side
    assert not np.allclose(feats["conv7"][0], feats["conv7"][1])  # different tones
    with pytest.raises(ValueError, match="no ingested track"):
        sound_features(model, TrackClips(tracks, ingest), tracks, ["zz"])


class _ColourNet(nn.Module):
    """``fc7`` = the mean of each colour channel (B, 3)."""

    def __init__(self) -> None:
        super().__init__()
        self.input_spec = ImageSpec(16)

    def forward_intermediates(self, x: torch.Tensor, layers) -> dict[str, torch.Tensor]:
        return {"fc7": x.mean(dim=(2, 3))}  # (B, 3)


def test_vision_features_average_each_teachers_layer_over_the_step_frames(tmp_path):
    fps = 10
    for name, colour in (("r", 0), ("b", 2)):
        frames = np.zeros((20, 24, 32, 3), dtype=np.uint8)
        frames[..., colour] = 230
        write_mp4(tmp_path / f"{name}.mp4", frames, fps, np.zeros(16000, np.float32), 8000)
    videos = pd.DataFrame({"video_id": ["r", "b"], "path": [str(tmp_path / "r.mp4"),
                                                            str(tmp_path / "b.mp4")]})  # fmt: skip
    tracks = pd.DataFrame({"video_id": ["r", "b"], "t0_s": 0.0, "duration_s": [2.0, 0.5]})
    teachers = {"object": _ColourNet(), "scene": _ColourNet()}
    kept, X, rejects, dims = vision_features(teachers, videos, tracks, 1.0, 16)
    assert kept == ["r"] and list(rejects["video_id"]) == ["b"]  # b: shorter than a step
    assert X.shape == (1, 6) and dims == {"object": 3, "scene": 3}
    assert X[0, :3].argmax() == 0 and np.allclose(X[0, :3], X[0, 3:])


def test_table7_reads_the_benches_beside_the_published_cells(tmp_path):
    y = np.repeat([0, 1, 2], [12, 9, 9])
    summary, _ = evaluate(_features(y), [f"v{i}" for i in range(len(y))], y, CFG, seed=0)
    (main, frame), (_, base) = build_table7(summary)
    cell = frame.set_index(["published_row", "column"])
    sound7 = cell.loc[("8 Layer, conv7", "sound")]
    assert sound7["replicated"] == pytest.approx(
        100 * summary["benches"]["t7_sound_conv7"]["accuracy"]
    )
    assert sound7["published"] == published_value("soundnet", "table7", "8 Layer, conv7", "sound")
    rows = base.set_index("published_row")
    assert rows.loc["Chance", "replicated"] == pytest.approx(100 / 3)
    assert rows.loc["Chance", "published"] == published_value(
        "soundnet", "text", "Chance", "multi-modal 44 categories/accuracy"
    )
    out = write_table7(summary, tmp_path / "t7.csv", tmp_path / "t7.md")
    text = (tmp_path / "t7.md").read_text()
    assert text.startswith("# SoundNet, Table 7") and "## Baselines" in text
    assert len(out) == len(frame) + len(base) == len(pd.read_csv(tmp_path / "t7.csv"))
    nan, _ = evaluate(_features(y[:3]), ["a", "b", "c"], y[:3], CFG, seed=0)
    (_, empty), _ = build_table7(nan)
    assert empty["replicated"].isna().all() and "Not run" in build_table7(nan)[0][0].description
