"""Audio-visual correspondence: the pair sampler, the pair dataset, the task, a training run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from avc_corpus import DURATION_S, FPS, write_av_corpus

from soundsight.audio.spectrogram import log_spectrogram
from soundsight.data.tracks import read_clip
from soundsight.models import build_model
from soundsight.models.spec import load_trained
from soundsight.train import get_task
from soundsight.train.correspondence import correspondence_sets
from soundsight.train.loop import TrainConfig
from soundsight.train.pairs import PairConfig, PairSampler, frame_times
from soundsight.train.run import run_pretext

# --- the pair sampler (tables only) -----------------------------------------------------------


def _tables(n_videos: int = 5, per_video: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames at frame-aligned times spread over 10 s tracks, some near the edges."""
    rng = np.random.default_rng(3)
    frames = pd.DataFrame(
        {
            "video_id": np.repeat([f"v{v}" for v in range(n_videos)], per_video),
            "frame_time_s": rng.integers(0, 10 * FPS, n_videos * per_video) / FPS,
        }
    )
    tracks = pd.DataFrame(
        {"video_id": [f"v{v}" for v in range(n_videos)], "t0_s": 0.0, "duration_s": 10.0}
    )
    return frames, tracks


def _on_grid(t: pd.Series) -> np.ndarray:
    k = t.to_numpy() * FPS
    return np.abs(k - np.round(k)) < 1e-6


@pytest.mark.parametrize("prevention", [True, False])
def test_pairs_are_balanced_positives_overlap_negatives_come_from_other_videos(prevention):
    frames, tracks = _tables()
    table = PairSampler(frames, tracks, PairConfig(shortcut_prevention=prevention)).table(1, 7)
    assert len(table) == 2 * len(frames)
    assert table["label"].tolist() == [1, 0] * len(frames)  # exactly balanced, per frame
    pos, neg = table[table["label"] == 1], table[table["label"] == 0]
    assert (pos["audio_video"] == pos["video_id"]).all()
    assert (neg["audio_video"] != neg["video_id"]).all()
    # a positive's 1 s window contains its frame; every window lies inside its track
    assert (pos["start_s"] <= pos["frame_time_s"] + 1e-9).all()
    assert (pos["start_s"] + 1.0 >= pos["frame_time_s"] - 1e-9).all()
    assert (table["start_s"] >= -1e-9).all() and (table["start_s"] <= 9.0 + 1e-9).all()
    # negatives draw every other video, by chance alone
    assert neg["audio_video"].nunique() == 5


def test_shortcut_prevention_puts_every_start_on_the_frame_grid_and_misaligns_positives():
    frames, tracks = _tables(per_video=20)
    table = PairSampler(frames, tracks, PairConfig(shortcut_prevention=True)).table()
    assert _on_grid(table["start_s"]).all()  # positives and negatives alike
    pos = table[table["label"] == 1]
    offset = pos["start_s"] + 0.5 - pos["frame_time_s"]  # mid-point misalignment
    inside = (pos["frame_time_s"] > 0.5) & (pos["frame_time_s"] < 8.5)  # not clamped at edges
    assert offset[inside].abs().max() <= 0.5 + 1e-9
    assert offset[inside].std() > 0.2 and offset[inside].nunique() > 10  # random, both ways
    assert (offset[inside] < 0).any() and (offset[inside] > 0).any()


def test_the_naive_sampler_keeps_the_shortcut():
    frames, tracks = _tables(per_video=20)
    table = PairSampler(frames, tracks, PairConfig(shortcut_prevention=False)).table()
    pos, neg = table[table["label"] == 1], table[table["label"] == 0]
    inside = (pos["frame_time_s"] >= 0.5) & (pos["frame_time_s"] <= 9.5)
    mid = pos["start_s"] + 0.5
    np.testing.assert_allclose(mid[inside], pos["frame_time_s"][inside])  # frame at mid-point
    assert _on_grid(mid[inside]).all()  # positives: a fixed phase on the frame grid
    assert not _on_grid(neg["start_s"]).any()  # negatives: uniform, off the grid


def test_pairs_are_a_function_of_their_key_and_gain_is_within_ten_percent():
    frames, tracks = _tables()
    sampler = PairSampler(frames, tracks, PairConfig())
    a = sampler.table(epoch=2, seed=5, augment=True)
    pd.testing.assert_frame_equal(a, PairSampler(frames, tracks, PairConfig()).table(2, 5, True))
    b = sampler.table(epoch=3, seed=5, augment=True)
    assert not a["start_s"].equals(b["start_s"])  # a new epoch draws new audio
    assert a["gain"].between(0.9, 1.1).all() and a["gain"].std() > 0.03
    assert (sampler.table()["gain"] == 1.0).all()  # no augmentation: held-out pairs
    assert sampler.pair(3) == sampler.pair((3, 0, 0))
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    np.random.seed(0)
    sampler.table(epoch=4)
    assert torch.equal(torch.rand(1), before)  # the global RNGs are not used


def test_frame_times_fall_back_to_the_sampled_time():
    frames = pd.DataFrame({"time_s": [1.0, 2.0, 3.0], "frame_time_s": ["0.96", "", "3.04"]})
    np.testing.assert_allclose(frame_times(frames), [0.96, 2.0, 3.04])
    with pytest.raises(ValueError, match="no time"):
        frame_times(pd.DataFrame({"frame_time_s": [1.0, np.nan]}))


def test_sampler_errors_name_the_problem():
    frames, tracks = _tables()
    with pytest.raises(ValueError, match="no track"):
        PairSampler(frames, tracks.iloc[1:], PairConfig())
    with pytest.raises(ValueError, match="two videos"):
        PairSampler(frames[frames["video_id"] == "v0"], tracks, PairConfig())
    with pytest.raises(ValueError, match="max_misalign_s"):
        PairConfig(max_misalign_s=1.0)
    with pytest.raises(ValueError, match="shorter than"):
        PairSampler(frames, tracks.assign(duration_s=0.5), PairConfig())


# --- the task -----------------------------------------------------------------------------------


def test_correspondence_task_losses_follow_the_output_and_items_are_per_pair():
    task = get_task("correspondence")
    y = torch.tensor([1, 0, 1, 0])
    two = torch.tensor(
        [[0.0, 2.0], [1.0, -1.0], [3.0, 0.0], [0.0, 0.5]]
    )  # right, right, wrong, wrong
    ce = torch.nn.functional.cross_entropy(two, y)
    assert task.loss(two, y).item() == pytest.approx(ce.item())
    one = torch.tensor([[2.0], [-1.0], [-3.0], [0.5]])
    bce = torch.nn.functional.binary_cross_entropy_with_logits(one[:, 0], y.float())
    assert task.loss(one.bfloat16(), y).dtype == torch.float32
    assert task.loss(one, y).item() == pytest.approx(bce.item())
    train_targets = np.array([1, 0, 1, 0, 1])  # majority: 1
    for out in (two, one):
        items = task.items(out, y, train_targets)
        assert items["score"].tolist() == [1, 1, 0, 0]
        assert items["baseline"].tolist() == [1, 0, 1, 0]
        m = task.metrics(out, y, train_targets)
        assert m["accuracy"] == 0.5 and m["chance"] == 0.5 and m["majority_accuracy"] == 0.5
        assert m["accuracy_positives"] == 0.5 and m["n_outputs"] == out.shape[1]
        assert m["loss"] == pytest.approx(float(items["loss"].mean()))
    task.check_targets(np.array([0, 1, 1]), "train_set")
    with pytest.raises(ValueError, match="outside"):
        task.check_targets(np.array([0, 2]), "train_set")
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        task.loss(torch.zeros(2, 3), torch.tensor([0, 1]))


# --- the dataset and a training run ------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_av_corpus(tmp_path_factory.mktemp("avc"))


def test_pair_batches_are_frames_and_spectrograms_of_their_clips(corpus):
    ingest, split_csv = corpus
    model = build_model("l3_net", width=0.0625, input_size=32, seed=0)
    train_set, val_set = correspondence_sets(
        split_csv, ingest / "index.csv", ingest, model, PairConfig()
    )
    assert len(train_set) == 2 * 8 and len(val_set) == 2 * 4  # 4 / 2 videos, 2 frames each
    assert train_set.targets.tolist() == [1, 0] * 8
    keys = [(i, 1, 0) for i in range(6)]
    x, y = train_set.batch(keys)
    assert x["image"].shape == (6, 3, 32, 32) and x["audio"].shape == (6, 1, 257, 199)
    assert y.tolist() == [1, 0, 1, 0, 1, 0]
    p = train_set.sampler.pair(keys[1], augment=True)
    clip = read_clip(ingest / "shards/00000", p.audio_video, p.start_s, 1.0, 48_000) * p.gain
    expected = log_spectrogram(torch.from_numpy(clip)[None], model.front_end)[0]
    torch.testing.assert_close(x["audio"][1], expected, atol=1e-3, rtol=1e-4)
    assert p.start_s + 1.0 <= DURATION_S
    assert not torch.equal(x["image"][0], x["image"][1])  # positive and negative crops differ
    item_x, item_y = train_set[keys[2]]
    torch.testing.assert_close(item_x["audio"], x["audio"][2])
    assert item_y == 1
    assert set(val_set.sampler.videos) == {"v004", "v005"}  # held-out negatives stay held out


@pytest.mark.parametrize(
    ("name", "optimizer", "schedule"),
    [
        ("l3_net", "adamw", "step"),
        ("avol_net", "sgd", "onecycle"),
        ("ave_net", "adamw", "onecycle"),
    ],
)
def test_a_correspondence_model_trains_through_the_pretext_entry(
    corpus, tmp_path, name, optimizer, schedule
):
    ingest, split_csv = corpus
    cfg = TrainConfig(
        iterations=2, batch_size=4, lr=1e-4, weight_decay=1e-5, optimizer=optimizer,
        schedule=schedule,
        checkpoint_every=0, log_every=1, input_size=32, device="cpu", num_threads=1,
        model=name, model_kwargs={"width": 0.0625},
    )  # fmt: skip
    pairs = PairConfig(shortcut_prevention=True, fps=FPS)
    metrics = run_pretext(split_csv, ingest / "index.csv", ingest, "correspondence", cfg, tmp_path,
                          pairs=pairs)  # fmt: skip
    assert metrics["task"] == "correspondence" and metrics["iterations"] == 2
    assert metrics["config"]["optimizer"] == optimizer and metrics["config"]["schedule"] == schedule
    assert metrics["n_train"] == 16 and metrics["val"]["n"] == 8
    assert metrics["pairs"]["shortcut_prevention"] is True
    assert np.isfinite(metrics["final_train_loss"])
    on_disk = json.loads((tmp_path / "metrics.json").read_text())
    assert on_disk["val"]["positive_fraction"] == 0.5
    held = np.load(tmp_path / "heldout.npz")
    assert set(held.files) == {"loss", "score", "baseline"} and len(held["score"]) == 8
    assert held["baseline"].mean() == 0.5  # balanced pairs: the majority answer is chance
    model = load_trained(tmp_path / "model.pt")
    assert model.num_outputs == (1 if name == "avol_net" else 2)
    (work,) = tmp_path.glob("work-*")
    other = run_pretext(
        split_csv, ingest / "index.csv", ingest, "correspondence", cfg, tmp_path / "naive",
        pairs=PairConfig(shortcut_prevention=False, fps=FPS),
    ) if name == "l3_net" else None  # fmt: skip
    if other is not None:  # another sampler is another run, never a resume of this one
        (naive_work,) = (tmp_path / "naive").glob("work-*")
        assert naive_work.name != work.name
