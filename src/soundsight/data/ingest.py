"""Ingest a shard of videos into JPEG frames, per-frame audio windows and whole tracks; merge.

Shard directory layout::

    frames/{frame_id}.jpg   frame_id = f"{video_id}_{k:02d}"
    frames.csv              frame_id, video_id, k, time_s, frame_time_s, jpg, audio_row, labels
    audio.npy               float32 (n_frames, n_samples), row i <-> frames.csv audio_row i
    tracks.npy, tracks.csv  each ingested video's whole mono track (int16; soundsight.data.tracks)
    rejects.csv             video_id, path, code, reason
    summary.json            counts and parameters

Every input video is either ingested (all its frames and its track) or listed in rejects.csv with
a reason. The merge adds ``index.csv`` (all frames) and ``tracks.csv`` (all tracks, with their
shard), so a paper knows before decoding anything how many clips of which length it can cut.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pandas as pd
from tqdm import tqdm

from soundsight.data.decode import (
    DecodedVideo,
    IngestParams,
    VideoRejectedError,
    decode_track,
    decode_video,
)
from soundsight.data.npyfile import NpyAppender, load_npy_mmap
from soundsight.data.tracks import TRACK_COLUMNS, TRACKS_CSV, TRACKS_NPY, TrackWriter

log = logging.getLogger(__name__)

FRAME_COLUMNS = [
    "frame_id",
    "video_id",
    "k",
    "time_s",
    "frame_time_s",
    "jpg",
    "audio_row",
    "labels",
]
REJECT_COLUMNS = ["video_id", "path", "code", "reason"]
_TEXT_COLUMNS = {
    "frame_id": str,
    "video_id": str,
    "jpg": str,
    "labels": str,
    "path": str,
    "error": str,
}


@dataclass
class ShardResult:
    """Outcome of ``ingest_shard``: the tables written and the summary."""

    out_dir: Path
    frames: pd.DataFrame  # FRAME_COLUMNS, one row per frame
    rejects: pd.DataFrame  # REJECT_COLUMNS, one row per rejected video
    summary: dict
    tracks: pd.DataFrame  # TRACK_COLUMNS, one row per ingested video

    @property
    def n_input(self) -> int:
        """Videos given."""
        return int(self.summary["n_input"])

    @property
    def n_frames(self) -> int:
        """Frames written."""
        return int(self.summary["n_frames"])

    @property
    def n_ingested(self) -> int:
        """Videos ingested."""
        return int(self.summary["n_ingested"])

    @property
    def n_rejected(self) -> int:
        """Videos rejected."""
        return int(self.summary["n_rejected"])


def ingest_shard(
    videos: pd.DataFrame,
    out_dir: str | Path,
    *,
    frames_per_video: int = 10,
    short_side: int = 128,
    window_s: float = 3.75,
    audio_rate: int = 22050,
    jpeg_quality: int = 90,
    seed: int = 0,
    track_rate: int | None = None,
    progress: bool = True,
) -> ShardResult:
    """Decode every video of ``videos`` (a video list) into ``out_dir``; see the module doc.

    ``track_rate`` is the rate (Hz) of the stored tracks; None keeps each video's own rate.
    """
    if track_rate is not None and track_rate < 1:
        raise ValueError(f"track_rate must be >= 1 or None, got {track_rate}")
    params = IngestParams(frames_per_video, short_side, window_s, audio_rate, seed)
    videos = _normalise_videos(videos)
    out_dir = Path(out_dir)
    (out_dir / "frames").mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    frame_rows: list[dict] = []
    reject_rows: list[dict] = []
    n_ingested = 0
    audio_rows = NpyAppender(out_dir / "audio.npy", "<f4", (params.n_samples,))  # (N, n)
    with audio_rows as audio_out, TrackWriter(out_dir / TRACKS_NPY) as tracks_out:
        rows = videos.itertuples(index=False)
        for row in tqdm(rows, total=len(videos), desc="ingest", unit="video", disable=not progress):
            try:
                decoded = decode_video(row.path, row.video_id, row.start, row.end, params)
            except VideoRejectedError as rejected:
                log.warning("rejected %s (%s): %s", row.video_id, row.path, rejected.reason)
                reject_rows.append(_reject_row(row, rejected))
                continue
            frame_rows += _save_frames(decoded, row, out_dir, audio_out.n_rows, jpeg_quality)
            audio_out.append(decoded.audio)
            tracks_out.add(row.video_id, decode_track(row.path, *decoded.clip, track_rate))
            n_ingested += 1
        n_audio_rows = audio_out.n_rows
        tracks = tracks_out.table()
    frames = pd.DataFrame(frame_rows, columns=FRAME_COLUMNS)
    rejects = pd.DataFrame(reject_rows, columns=REJECT_COLUMNS)
    _reconcile(len(videos), n_ingested, len(rejects), len(frames), n_audio_rows, params)
    _reconcile_tracks(frames, tracks)
    summary = _shard_summary(videos, frames, rejects, params, jpeg_quality, t_start)
    summary.update(_tracks_summary(tracks, track_rate))
    frames.to_csv(out_dir / "frames.csv", index=False)
    rejects.to_csv(out_dir / "rejects.csv", index=False)
    tracks.to_csv(out_dir / TRACKS_CSV, index=False)
    _write_json(out_dir / "summary.json", summary)
    log.info(
        "shard %s: %d/%d videos ingested, %d frames",
        out_dir,
        n_ingested,
        len(videos),
        len(frames),
    )
    return ShardResult(
        out_dir=out_dir, frames=frames, rejects=rejects, summary=summary, tracks=tracks
    )


def load_shard_audio(shard_dir: str | Path) -> np.ndarray:
    """Memory-mapped audio windows of a shard; (n_frames, n_samples) float32, read-only."""
    path = Path(shard_dir) / "audio.npy"
    if not path.is_file():
        raise FileNotFoundError(f"no audio.npy in shard {shard_dir}")
    return load_npy_mmap(path)


def merge_shards(shard_dirs: list[str | Path], out_dir: str | Path) -> dict:
    """Write ``index.csv``, ``tracks.csv``, ``rejects.csv`` and ``ingest_summary.json``.

    ``index.csv`` holds every frames.csv row and ``tracks.csv`` every shard's tracks.csv row,
    each plus ``shard`` (position in ``shard_dirs``) and ``shard_dir`` (relative to ``out_dir``);
    audio stays in each shard (``load_shard_audio``, ``soundsight.data.tracks.read_clip``).
    Raises ValueError when shards disagree with their summaries or with each other.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames, rejects, tracks, summaries = [], [], [], []
    for i, shard_dir in enumerate(map(Path, shard_dirs)):
        shard_frames, shard_rejects, shard_tracks, summary = _read_checked_shard(shard_dir)
        rel = os.path.relpath(shard_dir.resolve(), out_dir.resolve())
        for table in (shard_frames, shard_rejects, shard_tracks):
            table.insert(0, "shard_dir", rel)
            table.insert(0, "shard", i)
        frames.append(shard_frames)
        rejects.append(shard_rejects)
        tracks.append(shard_tracks)
        summaries.append(summary)
    index = _concat(frames, ["shard", "shard_dir", *FRAME_COLUMNS])
    all_rejects = _concat(rejects, ["shard", "shard_dir", *REJECT_COLUMNS])
    all_tracks = _concat(tracks, ["shard", "shard_dir", *TRACK_COLUMNS])
    _check_unique(index, "frame_id")
    _check_unique(pd.concat([index.drop_duplicates("video_id"), all_rejects]), "video_id")
    total = _merged_summary(summaries, index, all_rejects)
    total.update(_merged_tracks_summary(all_tracks, index, summaries))
    index.to_csv(out_dir / "index.csv", index=False)
    all_tracks.to_csv(out_dir / TRACKS_CSV, index=False)
    all_rejects.to_csv(out_dir / "rejects.csv", index=False)
    _write_json(out_dir / "ingest_summary.json", total)
    return total


def _normalise_videos(videos: pd.DataFrame) -> pd.DataFrame:
    """Video list with start/end/labels defaults; ValueError on missing columns or dup ids."""
    missing = [c for c in ("video_id", "path") if c not in videos.columns]
    if missing:
        raise ValueError(f"videos table lacks column(s) {missing}; has {list(videos.columns)}")
    table = pd.DataFrame(
        {
            "video_id": videos["video_id"].astype(str),
            "path": videos["path"].astype(str),
            "start": _float_column(videos, "start"),
            "end": _float_column(videos, "end"),
            "labels": videos["labels"].fillna("").astype(str) if "labels" in videos else "",
        }
    ).reset_index(drop=True)
    dup = table["video_id"][table["video_id"].duplicated()]
    if len(dup):
        raise ValueError(f"duplicate video_id(s) in shard: {sorted(set(dup))[:5]}")
    return table


def _float_column(videos: pd.DataFrame, column: str) -> pd.Series:
    """Optional float column (NaN when absent)."""
    if column not in videos.columns:
        return pd.Series(np.nan, index=videos.index, dtype=float)
    return pd.to_numeric(videos[column], errors="raise").astype(float)


def _reject_row(row, rejected: VideoRejectedError) -> dict:
    """One rejects.csv row."""
    return {
        "video_id": row.video_id,
        "path": row.path,
        "code": rejected.code,
        "reason": rejected.reason,
    }


def _save_frames(
    decoded: DecodedVideo, row, out_dir: Path, first_audio_row: int, quality: int
) -> list[dict]:
    """Write the JPEGs of one video; return its frames.csv rows."""
    rows = []
    for k, image in enumerate(decoded.images):
        frame_id = f"{row.video_id}_{k:02d}"
        jpg = f"frames/{frame_id}.jpg"
        image.save(out_dir / jpg, format="JPEG", quality=quality)
        rows.append(
            {
                "frame_id": frame_id,
                "video_id": row.video_id,
                "k": k,
                "time_s": round(float(decoded.times[k]), 6),
                "frame_time_s": round(float(decoded.frame_times[k]), 6),
                "jpg": jpg,
                "audio_row": first_audio_row + k,
                "labels": row.labels,
            }
        )
    return rows


def _reconcile(
    n_input: int,
    n_ingested: int,
    n_rejected: int,
    n_frames: int,
    n_audio_rows: int,
    params: IngestParams,
) -> None:
    """Raise RuntimeError unless every video and frame is accounted for."""
    if n_ingested + n_rejected != n_input:
        raise RuntimeError(
            f"ingest lost videos: {n_ingested} ingested + {n_rejected} rejected != {n_input} input"
        )
    if n_frames != n_audio_rows or n_frames != n_ingested * params.frames_per_video:
        raise RuntimeError(
            f"ingest frame mismatch: {n_frames} frames, {n_audio_rows} audio rows, "
            f"{n_ingested} videos x {params.frames_per_video} frames"
        )


def _reconcile_tracks(frames: pd.DataFrame, tracks: pd.DataFrame) -> None:
    """Raise RuntimeError unless there is one track per ingested video, in frames.csv order."""
    videos = frames["video_id"].drop_duplicates().tolist()
    if tracks["video_id"].tolist() != videos:
        raise RuntimeError(
            f"ingest track mismatch: {len(tracks)} tracks for {len(videos)} ingested videos"
        )


def _tracks_summary(tracks: pd.DataFrame, track_rate: int | None) -> dict:
    """The tracks' part of summary.json."""
    return {
        "track_rate": "native" if track_rate is None else int(track_rate),
        "n_tracks": len(tracks),
        "n_track_samples": int(tracks["n_samples"].sum()),
        "track_s": round(float(tracks["duration_s"].sum()), 6),
        "n_track_errors": int((tracks["error"] != "").sum()),
    }


def _shard_summary(
    videos: pd.DataFrame,
    frames: pd.DataFrame,
    rejects: pd.DataFrame,
    params: IngestParams,
    jpeg_quality: int,
    t_start: float,
) -> dict:
    """summary.json content."""
    n_rejected = len(rejects)
    return {
        "n_input": len(videos),
        "n_ingested": len(videos) - n_rejected,
        "n_rejected": n_rejected,
        "n_frames": len(frames),
        "reject_codes": dict(sorted(Counter(rejects["code"]).items())),
        "frames_per_video": params.frames_per_video,
        "short_side": params.short_side,
        "window_s": params.window_s,
        "audio_rate": params.audio_rate,
        "n_samples": params.n_samples,
        "jpeg_quality": jpeg_quality,
        "seed": params.seed,
        "pyav_version": av.__version__,
        "wall_s": round(time.perf_counter() - t_start, 3),
    }


def _read_checked_shard(
    shard_dir: Path,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """frames.csv, rejects.csv, tracks.csv and summary.json of a shard, checked together."""
    for name in ("frames.csv", "rejects.csv", "summary.json", "audio.npy", TRACKS_CSV, TRACKS_NPY):
        if not (shard_dir / name).is_file():
            raise FileNotFoundError(f"shard {shard_dir} has no {name}")
    summary = json.loads((shard_dir / "summary.json").read_text())
    frames = _read_csv(shard_dir / "frames.csv")
    rejects = _read_csv(shard_dir / "rejects.csv")
    tracks = _read_csv(shard_dir / TRACKS_CSV)
    n_audio = load_shard_audio(shard_dir).shape[0]
    n_track_samples = load_npy_mmap(shard_dir / TRACKS_NPY).shape[0]
    checks = {
        "ingested + rejected == input": summary["n_ingested"] + summary["n_rejected"]
        == summary["n_input"],
        "frames.csv rows == n_frames": len(frames) == summary["n_frames"],
        "audio.npy rows == n_frames": n_audio == summary["n_frames"],
        "rejects.csv rows == n_rejected": len(rejects) == summary["n_rejected"],
        "frames.csv videos == n_ingested": frames["video_id"].nunique() == summary["n_ingested"],
        "tracks.csv videos == frames.csv videos": tracks["video_id"].tolist()
        == frames["video_id"].drop_duplicates().tolist(),
        "tracks.npy samples == tracks.csv samples": n_track_samples
        == int(tracks["n_samples"].sum()),
    }
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        raise ValueError(f"shard {shard_dir} is inconsistent: {', '.join(failed)}")
    return frames, rejects, tracks, summary


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a shard CSV keeping ids and labels as text ('' for empty)."""
    return pd.read_csv(path, dtype=_TEXT_COLUMNS, keep_default_na=False)


def _concat(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate tables (an empty table with ``columns`` when there are none)."""
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)


def _check_unique(table: pd.DataFrame, column: str) -> None:
    """Raise ValueError naming duplicated values of ``column`` across shards."""
    dup = table[column][table[column].duplicated()]
    if len(dup):
        raise ValueError(f"{len(dup)} duplicate {column}(s) across shards, e.g. {dup.iloc[0]!r}")


def _merged_summary(summaries: list[dict], index: pd.DataFrame, rejects: pd.DataFrame) -> dict:
    """Totals over shards; raise ValueError when they do not reconcile."""
    total = {
        key: sum(int(s[key]) for s in summaries)
        for key in ("n_input", "n_ingested", "n_rejected", "n_frames")
    }
    if total["n_ingested"] + total["n_rejected"] != total["n_input"]:
        raise ValueError(f"shard totals do not reconcile: {total}")
    if total["n_frames"] != len(index) or total["n_rejected"] != len(rejects):
        raise ValueError(
            f"merged tables disagree with shard summaries: {len(index)} frames and "
            f"{len(rejects)} rejects vs {total}"
        )
    for key in ("audio_rate", "window_s", "n_samples", "frames_per_video", "short_side"):
        values = {s[key] for s in summaries}
        if len(values) > 1:
            raise ValueError(f"shards were ingested with different {key}: {sorted(values)}")
        total[key] = values.pop() if values else None
    total["n_shards"] = len(summaries)
    total["reject_codes"] = dict(sorted(Counter(rejects["code"]).items()))
    total["seeds"] = sorted({s["seed"] for s in summaries})
    return total


def _merged_tracks_summary(
    tracks: pd.DataFrame, index: pd.DataFrame, summaries: list[dict]
) -> dict:
    """Track totals over shards; raise ValueError unless every ingested video has one track."""
    if sorted(tracks["video_id"]) != sorted(index["video_id"].drop_duplicates()):
        raise ValueError(
            f"merged tracks disagree with the index: {len(tracks)} tracks for "
            f"{index['video_id'].nunique()} ingested videos"
        )
    rates = {s["track_rate"] for s in summaries}
    if len(rates) > 1:
        raise ValueError(
            f"shards were ingested with different track_rate: {sorted(rates, key=str)}"
        )
    return {
        "track_rate": rates.pop() if rates else None,
        "n_tracks": len(tracks),
        "track_s": round(float(tracks["duration_s"].sum()), 6),
        "track_rates": sorted(int(r) for r in tracks["rate"].unique()),
        "n_track_errors": int((tracks["error"] != "").sum()),
    }


def _write_json(path: Path, payload: dict) -> None:
    """Write indented JSON."""
    path.write_text(json.dumps(payload, indent=2) + "\n")
