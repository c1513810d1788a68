"""Visual teachers at fixed steps through real mp4s: frame decoding, step times, the cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from soundsight.data.decode import decode_frames_at
from soundsight.data.video import write_mp4
from soundsight.models.input_spec import ImageSpec
from soundsight.train.distill import read_teacher_cache
from soundsight.train.teachers import build_teacher_cache, step_times, teacher_posteriors

FPS = 10


class _ColourTeacher(nn.Module):
    """Logits = 8 x the mean of each colour channel: a red frame says class 0, green 1, blue 2."""

    def __init__(self) -> None:
        super().__init__()
        self.input_spec = ImageSpec(16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 8.0 * x.mean(dim=(2, 3))  # (B, 3)


def _video(path, seconds: float, colours: list[int]) -> None:
    """An mp4 whose consecutive equal parts are pure red / green / blue (``colours``)."""
    n = round(seconds * FPS)
    frames = np.zeros((n, 24, 32, 3), dtype=np.uint8)
    for i, part in enumerate(np.array_split(np.arange(n), len(colours))):
        frames[part, :, :, colours[i]] = 230
    write_mp4(path, frames, FPS, np.zeros(round(seconds * 8000), np.float32), 8000)


def test_step_times_are_whole_steps_centred_in_the_track():
    np.testing.assert_allclose(step_times(0.2, 6.0, 1.5), [0.95, 2.45, 3.95, 5.45])
    assert len(step_times(0.0, 1.4, 1.5)) == 0
    np.testing.assert_allclose(step_times(0.0, 3.0, 1.0), [0.5, 1.5, 2.5])  # exact multiples
    with pytest.raises(ValueError, match="step_s"):
        step_times(0.0, 3.0, 0.0)


def test_frames_at_times_follow_the_video(tmp_path):
    _video(tmp_path / "a.mp4", 3.0, [0, 1, 2])  # red for 1 s, green, blue
    images, times = decode_frames_at(tmp_path / "a.mp4", np.array([0.5, 1.5, 2.5]), 12)
    assert [im.size for im in images] == [(16, 12)] * 3  # short side 12, aspect kept
    means = np.stack([np.asarray(im, dtype=float).mean(axis=(0, 1)) for im in images])
    assert list(means.argmax(axis=1)) == [0, 1, 2]
    np.testing.assert_allclose(times, [0.5, 1.5, 2.5], atol=0.5 / FPS + 1e-6)
    with pytest.raises(ValueError, match="sorted"):
        decode_frames_at(tmp_path / "a.mp4", np.array([2.0, 1.0]), 12)


def test_teacher_cache_has_a_posterior_per_step_and_lists_short_videos(tmp_path):
    _video(tmp_path / "a.mp4", 3.0, [0, 1, 2])
    _video(tmp_path / "b.mp4", 2.0, [2])
    _video(tmp_path / "c.mp4", 0.6, [1])  # shorter than a step: rejected with the reason
    videos = pd.DataFrame(
        {"video_id": ["a", "b", "c"], "path": [str(tmp_path / f"{v}.mp4") for v in "abc"]}
    )
    tracks = pd.DataFrame({"video_id": ["a", "b", "c"], "t0_s": 0.0, "duration_s": [3, 2, 0.6]})
    teachers = {"object": _ColourTeacher(), "scene": _ColourTeacher()}
    out = teacher_posteriors(videos, tracks, teachers, 1.0, 16, batch_size=2)
    assert out.video_id == ["a", "a", "a", "b", "b"]
    np.testing.assert_allclose(out.time_s, [0.5, 1.5, 2.5, 0.5, 1.5])
    assert list(out.rejects["video_id"]) == ["c"] and "shorter" in out.rejects["reason"][0]
    p = out.heads["object"]
    assert p.shape == (5, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert list(p.argmax(axis=1)) == [0, 1, 2, 2, 2]  # the teacher saw each step's own frame
    np.testing.assert_array_equal(p, out.heads["scene"])
    # the rule's entry: the cache and the rejects on disk; counts reconcile
    pd.DataFrame(videos).to_csv(tmp_path / "videos.csv", index=False)
    tracks.to_csv(tmp_path / "tracks.csv", index=False)
    summary = build_teacher_cache(
        tmp_path / "videos.csv", tmp_path / "tracks.csv", teachers, 1.0, 16,
        tmp_path / "teachers.npz", tmp_path / "rejects.csv",
    )  # fmt: skip
    assert summary["n_videos"] == summary["n_cached"] + summary["n_rejected"] == 3
    cache = read_teacher_cache(tmp_path / "teachers.npz")
    np.testing.assert_allclose(cache["object"], p, rtol=1e-6)
    assert pd.read_csv(tmp_path / "rejects.csv")["video_id"].tolist() == ["c"]


def test_teacher_errors_name_what_is_wrong(tmp_path):
    _video(tmp_path / "a.mp4", 1.0, [0])
    videos = pd.DataFrame({"video_id": ["a"], "path": [str(tmp_path / "a.mp4")]})
    tracks = pd.DataFrame({"video_id": ["a", "zz"], "t0_s": 0.0, "duration_s": 1.0})
    with pytest.raises(ValueError, match="not in the video list.*zz"):
        teacher_posteriors(videos, tracks, {"object": _ColourTeacher()}, 1.0, 16)
    with pytest.raises(ValueError, match="whole 5.0 s teacher step"):
        teacher_posteriors(videos, tracks.iloc[:1], {"object": _ColourTeacher()}, 5.0, 16)
    with pytest.raises(ValueError, match="at least one teacher"):
        teacher_posteriors(videos, tracks, {}, 1.0, 16)


def test_distillation_split_and_heads_are_checked(tmp_path):
    from teacher_corpus import STEP_S, write_teacher_corpus

    from soundsight.train import TrainConfig
    from soundsight.train.distill import DistillConfig, split_videos, train_distillation

    pd.DataFrame(
        {"frame_id": ["a_0", "a_1"], "video_id": ["a", "a"], "split": ["train", "test"]}
    ).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="both splits.*'a'"):
        split_videos(tmp_path / "bad.csv")
    ingest, cache = write_teacher_corpus(tmp_path, n_videos=4, n_test=1)
    assert split_videos(tmp_path / "split.csv")["test"] == {"v003"}
    cfg = TrainConfig(iterations=1, batch_size=2, device="cpu", model="soundnet5")
    with pytest.raises(ValueError, match=r"no teacher head\(s\) \['places'\]"):
        train_distillation(
            cache, tmp_path / "split.csv", ingest / "tracks.csv", ingest, cfg, tmp_path / "m",
            DistillConfig(heads=("places",), steps=2, step_s=STEP_S),
        )  # fmt: skip


def test_load_teachers_mixes_local_weights_and_trained_models(tmp_path):
    """A local teacher is the user's torchvision-layout state dict (its head renamed); another
    is a model this DAG trained (model.pt beside model.json): both come back in eval mode."""
    from torchvision.models import alexnet as tv_alexnet

    from soundsight.models.io import CheckpointMismatchError, save_checkpoint
    from soundsight.models.registry import build_model
    from soundsight.models.spec import write_spec
    from soundsight.train.teachers import load_teachers

    torch.manual_seed(0)
    tv = tv_alexnet(weights=None, num_classes=7).eval()
    torch.save(tv.state_dict(), tmp_path / "places.pth")  # the user's file: a bare state dict
    trained = build_model("resnet18", num_outputs=3, input_size=64)
    (tmp_path / "object").mkdir()
    save_checkpoint(tmp_path / "object/model.pt", trained)
    write_spec(tmp_path / "object/model.json", "resnet18", 3, input_size=64)
    local = {
        "places": {"weights": str(tmp_path / "places.pth"), "model": "alexnet",
                   "num_outputs": 7, "kwargs": {"input_size": 64},
                   "rename": {"classifier.6.": "head."}},
    }  # fmt: skip
    models = {"object": "object", "scene": "places"}
    paths = [tmp_path / "object/model.pt", tmp_path / "places.pth"]
    teachers = load_teachers(models, paths, local)
    assert not teachers["scene"].training and not teachers["object"].training
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(teachers["scene"](x), tv(x))  # the user's weights, exactly
        torch.testing.assert_close(teachers["object"](x), trained.eval()(x))
    local["places"]["rename"] = {}
    with pytest.raises(CheckpointMismatchError, match=r"places.pth.*classifier.6.weight"):
        load_teachers(models, paths, local)
    with pytest.raises(ValueError, match="2 teachers"):
        load_teachers(models, paths[:1], local)
