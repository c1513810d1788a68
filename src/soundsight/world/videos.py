"""World videos: sample, render, write mp4 + ground truth, manifest and deliberately bad files."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from soundsight.data.video import write_mp4
from soundsight.world.categories import CATEGORY_NAMES, SOUND_CATEGORIES, get_category
from soundsight.world.compose import (
    AudioSpec,
    AudioTruth,
    FrameTruth,
    SourceSpec,
    VideoSpec,
    make_rng,
    render_audio,
    render_frames,
    sample_visual,
    video_labels,
)
from soundsight.world.config import WorldConfig
from soundsight.world.scenes import SCENE_NAMES, get_scene

log = logging.getLogger(__name__)

STREAM_VIDEO = 1
STREAM_BAD = 2
MANIFEST_COLUMNS = ("path", "start", "end", "labels", "video_id", "scene")
BAD_KINDS = ("zero_size", "truncated", "no_audio", "too_short")


@dataclass
class RenderedVideo:
    """A rendered video with its ground truth."""

    spec: VideoSpec
    frames: np.ndarray  # (T, H, W, 3) uint8
    frame_truth: FrameTruth
    audio_truth: AudioTruth


def world_scenes(cfg: WorldConfig) -> tuple[str, ...]:
    """Scenes used by this config (all registered ones by default), validated."""
    if not cfg.scenes:
        return SCENE_NAMES
    for name in cfg.scenes:
        get_scene(name)  # raises KeyError with the known names
    return tuple(cfg.scenes)


def scene_probabilities(cfg: WorldConfig) -> np.ndarray | None:
    """Probability of each scene of ``world_scenes(cfg)``; None when uniform (no weights)."""
    if not cfg.scene_weights:
        return None
    scenes = world_scenes(cfg)
    unknown = sorted(set(cfg.scene_weights) - set(scenes))
    if unknown:
        raise ValueError(f"WorldConfig: scene_weights names scenes not in use {unknown}: {scenes}")
    weights = np.array([cfg.scene_weights.get(s, 1.0) for s in scenes], dtype=float)
    if weights.sum() <= 0:
        raise ValueError("WorldConfig: scene_weights give every scene weight 0")
    return weights / weights.sum()


def video_id(index: int) -> str:
    """Stable identifier of the index-th world video."""
    return f"vid_{index:05d}"


def sample_video_spec(
    cfg: WorldConfig, index: int, stream: int = STREAM_VIDEO, duration_s: float | None = None
) -> VideoSpec:
    """Draw every random choice of video ``index`` from (cfg.seed, stream, index)."""
    rng = make_rng(cfg.seed, stream, index)
    duration = cfg.duration_s if duration_s is None else duration_s
    # p=None keeps the uniform draw (and so every default world) byte-identical
    scene = str(rng.choice(world_scenes(cfg), p=scene_probabilities(cfg)))
    n_frames = int(round(duration * cfg.fps))
    visual = sample_visual(
        rng,
        scene,
        cfg.width,
        cfg.height,
        n_frames,
        cfg.fps,
        cfg.max_objects,
        cfg.p_onscreen_silent,
        nuisances=cfg.nuisances(),
    )
    offscreen: tuple[SourceSpec, ...] = ()
    if rng.random() < cfg.p_offscreen:
        offscreen = (_sample_offscreen(rng, scene),)
    music = bool(rng.random() < cfg.p_music)
    interval = None
    if rng.random() < cfg.p_silent_interval and duration >= 3.0:
        length = rng.uniform(1.0, min(3.0, duration / 2))
        start = rng.uniform(0.0, duration - length)
        interval = (float(start), float(start + length))
    silent = bool(rng.random() < cfg.p_silent_video)
    if silent:  # only very quiet ambience in this video
        objects = tuple(dataclasses.replace(o, audible=False) for o in visual.objects)
        visual = dataclasses.replace(visual, objects=objects)
        offscreen, music, interval = (), False, None
    audio = AudioSpec(
        n_samples=int(round(duration * cfg.audio_rate)),
        rate=cfg.audio_rate,
        offscreen=offscreen,
        music=music,
        silent_interval=interval,
        target_rms=float(rng.uniform(0.05, 0.09)),
        ambience_ratio=float(rng.uniform(0.1, 0.3)),
        music_ratio=float(rng.uniform(0.4, 0.8)),
        quiet_rms=float(rng.uniform(0.002, 0.006)),
        ambient_rms=float(rng.uniform(0.015, 0.03)),
        silent=silent,
        ambience_seed=int(rng.integers(0, 2**62)),
        music_seed=int(rng.integers(0, 2**62)),
        reverb_seed=int(rng.integers(0, 2**62)),
    )
    return VideoSpec(video_id=video_id(index), index=index, visual=visual, audio=audio)


def _sample_offscreen(rng: np.random.Generator, scene: str) -> SourceSpec:
    """An off-screen source: mostly a sound-making category likely in this scene."""
    priors = get_scene(scene).priors
    names = [c for c in SOUND_CATEGORIES if c in priors]
    if not names or rng.random() < 0.3:
        names = list(SOUND_CATEGORIES)
    weights = np.array([priors.get(c, 0.2) for c in names])
    name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    return SourceSpec(name, float(rng.uniform(-10.0, -3.0)), int(rng.integers(0, 2**62)))


def render_video(spec: VideoSpec) -> RenderedVideo:
    """Render frames, per-frame ground truth and the soundtrack of a video spec."""
    frames, frame_truth = render_frames(spec.visual)
    audio_truth = render_audio(spec.visual, spec.audio)
    return RenderedVideo(spec, frames, frame_truth, audio_truth)


# ---------------------------------------------------------------------------- ground truth
def ground_truth_json(video: RenderedVideo) -> dict[str, Any]:
    """JSON-able per-video ground truth (scene, objects, sources, music, silence)."""
    spec, ft, at = video.spec, video.frame_truth, video.audio_truth
    vis = spec.visual
    visible_frames = (ft.boxes[..., 0] >= 0).sum(axis=0)  # (N,)
    active_frames = at.source_active.sum(axis=0)  # (S,)
    by_instance = {inst: s for s, inst in enumerate(at.source_instance) if inst > 0}
    objects = []
    for k, obj in enumerate(vis.objects):
        s = by_instance.get(k + 1)
        objects.append(
            {
                "instance_id": k + 1,
                "category": obj.category,
                "makes_sound": get_category(obj.category).makes_sound,
                "audible": bool(s is not None and active_frames[s] > 0),
                "on_screen": bool(visible_frames[k] > 0),
                "frames_visible": int(visible_frames[k]),
                "frames_audible": int(active_frames[s]) if s is not None else 0,
                "facing": "left" if obj.flip else "right",
            }
        )
    offscreen = [
        {"source_id": s, "category": c, "frames_audible": int(active_frames[s])}
        for s, (c, inst) in enumerate(zip(at.source_category, at.source_instance, strict=True))
        if inst < 0
    ]
    labels = video_labels(at)
    return {
        "video_id": spec.video_id,
        "index": spec.index,
        "scene": vis.scene,
        "fps": vis.fps,
        "width": vis.width,
        "height": vis.height,
        "n_frames": vis.n_frames,
        "duration_s": round(spec.audio.n_samples / spec.audio.rate, 6),
        "audio_rate": spec.audio.rate,
        "objects": objects,
        "offscreen_sources": offscreen,
        "music": bool(at.music_active.any()),
        "silent": spec.audio.silent,
        "ambience_only": not labels,
        "silent_interval": list(spec.audio.silent_interval) if spec.audio.silent_interval else None,
        "labels": labels,
        "audio_rms": round(at.rms, 6),
    }


def ground_truth_arrays(video: RenderedVideo) -> dict[str, np.ndarray]:
    """Arrays saved in groundtruth/{video_id}.npz (see docs/world.md)."""
    ft, at, vis = video.frame_truth, video.audio_truth, video.spec.visual
    return {
        "instance_map": ft.instance_map,  # (T, H, W) uint8
        "instance_category": np.array(
            [CATEGORY_NAMES.index(o.category) for o in vis.objects], np.int16
        ),  # (N,)
        "boxes": ft.boxes,  # (T, N, 4) int16
        "visible_fraction": ft.visible_fraction,  # (T, N)
        "source_category": np.array(
            [CATEGORY_NAMES.index(c) for c in at.source_category], np.int16
        ),  # (S,)
        "source_instance": np.array(at.source_instance, np.int16),  # (S,)
        "source_active": at.source_active,  # (T, S) bool
        "music_active": at.music_active,  # (T,) bool
        "frame_times": (np.arange(vis.n_frames) / vis.fps).astype(np.float32),  # (T,)
        "categories": np.array(CATEGORY_NAMES),  # (C,) names for the indices above
        "scene": np.array(vis.scene),
    }


def dumps_json(obj: dict[str, Any]) -> str:
    """Deterministic JSON text (sorted keys, fixed indentation)."""
    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def write_video(video: RenderedVideo, out_dir: Path, crf: int = 23) -> dict[str, str]:
    """Write videos/{id}.mp4 and groundtruth/{id}.npz/.json; return the manifest row."""
    spec = video.spec
    path = out_dir / "videos" / f"{spec.video_id}.mp4"
    write_mp4(
        path, video.frames, int(spec.visual.fps), video.audio_truth.audio, spec.audio.rate, crf
    )
    gt_dir = out_dir / "groundtruth"
    np.savez_compressed(gt_dir / f"{spec.video_id}.npz", **ground_truth_arrays(video))
    gt = ground_truth_json(video)
    (gt_dir / f"{spec.video_id}.json").write_text(dumps_json(gt))
    duration = spec.audio.n_samples / spec.audio.rate
    return {
        "path": f"videos/{spec.video_id}.mp4",
        "start": "0.000",
        "end": f"{duration:.3f}",
        "labels": ";".join(gt["labels"]),
        "video_id": spec.video_id,
        "scene": spec.visual.scene,
    }


def _make_and_write(index: int, cfg: WorldConfig, out_dir: Path) -> dict[str, str]:
    """Worker: sample, render and write video ``index``."""
    video = render_video(sample_video_spec(cfg, index))
    return write_video(video, out_dir, cfg.crf)


# ---------------------------------------------------------------------------- bad videos
def write_bad_videos(cfg: WorldConfig, out_dir: Path) -> list[dict[str, str]]:
    """Write cfg.n_bad_videos broken files; return rows (path, kind, video_id)."""
    rows = []
    for j in range(cfg.n_bad_videos):
        kind = BAD_KINDS[j % len(BAD_KINDS)]
        suffix = "" if j < len(BAD_KINDS) else f"_{j // len(BAD_KINDS)}"
        vid = f"bad_{kind}{suffix}"
        path = out_dir / "videos" / f"{vid}.mp4"
        _write_bad(cfg, j, kind, path)
        rows.append({"path": f"videos/{vid}.mp4", "kind": kind, "video_id": vid})
    return rows


def _write_bad(cfg: WorldConfig, j: int, kind: str, path: Path) -> None:
    """Write one broken file of the given kind."""
    if kind == "zero_size":
        path.write_bytes(b"")
        return
    duration = 1.0 if kind == "too_short" else min(cfg.duration_s, 4.0)
    video = render_video(sample_video_spec(cfg, j, stream=STREAM_BAD, duration_s=duration))
    fps, rate = int(video.spec.visual.fps), video.spec.audio.rate
    if kind == "no_audio":
        write_mp4(path, video.frames, fps, None, rate, cfg.crf)
    elif kind == "too_short":
        write_mp4(path, video.frames, fps, video.audio_truth.audio, rate, cfg.crf)
    else:  # truncated: the first 30% of the bytes of a good file
        tmp = path.with_suffix(".tmp.mp4")
        write_mp4(tmp, video.frames, fps, video.audio_truth.audio, rate, cfg.crf)
        data = tmp.read_bytes()
        tmp.unlink()
        path.write_bytes(data[: int(0.3 * len(data))])


# ---------------------------------------------------------------------------- driver
def generate_videos(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write videos/, groundtruth/, videos.csv and bad_videos.csv under out_dir; return counts.

    Video ``i`` depends only on (cfg.seed, i), so the result does not depend on cfg.n_workers.
    """
    out = Path(out_dir)
    (out / "videos").mkdir(parents=True, exist_ok=True)
    (out / "groundtruth").mkdir(parents=True, exist_ok=True)
    work = partial(_make_and_write, cfg=cfg, out_dir=out)
    indices = range(cfg.n_videos)
    desc = "world videos"
    if cfg.n_workers > 1 and cfg.n_videos > 1:
        with ProcessPoolExecutor(max_workers=cfg.n_workers) as pool:
            rows = list(tqdm(pool.map(work, indices, chunksize=4), total=cfg.n_videos, desc=desc))
    else:
        rows = [work(i) for i in tqdm(indices, desc=desc)]
    bad = write_bad_videos(cfg, out)
    manifest_rows = rows + [
        {
            "path": b["path"],
            "start": "",
            "end": "",
            "labels": "",
            "video_id": b["video_id"],
            "scene": "",
        }
        for b in bad
    ]
    _write_csv(out / "videos.csv", MANIFEST_COLUMNS, manifest_rows)
    _write_csv(out / "bad_videos.csv", ("path", "kind", "video_id"), bad)
    label_counts = {name: 0 for name in (*SOUND_CATEGORIES, "music")}
    for row in rows:
        for label in filter(None, row["labels"].split(";")):
            label_counts[label] += 1
    log.info("wrote %d world videos and %d bad videos to %s", len(rows), len(bad), out)
    return {
        "n_videos": len(rows),
        "n_bad_videos": len(bad),
        "n_ambience_only_videos": sum(1 for r in rows if not r["labels"]),
        "label_counts": label_counts,
        "scene_counts": {s: sum(r["scene"] == s for r in rows) for s in world_scenes(cfg)},
    }


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """Write rows with a header, Unix line endings."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue())
