"""Sound-only sets of the world in their real layouts: mini-ESC-50 and mini-DCASE 2013 scenes.

Both are made from the world's own generators (``sounds.py``): ESC-50's classes are the world's
sound-making categories and scene ambiences, DCASE's classes are the world's scenes (their
ambience plus sparse events of the objects the scene's priors place there). Every clip depends
only on ``(cfg.seed, stream, class, index)``, so the sets are deterministic from the seed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.io import wavfile

from soundsight.world import sounds
from soundsight.world.categories import SOUND_CATEGORIES, get_category
from soundsight.world.compose import make_rng
from soundsight.world.config import WorldConfig
from soundsight.world.scenes import get_scene
from soundsight.world.videos import world_scenes

STREAM_ESC50 = 5
STREAM_DCASE = 6
ESC50_COLUMNS = ("filename", "fold", "target", "category", "esc10", "src_file", "take")
N_FOLDS = 5
TAKES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# ESC-10: ten of the classes (real ESC-10 also mixes animals, people, vehicles and nature)
ESC10 = ("dog", "baby", "person", "bird", "car", "train", "drum", "waterfall", "waves", "wind")
_AMBIENCE_OF_SCENE = {
    "beach": "waves",
    "street": "traffic",
    "forest": "wind",
    "room": "room",
    "concert_hall": "hall",
    "kitchen": "kitchen",
    "park": "park",
    "station": "station",
}


def esc50_classes(cfg: WorldConfig) -> tuple[str, ...]:
    """ESC-50 classes: the sound-making categories, then the ambiences of the world's scenes."""
    return (*SOUND_CATEGORIES, *(_AMBIENCE_OF_SCENE[s] for s in world_scenes(cfg)))


def _esc50_generator(name: str):
    """The (rng, n, rate) generator of an ESC-50 class (a category's sound or an ambience)."""
    if name in SOUND_CATEGORIES:
        return get_category(name).sound
    return getattr(sounds, f"ambience_{name}")


def esc50_source(cfg: WorldConfig, target: int, source: int) -> np.ndarray:
    """One source recording of class ``target`` cut into ``esc50_takes`` clips, (takes, n)."""
    name = esc50_classes(cfg)[target]
    rate, takes = cfg.esc50_rate, cfg.esc50_takes
    n = int(round(cfg.esc50_duration_s * rate))
    rng = make_rng(cfg.seed, STREAM_ESC50, target, source)
    raw = sounds.normalise_active(_esc50_generator(name)(rng, n * takes, rate), rate)
    level = float(rng.uniform(0.05, 0.15))
    x = raw * level + rng.standard_normal(n * takes) * 1e-4  # (takes * n,) with a noise floor
    return _clip(x).reshape(takes, n).astype(np.float32)


def generate_esc50(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write ``ESC-50-master/{audio,meta}`` under out_dir; return counts (also in world.json).

    Each class has ``esc50_sources_per_fold`` sources per fold; a source's takes A, B, ... are
    consecutive cuts of one recording and so share its fold, as in the real set.
    """
    base = Path(out_dir) / "ESC-50-master"
    (base / "audio").mkdir(parents=True, exist_ok=True)
    (base / "meta").mkdir(parents=True, exist_ok=True)
    classes, rows = esc50_classes(cfg), []
    for target, name in enumerate(classes):
        for source in range(N_FOLDS * cfg.esc50_sources_per_fold):
            fold = source % N_FOLDS + 1
            src_file = 100000 + 1000 * target + source
            for k, clip in enumerate(esc50_source(cfg, target, source)):
                filename = f"{fold}-{src_file}-{TAKES[k]}-{target}.wav"
                write_wav(base / "audio" / filename, clip, cfg.esc50_rate)
                rows.append((filename, fold, target, name, name in ESC10, src_file, TAKES[k]))
    _write_rows(base / "meta" / "esc50.csv", ESC50_COLUMNS, rows)
    summary = {
        "seed": cfg.seed,
        "classes": list(classes),
        "esc10": [c for c in classes if c in ESC10],
        "n_clips": len(rows),
        "rate": cfg.esc50_rate,
        "duration_s": cfg.esc50_duration_s,
    }
    (base / "world.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


# ---------------------------------------------------------------------------- DCASE 2013
DCASE_SPLITS = {"dev": "scenes_stereo", "test": "scenes_stereo_testset"}


def dcase_label(scene: str) -> str:
    """File-name label of a world scene (letters only: ``concert_hall`` -> ``concerthall``)."""
    return scene.replace("_", "")


def dcase_clip(cfg: WorldConfig, scene_index: int, split: int, number: int) -> np.ndarray:
    """One stereo scene recording, (n, 2): ambience + sparse events of the scene's sound makers.

    The two channels share the sources and differ by a short per-event inter-channel delay and
    gain (a spaced pair of microphones); the second channel's ambience is the first's, circularly
    shifted (the same spectrum, decorrelated).
    """
    scene = get_scene(world_scenes(cfg)[scene_index])
    rate = cfg.dcase_rate
    n = int(round(cfg.dcase_duration_s * rate))
    rng = make_rng(cfg.seed, STREAM_DCASE, scene_index, split, number)
    amb = sounds.normalise_active(
        scene.ambience(make_rng(int(rng.integers(0, 2**62))), n, rate), rate
    )
    shift = int(rng.integers(n // 4, 3 * n // 4 + 1))
    out = np.stack([amb, np.roll(amb, shift)])  # (2, n) same spectrum, decorrelated channels
    out *= float(rng.uniform(0.02, 0.05))
    makers = [c for c in scene.priors if get_category(c).makes_sound]
    weights = np.array([scene.priors[c] for c in makers])
    n_events = rng.poisson(cfg.dcase_events_per_min * cfg.dcase_duration_s / 60) if makers else 0
    for _ in range(n_events):
        name = makers[int(rng.choice(len(makers), p=weights / weights.sum()))]
        length = int(rate * rng.uniform(1.0, 4.0))
        event = get_category(name).sound(make_rng(int(rng.integers(0, 2**62))), length, rate)
        event = sounds.normalise_active(event, rate) * float(rng.uniform(0.02, 0.08))
        event *= np.hanning(length)  # fade in and out
        if scene.reverb_rt60 > 0:
            event = sounds.reverb(event, rng, rate, scene.reverb_rt60, 0.35)
        i0, pan = int(rng.integers(0, max(n - length, 1))), float(rng.uniform(-1, 1))
        delay = int(abs(pan) * 0.0006 * rate)  # up to 0.6 ms between the microphones
        near, far = (0, 1) if pan < 0 else (1, 0)
        sounds.add_at(out[near], i0, event * (1 + 0.3 * abs(pan)))
        sounds.add_at(out[far], i0 + delay, event * (1 - 0.3 * abs(pan)))
    return _clip(out.T).astype(np.float32)  # (n, 2)


def generate_dcase2013(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write ``scenes_stereo/`` (dev) and ``scenes_stereo_testset/`` (test) under out_dir, each
    with ``dcase_clips_per_class`` clips ``{label}{NN}.wav`` per world scene; return counts."""
    out = Path(out_dir)
    scenes, counts = world_scenes(cfg), {}
    for split, (name, folder) in enumerate(DCASE_SPLITS.items()):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for s, scene in enumerate(scenes):
            for number in range(1, cfg.dcase_clips_per_class + 1):
                clip = dcase_clip(cfg, s, split, number)
                write_wav(
                    out / folder / f"{dcase_label(scene)}{number:02d}.wav", clip, cfg.dcase_rate
                )
        counts[name] = len(scenes) * cfg.dcase_clips_per_class
    summary = {
        "seed": cfg.seed,
        "classes": [dcase_label(s) for s in scenes],
        "scenes": list(scenes),
        "counts": counts,
        "rate": cfg.dcase_rate,
        "duration_s": cfg.dcase_duration_s,
        "channels": 2,
    }
    (out / "world.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


# ---------------------------------------------------------------------------- helpers
def write_wav(path: Path, x: np.ndarray, rate: int) -> None:
    """Write (n,) mono or (n, C) float audio in [-1, 1] as 16-bit PCM WAV."""
    pcm = np.round(np.clip(x, -1.0, 1.0) * 32767).astype(np.int16)
    wavfile.write(path, rate, pcm)


def _clip(x: np.ndarray) -> np.ndarray:
    """Scale x down so its peak is at most 0.97 (no clipping in the 16-bit file)."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    return x * (0.97 / peak) if peak > 0.97 else x


def _write_rows(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write a CSV with a header and Unix line endings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buf.getvalue())
