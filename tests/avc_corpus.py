"""A tiny ingested corpus for the audio-visual tests: frames, whole tracks, a split table.

Layout as ingest writes it: ``ingest/index.csv``, ``ingest/tracks.csv`` (merged, with
``shard_dir``) and ``ingest/shards/00000/{frames/*.jpg, tracks.npy, tracks.csv}``. Video ``v``
has a 4 s track at ``rate`` whose tone is ``300 * (v + 1)`` Hz and frames at frame-aligned times
(25 fps) of its own colour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from soundsight.data.decode import AudioTrack
from soundsight.data.tracks import TRACKS_CSV, TRACKS_NPY, TrackWriter
from soundsight.data.video import write_mp4

FPS = 25
DURATION_S = 4.0
FRAME_TIMES = (1.0, 2.48)  # multiples of 1 / FPS


def write_av_corpus(
    root: Path, n_videos: int = 6, n_test: int = 2, rate: int = 48_000
) -> tuple[Path, Path]:
    """(ingest folder, split.csv) of ``n_videos`` videos, the last ``n_test`` held out."""
    ingest = root / "ingest"
    shard = ingest / "shards" / "00000"
    (shard / "frames").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows, split = [], []
    t = np.arange(round(DURATION_S * rate)) / rate
    with TrackWriter(shard / TRACKS_NPY) as writer:
        for v in range(n_videos):
            vid = f"v{v:03d}"
            tone = 0.3 * np.sin(2 * np.pi * 300 * (v + 1) * t) + 0.01 * rng.standard_normal(len(t))
            writer.add(vid, AudioTrack(tone.astype(np.float32), rate, 0.0))
            for k, time_s in enumerate(FRAME_TIMES):
                fid = f"{vid}_{k:02d}"
                pixels = rng.integers(0, 60, size=(40, 48, 3))
                pixels[..., v % 3] += 150
                Image.fromarray(pixels.astype(np.uint8)).save(shard / "frames" / f"{fid}.jpg")
                rows.append(
                    dict(
                        shard=0, shard_dir="shards/00000", frame_id=fid, video_id=vid, k=k,
                        time_s=time_s + 0.013, frame_time_s=time_s, jpg=f"frames/{fid}.jpg",
                    )
                )  # fmt: skip
                split.append("test" if v >= n_videos - n_test else "train")
        tracks = writer.table()
    tracks.to_csv(shard / TRACKS_CSV, index=False)
    tracks.insert(0, "shard_dir", "shards/00000")
    tracks.insert(0, "shard", 0)
    tracks.to_csv(ingest / TRACKS_CSV, index=False)
    index = pd.DataFrame(rows)
    index.to_csv(ingest / "index.csv", index=False)
    split_csv = root / "split.csv"
    pd.DataFrame(
        {"frame_id": index["frame_id"], "video_id": index["video_id"], "split": split}
    ).to_csv(split_csv, index=False)
    return ingest, split_csv


def write_tone_video(
    path: Path, colour: int, tone_hz: float, seconds: float = 2.0, fps: int = 10
) -> None:
    """An mp4 of 48 x 64 frames of one colour channel with a sine tone at 22,050 Hz."""
    frames = np.zeros((round(seconds * fps), 48, 64, 3), np.uint8)
    frames[..., colour % 3] = 200
    t = np.arange(round(seconds * 22050)) / 22050
    write_mp4(path, frames, fps, (0.4 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32))
