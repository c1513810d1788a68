"""SoundNet-8 / SoundNet-5: the paper's layer tables, width scaling, circular tiling of short
clips, determinism; the distillation loss worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from soundsight.models.input_spec import WaveformSpec
from soundsight.models.soundnet import PAPER_DIMS, SoundNet5, SoundNet8, tile_to_length
from soundsight.train.tasks import DistillationTask, align_steps, get_task

TWENTY_S = 20 * 22_050
TINY = {"num_outputs": 3, "num_scene_outputs": 2, "width": 0.0625}
# The two typos of Table 1's Dim. row (Table 2 repeats the row): (printed, true)
TYPOS = {"conv1": (220_050, 220_501), "pool1": (27_506, 27_562)}


def test_soundnet8_lengths_for_20_s_match_the_paper_but_its_two_typos():
    lengths = SoundNet8.lengths(TWENTY_S)
    assert list(lengths) == list(PAPER_DIMS["soundnet8"])
    for layer, printed in PAPER_DIMS["soundnet8"].items():
        expected = TYPOS[layer][1] if layer in TYPOS else printed
        assert TYPOS.get(layer, (printed,))[0] == printed
        assert lengths[layer] == expected, layer
    assert lengths["conv8"] == 4  # the teachers' 4 steps, 5 s apart


def test_soundnet5_lengths_for_20_s():
    lengths = SoundNet5.lengths(TWENTY_S)
    assert lengths == {
        "conv1": 220_501, "pool1": 27_562, "conv2": 13_782, "pool2": 1_722, "conv3": 862,
        "pool3": 107, "conv4": 54, "conv5": 4,
    }  # fmt: skip
    # Table 2 prints Table 1's row: right only up to conv3
    paper = PAPER_DIMS["soundnet5"]
    assert [lengths[k] == paper[k] for k in ("conv2", "pool2", "conv3", "pool3")] == [
        True, True, True, False,
    ]  # fmt: skip


def test_paper_channels_and_geometry_only_shapes():
    model = SoundNet8(width=1.0, num_samples=TWENTY_S)  # 1000 objects + 401 scenes = 1401
    shapes = model.feature_shapes()
    assert [shapes[f"conv{i}"][0] for i in range(1, 8)] == [16, 32, 64, 128, 256, 512, 1024]
    assert shapes["conv8.object"] == (1000, 4) and shapes["conv8.scene"] == (401, 4)
    assert shapes["pool5"] == (256, 54)
    five = SoundNet5(width=1.0).feature_shapes(TWENTY_S)
    assert [five[f"conv{i}"][0] for i in range(1, 5)] == [32, 64, 128, 256]
    assert model.input_spec == WaveformSpec(22_050, TWENTY_S, scale=256.0)


def test_min_samples_is_the_shortest_input_with_non_empty_outputs():
    for net in (SoundNet8, SoundNet5):
        n = net.min_samples()
        assert min(net.lengths(n).values()) == 1 and min(net.lengths(n - 1).values()) == 0
    assert SoundNet8.min_samples() == 209_374  # 9.5 s: the original's ~9.5 s minimum


def test_width_scales_channels():
    half = SoundNet8(width=0.5).channels
    tiny = SoundNet8(**TINY).channels
    assert (half["conv1"], half["conv7"]) == (8, 512)
    assert (tiny["conv1"], tiny["conv7"]) == (4, 64)  # at least 4 channels
    with pytest.raises(ValueError, match="width"):
        SoundNet8(width=0.0)


@pytest.mark.parametrize("net", [SoundNet8, SoundNet5])
def test_short_clip_is_tiled_circularly_not_a_crash(net):
    model = net(**TINY).eval()
    clip = torch.randn(1, 1, 1000, generator=torch.Generator().manual_seed(0))
    tiled = tile_to_length(clip, model.min_samples())
    assert tiled.shape == (1, 1, model.min_samples())
    torch.testing.assert_close(tiled[..., 1000:2000], clip)  # a circular repeat
    with torch.no_grad():
        out = model(clip)
        same = model(tiled)
    assert out["object"].shape == (1, 3, 1) and out["scene"].shape == (1, 2, 1)
    for h in ("object", "scene"):
        torch.testing.assert_close(out[h], same[h])
    assert tile_to_length(tiled, 10) is tiled  # long enough: untouched


def test_intermediates_heads_and_parameter_split():
    model = SoundNet8(**TINY).eval()
    x = torch.randn(1, 1, model.min_samples(), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        inter = model.forward_intermediates(x, model.layer_names)
        out = model(x)
    shapes = model.feature_shapes(x.shape[-1])
    assert list(inter) == list(model.layer_names)
    for name, t in inter.items():
        assert tuple(t.shape[1:]) == shapes[name], name
    torch.testing.assert_close(inter["conv8.object"], out["object"])
    assert set(model.default_layers) >= {"conv4", "conv5", "pool5", "conv6", "conv7"}
    with pytest.raises(ValueError, match="conv1"):
        model.forward_intermediates(x, ["fc9"])
    n_head = sum(p.numel() for p in model.head.parameters())
    n_trunk = sum(p.numel() for p in model.trunk_parameters())
    assert n_trunk + n_head == sum(p.numel() for p in model.parameters())
    model.reset_head(7, seed=0)
    assert model.feature_shapes()["conv8.object"][0] == 7 and model.num_scene_outputs == 2


def test_seeded_build_is_deterministic():
    def build(seed: int) -> dict[str, torch.Tensor]:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return SoundNet5(**TINY).state_dict()

    a, b, c = build(1), build(1), build(2)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if a[k].is_floating_point())


# --- the distillation task ------------------------------------------------------------------


def _two_class(p: float = 0.75) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Student logits (0, 0) (posterior 1/2, 1/2) against a teacher posterior (p, 1 - p),
    one example, one step, per head."""
    logits = torch.zeros(1, 2, 1)
    teacher = torch.tensor([[[p], [1 - p]]])
    return {"object": logits, "scene": logits.clone()}, {"object": teacher, "scene": teacher}


def test_kl_loss_by_hand():
    outputs, targets = _two_class()
    kl = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)  # 0.130812
    assert abs(kl - 0.130812) < 1e-6
    both = DistillationTask().loss(outputs, targets)
    assert abs(float(both) - 2 * kl) < 1e-6  # summed over the two heads
    obj = DistillationTask(heads=("object",)).loss(outputs, targets)
    assert abs(float(obj) - kl) < 1e-6
    uniform = torch.tensor([[[0.5], [0.5]]])
    same = DistillationTask().loss(outputs, {"object": uniform, "scene": uniform})
    assert float(same) == pytest.approx(0.0, abs=1e-7)  # the teacher's own posterior


def test_l2_loss_by_hand_and_zero_teacher_entries():
    outputs, targets = _two_class()
    l2 = DistillationTask(divergence="l2", heads=("scene",)).loss(outputs, targets)
    assert float(l2) == pytest.approx(0.25**2 + 0.25**2)  # |(0.75, 0.25) - (0.5, 0.5)|^2
    outputs, targets = _two_class(p=1.0)  # 0 log 0 = 0
    kl = DistillationTask(heads=("object",)).loss(outputs, targets)
    assert float(kl) == pytest.approx(math.log(2.0))


def test_alignment_picks_the_student_step_nearest_each_teacher_step():
    assert align_steps(4, 4).tolist() == [0, 1, 2, 3]
    assert align_steps(2, 4).tolist() == [1, 3]  # centres 0.25, 0.75 of 4 steps
    assert align_steps(4, 2).tolist() == [0, 0, 1, 1]
    logits = torch.tensor([[[0.0, 10.0, 0.0, 10.0], [0.0, 0.0, 0.0, 0.0]]])  # (1, 2, 4)
    teacher = torch.tensor([[[1.0, 1.0], [0.0, 0.0]]])  # 2 teacher steps, class 0 sure
    task = DistillationTask(heads=("object",))
    loss = task.loss({"object": logits}, {"object": teacher})
    expected = -torch.log_softmax(torch.tensor([10.0, 0.0]), 0)[0]  # student steps 1 and 3
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)


def test_metrics_mean_kl_and_agreement_per_head():
    outputs = {"object": torch.tensor([[[2.0], [0.0]], [[0.0], [2.0]]])}  # (2, 2, 1)
    targets = {"object": torch.tensor([[[0.9], [0.1]], [[0.9], [0.1]]])}
    task = get_task("distillation")
    task.heads = ("object",)
    m = task.metrics(outputs, targets, {"object": targets["object"].numpy()})
    assert m["n"] == 2 and m["agreement_object"] == 0.5 and m["agreement"] == 0.5
    assert m["kl_object"] > 0 and m["loss"] == pytest.approx(m["kl_object"])
    items = task.items(outputs, targets, {"object": targets["object"].numpy()})
    assert items["score"].tolist() == [1.0, 0.0] and items["baseline"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="distribution"):
        task.check_targets({"object": targets["object"].numpy() * 2}, "train")


# --- the teacher cache and its crops ---------------------------------------------------------


def test_teacher_cache_crops_and_training_from_a_corpus(tmp_path):
    import pandas as pd
    from teacher_corpus import RATE, STEP_S, write_teacher_corpus

    from soundsight.data.tracks import TRACKS_CSV
    from soundsight.train import TrainConfig
    from soundsight.train.distill import PosteriorCrops, read_teacher_cache, step_runs
    from soundsight.train.loop import train
    from soundsight.train.pairs import TrackClips

    ingest, path = write_teacher_corpus(tmp_path, n_videos=4, n_test=1)
    cache = read_teacher_cache(path)
    assert set(cache) == {"video_id", "time_s", "object", "scene"}
    assert len(step_runs(cache["video_id"], cache["time_s"], 2)) == 4 * 3
    clips = TrackClips(pd.read_csv(ingest / TRACKS_CSV), ingest)
    spec = SoundNet5.spec_for(num_samples=round(2 * STEP_S * RATE))
    train_set = PosteriorCrops(cache, clips, spec, 2, STEP_S, {f"v{v:03d}" for v in range(3)})
    val_set = PosteriorCrops(cache, clips, spec, 2, STEP_S, {"v003"})
    assert (len(train_set), len(val_set)) == (9, 3)
    assert train_set.targets["object"].shape == (9, 3, 2)
    wave, target = val_set[1]  # v003, steps at 1.5 and 2.5 s: the crop [1, 3) s
    raw = clips.clip("v003", 1.0, 2.0, RATE)
    torch.testing.assert_close(wave, torch.from_numpy(raw * 256.0)[None])
    assert wave.shape == (1, 2 * RATE) and wave.abs().max() > 1.0  # the [-256, 256] range
    assert target["object"][:, 0].argmax() == 3 % 3
    torch.manual_seed(0)
    cfg = TrainConfig(
        iterations=2, batch_size=4, lr=1e-3, optimizer="adamw", checkpoint_every=0,
        eval_every=0, log_every=1, device="cpu", num_threads=1, model="soundnet5",
    )  # fmt: skip
    metrics = train(SoundNet5(**TINY), train_set, val_set, "distillation", cfg, tmp_path / "m")
    val = metrics["val"]
    assert metrics["task"] == "distillation" and metrics["n_train"] == 9 and val["n"] == 3
    assert val["n_outputs"] == {"object": 3, "scene": 2}
    assert val["loss"] == pytest.approx(val["kl_object"] + val["kl_scene"], rel=1e-5)
    assert 0.0 <= val["agreement"] <= 1.0 and np.isfinite(metrics["final_train_loss"])
    assert np.load(tmp_path / "m" / "heldout.npz")["score"].shape == (3,)
