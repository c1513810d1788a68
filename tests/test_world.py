"""Tests of the embedded world (AmbientWorld): registries, videos, ground truth, VOC, SUN."""

from __future__ import annotations

import csv
import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from soundsight.world import (
    CATEGORIES,
    CATEGORY_NAMES,
    LABEL_VOCAB,
    SCENE_NAMES,
    WorldConfig,
    generate_videos,
    generate_world,
    get_category,
    render_video,
    sample_video_spec,
)
from soundsight.world.compose import render_audio, render_frames, sample_look
from soundsight.world.videos import scene_probabilities

TINY = WorldConfig(
    seed=0,
    n_videos=4,
    duration_s=4.0,
    fps=10,
    width=64,
    height=64,
    n_bad_videos=4,
    voc_n_train=16,
    voc_n_val=16,
    voc_n_test=16,
    voc_image_size=64,
    sun_per_class_train=2,
    sun_per_class_test=1,
    sun_per_class_extra=1,
    sun_n_partitions=2,
    sun_image_size=64,
    n_workers=1,
)
SOUND_MAKERS = ["person", "baby", "crowd", "dog", "car", "waterfall", "bird", "guitar", "piano",
                "drum", "train"]  # fmt: skip
SILENT = ["tree", "lamp", "window", "table", "mountain"]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, dict]:
    """A tiny world generated once for the module."""
    out = tmp_path_factory.mktemp("world")
    return out, generate_world(TINY, out)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _decode_audio(path: Path) -> np.ndarray:
    """Decoded mono audio (n,) float32."""
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    return np.concatenate(chunks).astype(np.float32)


def _band_energy(x: np.ndarray, rate: int, lo: float, hi: float) -> float:
    """Mean power per sample of x within [lo, hi) Hz."""
    power = np.abs(np.fft.rfft(x)) ** 2 / len(x) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    return float(power[(freqs >= lo) & (freqs < hi)].sum())


def _single_source_spec(category: str, audible: bool):
    """A tiny video spec with exactly one visible object of ``category`` and no other sound."""
    spec = sample_video_spec(TINY, 0)
    base = spec.visual.objects[0]
    obj = dataclasses.replace(
        base, category=category, audible=audible, aspect=get_category(category).aspect[0]
    )
    visual = dataclasses.replace(spec.visual, objects=(obj,))
    audio = dataclasses.replace(spec.audio, offscreen=(), music=False, silent_interval=None)
    return dataclasses.replace(spec, visual=visual, audio=audio)


# ---------------------------------------------------------------------------- registries
def test_registries_have_required_categories_and_scenes():
    assert len(CATEGORIES) >= 12 and len(SCENE_NAMES) >= 8
    for name in SOUND_MAKERS:
        assert get_category(name).makes_sound, name
    for name in SILENT:
        assert not get_category(name).makes_sound, name
    assert "music" in LABEL_VOCAB and set(SOUND_MAKERS) <= set(LABEL_VOCAB)
    with pytest.raises(KeyError, match="unknown world category"):
        get_category("unicorn")


@pytest.mark.parametrize("category", CATEGORY_NAMES)
def test_every_category_renders_and_sounds(category):
    cat = get_category(category)
    rng = np.random.default_rng(0)
    rgb, mask = cat.render(rng, 40, int(40 * cat.aspect[0]))
    assert rgb.shape[:2] == mask.shape and rgb.shape[2] == 3
    assert 0.05 < mask.mean() < 0.98  # a real shape, not empty or a full box
    assert np.all((rgb >= 0) & (rgb <= 1))
    if cat.makes_sound:
        x = cat.sound(rng, 22050 * 2, 22050)
        assert x.shape == (44100,) and np.isfinite(x).all() and np.abs(x).max() > 0


def test_config_validation_names_the_field():
    with pytest.raises(ValueError, match="width"):
        WorldConfig(width=63)
    with pytest.raises(ValueError, match="p_music"):
        WorldConfig(p_music=1.5)
    with pytest.raises(ValueError, match="unknown world config keys"):
        WorldConfig.from_dict({"n_videoz": 3})
    assert WorldConfig.from_dict({"n_videos": 3, "scenes": ["beach"]}).scenes == ("beach",)


def test_scene_weights_shift_scenes_and_default_is_unchanged():
    uniform = WorldConfig(seed=3)
    assert uniform.scene_weights == {} and scene_probabilities(uniform) is None
    weighted = WorldConfig(seed=3, scene_weights={"concert_hall": 50.0})
    scenes = [sample_video_spec(weighted, i).visual.scene for i in range(40)]
    assert scenes.count("concert_hall") > 30  # p = 50 / 57
    base = [sample_video_spec(uniform, i).visual.scene for i in range(40)]
    assert base.count("concert_hall") < 15
    with pytest.raises(ValueError, match="scene_weights"):
        WorldConfig(scene_weights={"beach": -1.0})
    with pytest.raises(ValueError, match="not in use"):
        scene_probabilities(WorldConfig(scenes=("beach",), scene_weights={"room": 2.0}))
    cfg = WorldConfig.from_dict({"scene_weights": {"room": 2}})
    assert cfg.to_dict()["scene_weights"] == {"room": 2.0}


# ---------------------------------------------------------------------------- videos
def test_manifest_and_bad_videos(world):
    out, summary = world
    rows = _read_csv(out / "videos.csv")
    assert list(rows[0].keys()) == ["path", "start", "end", "labels", "video_id", "scene"]
    assert len(rows) == TINY.n_videos + TINY.n_bad_videos
    assert all((out / r["path"]).exists() for r in rows)
    good = [r for r in rows if r["scene"]]
    assert len(good) == TINY.n_videos
    for r in good:
        assert float(r["end"]) == pytest.approx(TINY.duration_s)
        assert set(filter(None, r["labels"].split(";"))) <= set(LABEL_VOCAB)
        gt = json.loads((out / "groundtruth" / f"{r['video_id']}.json").read_text())
        assert r["labels"] == ";".join(gt["labels"]) and r["scene"] == gt["scene"]
    bad = _read_csv(out / "bad_videos.csv")
    assert sorted(b["kind"] for b in bad) == ["no_audio", "too_short", "truncated", "zero_size"]
    kinds = {b["kind"]: out / b["path"] for b in bad}
    assert kinds["zero_size"].stat().st_size == 0
    assert 0 < kinds["truncated"].stat().st_size < (out / good[0]["path"]).stat().st_size * 2
    with pytest.raises(av.error.FFmpegError), av.open(str(kinds["truncated"])) as c:
        for _ in c.decode(video=0):  # a truncated mp4 does not open or decode fully
            pass
    with av.open(str(kinds["no_audio"])) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 0
    with av.open(str(kinds["too_short"])) as c:
        assert float(c.duration / av.time_base) < 1.5
    assert summary["counts"]["videos"]["n_bad_videos"] == 4
    assert (out / "world.json").exists()


def test_videos_decode_with_h264_and_aac(world):
    out, _ = world
    for r in [r for r in _read_csv(out / "videos.csv") if r["scene"]]:
        with av.open(str(out / r["path"])) as c:
            v, a = c.streams.video[0], c.streams.audio[0]
            assert v.codec_context.name == "h264" and a.codec_context.name == "aac"
            assert a.rate == 22050 and a.channels == 1
            assert (v.width, v.height) == (TINY.width, TINY.height)
            frames = sum(1 for _ in c.decode(video=0))
        assert frames == TINY.n_frames
        audio = _decode_audio(out / r["path"])
        assert abs(len(audio) / 22050 - TINY.duration_s) < 0.15
        assert np.abs(audio).max() <= 1.0


def test_ground_truth_arrays_are_consistent(world):
    out, _ = world
    for path in sorted((out / "groundtruth").glob("*.npz")):
        gt = np.load(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        inst, boxes = gt["instance_map"], gt["boxes"]
        T, N = TINY.n_frames, len(meta["objects"])
        assert inst.shape == (T, TINY.height, TINY.width) and inst.dtype == np.uint8
        assert boxes.shape == (T, N, 4) and inst.max() <= N
        assert gt["source_active"].shape[0] == T
        for t in (0, T - 1):
            for k in range(N):
                ys, xs = np.nonzero(inst[t] == k + 1)
                if len(ys):
                    assert tuple(boxes[t, k]) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
                else:
                    assert tuple(boxes[t, k]) == (-1, -1, -1, -1)
        cats = [str(c) for c in gt["categories"]]
        assert [cats[i] for i in gt["instance_category"]] == [
            o["category"] for o in meta["objects"]
        ]
        heard = {o["category"] for o in meta["objects"] if o["audible"]}
        heard |= {s["category"] for s in meta["offscreen_sources"] if s["frames_audible"]}
        assert heard == set(meta["labels"]) - {"music"}
        assert all(o["makes_sound"] or not o["audible"] for o in meta["objects"])
        assert meta["ambience_only"] == (not meta["labels"])


def test_audio_level_follows_silence_flags(world):
    out, _ = world
    for path in sorted((out / "groundtruth").glob("*.json")):
        meta = json.loads(path.read_text())
        audio = _decode_audio(out / "videos" / f"{meta['video_id']}.mp4")
        rms = float(np.sqrt(np.mean(audio**2)))
        if meta["silent"]:
            assert rms < 0.01 and meta["ambience_only"]
        elif meta["ambience_only"]:
            assert 0.01 < rms < 0.04
        else:
            assert 0.03 < rms < 0.12


def test_silent_video_is_quiet():
    spec = sample_video_spec(TINY, 0)
    loud = render_audio(
        spec.visual, dataclasses.replace(spec.audio, music=True, silent_interval=None)
    )
    objects = tuple(dataclasses.replace(o, audible=False) for o in spec.visual.objects)
    silent_audio = dataclasses.replace(spec.audio, offscreen=(), music=False, silent=True)
    quiet = render_audio(dataclasses.replace(spec.visual, objects=objects), silent_audio)
    assert quiet.rms < 0.01 < 0.04 < loud.rms
    assert not quiet.source_active.any() and not quiet.music_active.any()


# ---------------------------------------------------------------------------- causality
@pytest.mark.parametrize(("category", "band"), [("bird", (2000.0, 6000.0)), ("car", (20.0, 200.0))])
def test_audio_is_caused_by_objects(category, band):
    with_src = _single_source_spec(category, audible=True)
    without = _single_source_spec(category, audible=False)
    loud = render_audio(with_src.visual, with_src.audio)
    quiet = render_audio(without.visual, without.audio)
    rate = TINY.audio_rate
    assert _band_energy(loud.audio, rate, *band) > 4 * _band_energy(quiet.audio, rate, *band)
    assert loud.rms > 0.04 and loud.rms > 1.5 * quiet.rms  # without its source: ambience only
    assert loud.source_active.any() and not quiet.source_active.any()


def test_visual_nuisances_do_not_change_sound_or_masks():
    spec = sample_video_spec(TINY, 1)
    other_look = sample_look(np.random.default_rng(123))
    changed = dataclasses.replace(spec, visual=dataclasses.replace(spec.visual, look=other_look))
    frames_a, truth_a = render_frames(spec.visual)
    frames_b, truth_b = render_frames(changed.visual)
    assert not np.array_equal(frames_a, frames_b)
    np.testing.assert_array_equal(truth_a.instance_map, truth_b.instance_map)
    audio_a = render_audio(spec.visual, spec.audio).audio
    np.testing.assert_array_equal(audio_a, render_audio(changed.visual, changed.audio).audio)


def test_render_video_is_deterministic_and_seed_dependent():
    a, b = render_video(sample_video_spec(TINY, 2)), render_video(sample_video_spec(TINY, 2))
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.audio_truth.audio, b.audio_truth.audio)
    other = render_video(sample_video_spec(dataclasses.replace(TINY, seed=1), 2))
    assert not np.array_equal(a.audio_truth.audio, other.audio_truth.audio)


# ---------------------------------------------------------------------------- determinism
def _video_outputs(out: Path) -> dict[str, tuple[bytes, np.ndarray]]:
    rows = [r for r in _read_csv(out / "videos.csv") if r["scene"]]
    return {
        r["video_id"]: (
            (out / "groundtruth" / f"{r['video_id']}.json").read_bytes(),
            _decode_audio(out / r["path"]),
        )
        for r in rows
    }


def test_same_seed_same_outputs_different_seed_differs(world, tmp_path):
    out, _ = world
    reference = _video_outputs(out)
    cfg = dataclasses.replace(TINY, n_bad_videos=0)
    generate_videos(cfg, tmp_path / "same")
    again = _video_outputs(tmp_path / "same")
    assert reference.keys() == again.keys()
    for vid, (gt, audio) in reference.items():
        assert again[vid][0] == gt
        np.testing.assert_array_equal(again[vid][1], audio)
    generate_videos(dataclasses.replace(cfg, seed=7), tmp_path / "other")
    other = _video_outputs(tmp_path / "other")
    assert any(other[v][0] != reference[v][0] for v in reference)


def test_results_do_not_depend_on_n_workers(world, tmp_path):
    out, _ = world
    generate_videos(dataclasses.replace(TINY, n_bad_videos=0, n_workers=2), tmp_path)
    parallel = _video_outputs(tmp_path)
    for vid, (gt, audio) in _video_outputs(out).items():
        assert parallel[vid][0] == gt
        np.testing.assert_array_equal(parallel[vid][1], audio)
        a, b = (
            np.load(out / "groundtruth" / f"{vid}.npz"),
            np.load(tmp_path / "groundtruth" / f"{vid}.npz"),
        )
        np.testing.assert_array_equal(a["instance_map"], b["instance_map"])


# ---------------------------------------------------------------------------- VOC
def _ids(path: Path) -> list[str]:
    return path.read_text().split()


def test_voc_layout(world):
    out, _ = world
    root = out / "VOC2007"
    main = root / "ImageSets" / "Main"
    splits = {s: _ids(main / f"{s}.txt") for s in ("train", "val", "trainval", "test")}
    assert len(splits["train"]) == TINY.voc_n_train and len(splits["test"]) == TINY.voc_n_test
    assert splits["trainval"] == sorted(splits["train"] + splits["val"])
    assert not set(splits["trainval"]) & set(splits["test"])
    objects: dict[str, list[tuple[str, int]]] = {}
    for image_id in splits["trainval"] + splits["test"]:
        assert (root / "JPEGImages" / f"{image_id}.jpg").exists()
        ann = ET.parse(root / "Annotations" / f"{image_id}.xml").getroot()
        assert ann.findtext("filename") == f"{image_id}.jpg"
        width, height = int(ann.findtext("size/width")), int(ann.findtext("size/height"))
        assert (width, height) == (TINY.voc_image_size, TINY.voc_image_size)
        objects[image_id] = []
        for obj in ann.findall("object"):
            name = obj.findtext("name")
            assert name in CATEGORY_NAMES
            assert obj.findtext("pose") in {"Left", "Right", "Unspecified"}
            assert obj.findtext("truncated") in {"0", "1"}
            x0, y0, x1, y1 = (
                int(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")
            )
            assert 1 <= x0 <= x1 <= width and 1 <= y0 <= y1 <= height
            objects[image_id].append((name, int(obj.findtext("difficult"))))
        seg = Image.open(root / "SegmentationClass" / f"{image_id}.png")
        assert seg.mode == "P" and seg.size == (width, height)
        seg_classes = {CATEGORY_NAMES[i - 1] for i in np.unique(np.array(seg)) if i > 0}
        assert {n for n, _ in objects[image_id]} <= seg_classes
    for split in ("train", "val", "test", "trainval"):
        for cls in CATEGORY_NAMES:
            lines = (main / f"{cls}_{split}.txt").read_text().splitlines()
            assert [ln.split()[0] for ln in lines] == splits[split]
            labels = [int(ln.split()[1]) for ln in lines]
            for image_id, label in zip(splits[split], labels, strict=True):
                flags = [d for n, d in objects[image_id] if n == cls]
                assert label == (-1 if not flags else (1 if 0 in flags else 0))
            assert 1 in labels, f"class {cls} has no positive in {split}"
    assert lines[0][6:] in {"  1", " -1", "  0"}  # VOC: id, space, label right-aligned in 2


def test_voc_split_too_small_is_a_clear_error(tmp_path):
    from soundsight.world import generate_voc

    with pytest.raises(ValueError, match="voc_n_val"):
        generate_voc(dataclasses.replace(TINY, voc_n_val=3), tmp_path)


# ---------------------------------------------------------------------------- SUN
def test_sun_layout(world):
    out, summary = world
    root = out / "SUN397"
    classes = (root / "ClassName.txt").read_text().split()
    assert len(classes) >= 8 and classes == sorted(classes)
    assert all(c == f"/{c.split('/')[2][0]}/{c.split('/')[2]}" for c in classes)
    partitions = []
    for k in range(1, TINY.sun_n_partitions + 1):
        train = (root / f"Training_{k:02d}.txt").read_text().split()
        test = (root / f"Testing_{k:02d}.txt").read_text().split()
        assert not set(train) & set(test)
        for c in classes:
            assert sum(p.startswith(c + "/") for p in train) == TINY.sun_per_class_train
            assert sum(p.startswith(c + "/") for p in test) == TINY.sun_per_class_test
        for p in train + test:
            assert (root / p.lstrip("/")).exists() and Path(p).name.startswith("sun_")
        partitions.append((train, test))
    assert not (root / f"Training_{TINY.sun_n_partitions + 1:02d}.txt").exists()
    assert partitions[0] != partitions[1]
    assert summary["counts"]["sun"]["images"] == len(classes) * 4
