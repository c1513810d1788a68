"""Video lists (a directory of videos or a manifest CSV) and their split into shards.

A video list is a DataFrame with columns ``video_id, path, start, end, labels`` (plus any extra
manifest columns): ``path`` is absolute, ``start``/``end`` are seconds (NaN = file bound) and
``labels`` is a ';'-joined string ('' when unlabelled).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

VIDEO_SUFFIXES = (".mp4", ".mkv", ".webm", ".avi", ".mov")
VIDEO_COLUMNS = ["video_id", "path", "start", "end", "labels"]
_SHOWN = 5  # offending rows named in an error message


def list_videos(source: str | Path) -> pd.DataFrame:
    """List the videos of a directory (recursively) or of a manifest CSV.

    Directory: every ``*.mp4, *.mkv, *.webm, *.avi, *.mov`` file (any case), sorted by relative
    path. Manifest: columns ``path[, start, end][, labels][, video_id]``; relative paths are
    relative to the manifest's folder. ``video_id`` defaults to the relative path without its
    suffix, with '/' replaced by '__'. No file is opened or checked here (ingest rejects missing
    files), so a 360k-row manifest lists in about a second.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"video source not found: {source}")
    if source.is_dir():
        return _list_directory(source)
    return _read_manifest(source)


def count_videos(source: str | Path) -> int:
    """Number of videos in ``source`` (directory or manifest CSV)."""
    return len(list_videos(source))


def n_shards(n_videos: int, shard_size: int) -> int:
    """Number of shards of at most ``shard_size`` videos covering ``n_videos`` (0 for none)."""
    _check_shard_args(n_videos, shard_size)
    return -(-n_videos // shard_size)


def shard_slices(n_videos: int, shard_size: int) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` row ranges of each shard; together they cover every row once."""
    return [
        (i * shard_size, min((i + 1) * shard_size, n_videos))
        for i in range(n_shards(n_videos, shard_size))
    ]


def select_shard(videos: pd.DataFrame, shard_index: int, shard_size: int) -> pd.DataFrame:
    """Rows of shard ``shard_index`` of ``videos`` (re-indexed from 0)."""
    count = n_shards(len(videos), shard_size)
    if not 0 <= shard_index < count:
        raise IndexError(
            f"shard_index {shard_index} out of range: {len(videos)} videos in shards of "
            f"{shard_size} give {count} shard(s)"
        )
    start, stop = shard_slices(len(videos), shard_size)[shard_index]
    return videos.iloc[start:stop].reset_index(drop=True)


def _check_shard_args(n_videos: int, shard_size: int) -> None:
    """Raise ValueError for a negative video count or a non-positive shard size."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be >= 1, got {shard_size}")
    if n_videos < 0:
        raise ValueError(f"n_videos must be >= 0, got {n_videos}")


def _list_directory(root: Path) -> pd.DataFrame:
    """Video list of every video file under ``root``, sorted by relative path."""
    rel = sorted(
        os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        for folder, _, names in os.walk(root)
        for name in names
        if name.lower().endswith(VIDEO_SUFFIXES)
    )
    rel_paths = pd.Series(rel, dtype=object)
    base = str(root.resolve())
    videos = pd.DataFrame(
        {
            "video_id": _default_ids(rel_paths),
            "path": (base + "/" + rel_paths) if len(rel) else rel_paths,
            "start": np.nan,
            "end": np.nan,
            "labels": "",
        }
    )
    _check_unique_ids(videos, root, what="file")
    return videos


def _read_manifest(manifest: Path) -> pd.DataFrame:
    """Video list of a manifest CSV, validated (vectorised, no per-row filesystem calls)."""
    table = pd.read_csv(manifest, dtype=str, keep_default_na=False, skipinitialspace=True)
    table.columns = table.columns.str.strip()
    if "path" not in table.columns:
        raise ValueError(
            f"{manifest}: manifest has no 'path' column (columns: {list(table.columns)})"
        )
    for column in table.columns:
        table[column] = table[column].str.strip()
    raw = table["path"]
    _fail_rows(manifest, raw == "", "empty 'path'")
    base = str(manifest.resolve().parent)
    is_abs = raw.str.startswith("/")
    paths = raw.where(is_abs, base + "/" + raw.str.removeprefix("./"))
    rel = raw.where(~is_abs, raw.str.removeprefix(base + "/"))
    ids = _default_ids(rel)
    if "video_id" in table.columns:
        given = table["video_id"].str.replace("/", "__", regex=False)
        ids = given.where(given != "", ids)
    start = _seconds_column(table, "start", manifest)
    end = _seconds_column(table, "end", manifest)
    _fail_rows(manifest, start < 0, "negative 'start'")
    _fail_rows(manifest, end <= start.fillna(0.0), "start >= end")
    videos = pd.DataFrame(
        {
            "video_id": ids,
            "path": paths,
            "start": start,
            "end": end,
            "labels": table["labels"] if "labels" in table.columns else "",
        }
    )
    extra = [c for c in table.columns if c not in VIDEO_COLUMNS]
    videos = pd.concat([videos, table[extra]], axis=1)
    _check_unique_ids(videos, manifest, what="line")
    return videos


def _default_ids(rel_paths: pd.Series) -> pd.Series:
    """Relative paths without their suffix, with '/' replaced by '__'."""
    stem = rel_paths.str.replace(r"\.[^./]*$", "", regex=True).str.lstrip("/")
    return stem.str.replace("/", "__", regex=False).astype(object)


def _seconds_column(table: pd.DataFrame, column: str, manifest: Path) -> pd.Series:
    """Float seconds of an optional column ('' -> NaN); ValueError naming non-numeric rows."""
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    values = pd.to_numeric(table[column].replace("", np.nan), errors="coerce")
    _fail_rows(manifest, values.isna() & (table[column] != ""), f"non-numeric '{column}'")
    _fail_rows(manifest, np.isinf(values), f"infinite '{column}'")
    return values.astype(float)


def _fail_rows(manifest: Path, bad: pd.Series, problem: str) -> None:
    """Raise ValueError naming the manifest lines (header = line 1) where ``bad`` holds."""
    if not bad.any():
        return
    rows = np.flatnonzero(bad.to_numpy())
    lines = ", ".join(str(r + 2) for r in rows[:_SHOWN])
    more = f" (and {len(rows) - _SHOWN} more)" if len(rows) > _SHOWN else ""
    raise ValueError(f"{manifest}: {problem} at line(s) {lines}{more}")


def _check_unique_ids(videos: pd.DataFrame, source: Path, what: str) -> None:
    """Raise ValueError naming duplicated video_ids and where they occur."""
    dup = videos["video_id"].duplicated(keep=False)
    if not dup.any():
        return
    first = videos.loc[dup, "video_id"].iloc[0]
    where = np.flatnonzero((videos["video_id"] == first).to_numpy())
    if what == "line":
        places = "lines " + ", ".join(str(r + 2) for r in where[:_SHOWN])
    else:
        places = "files " + ", ".join(videos["path"].iloc[where[:_SHOWN]])
    raise ValueError(
        f"{source}: {int(dup.sum())} rows have duplicate video_ids, e.g. {first!r} at {places}"
    )
