"""A tiny corpus for the distillation tests: the audio-visual corpus's tracks (at SoundNet's
22,050 Hz) and a teacher cache with 4 steps 1 s apart per video.

Video ``v``'s object posterior puts 0.8 on class ``v % 3`` (its tone, as the frames' colour
would tell a visual teacher); its scene posterior is a fixed random distribution over 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from avc_corpus import write_av_corpus

from soundsight.train.distill import write_teacher_cache

STEP_S = 1.0
TIMES = (0.5, 1.5, 2.5, 3.5)  # step centres within the 4 s tracks
RATE = 22_050


def write_teacher_corpus(root: Path, n_videos: int = 6, n_test: int = 2) -> tuple[Path, Path]:
    """(ingest folder, teacher cache .npz); the split table is ``root / "split.csv"``."""
    ingest, _split = write_av_corpus(root, n_videos, n_test, rate=RATE)
    rng = np.random.default_rng(0)
    vids, times, obj, scene = [], [], [], []
    for v in range(n_videos):
        p_obj = np.full(3, 0.1)
        p_obj[v % 3] = 0.8
        p_scene = rng.dirichlet(np.ones(2))
        for t in TIMES:
            vids.append(f"v{v:03d}")
            times.append(t)
            obj.append(p_obj)
            scene.append(p_scene)
    cache = write_teacher_cache(
        root / "teacher.npz",
        vids,
        np.array(times),
        {"object": np.array(obj), "scene": np.array(scene)},
    )
    return ingest, cache
