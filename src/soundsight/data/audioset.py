"""AudioSet segment lists and ontology, matched to the clips a user has downloaded.

Files as Google publishes them (https://research.google.com/audioset/download.html)::

    eval_segments.csv, balanced_train_segments.csv, unbalanced_train_segments.csv
      # Segments csv created Sun Mar  5 10:54:25 2017
      # num_ytids=20371, num_segs=20371, num_unique_labels=527, num_positive_labels=51804
      # YTID, start_seconds, end_seconds, positive_labels
      --PJHxphWEs, 30.000, 40.000, "/m/09x0r,/t/dd00088"
    ontology.json     [{"id": "/m/09x0r", "name": "Speech", "child_ids": [...], ...}, ...]
    <clips_dir>/{ytid}_{start:.0f}.mp4   the 10 s segment (or .mkv / .webm), or
    <clips_dir>/{ytid}.mp4               the whole video (start/end select the segment)

``segments_manifest`` turns segments into a manifest that ``soundsight.data.manifest.list_videos``
reads (labels are ';'-joined display names); every segment is either in the manifest or in the
rejects with a reason (``not downloaded``, ``unknown label id ...``, ``duplicate segment ...``).
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

HEADER = ["YTID", "start_seconds", "end_seconds", "positive_labels"]
CLIP_SUFFIXES = (".mp4", ".mkv", ".webm")  # preferred first when a clip exists in several
MANIFEST_COLUMNS = ["video_id", "path", "start", "end", "labels"]
LAYOUT = (
    "expected an AudioSet segments CSV: three '#' comment lines, the third "
    "'# YTID, start_seconds, end_seconds, positive_labels', then rows like "
    "'--PJHxphWEs, 30.000, 40.000, \"/m/09x0r,/t/dd00088\"'"
)


def read_segments(path: Path) -> pd.DataFrame:
    """Segments ``(ytid, start, end, labels)`` of a segments CSV; ``labels`` is a list of ids."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"missing AudioSet segments file {path}; {LAYOUT}")
    rows, header = [], False
    with path.open(newline="") as f:
        for n, row in enumerate(csv.reader(f, skipinitialspace=True), start=1):
            if not row:
                continue
            if row[0].startswith("#"):
                header |= [row[0].lstrip("# ").strip(), *map(str.strip, row[1:])] == HEADER
                continue
            if not header:
                raise ValueError(f"{path}:{n}: data before the column header line; {LAYOUT}")
            rows.append(_parse_row(path, n, row))
    if not header:
        raise ValueError(f"{path}: no '# YTID, start_seconds, ...' header line; {LAYOUT}")
    return pd.DataFrame(rows, columns=["ytid", "start", "end", "labels"])


def _parse_row(path: Path, n: int, row: list[str]) -> tuple[str, float, float, list[str]]:
    """One data row, or ValueError naming ``path:n``."""
    try:
        ytid, start, end, labels = (s.strip() for s in row)
        t0, t1 = float(start), float(end)
    except ValueError:
        raise ValueError(f"{path}:{n}: malformed row {row}; {LAYOUT}") from None
    ids = [s.strip() for s in labels.split(",") if s.strip()]
    if not ytid or not ids or not 0 <= t0 < t1:
        raise ValueError(f"{path}:{n}: need a YTID, 0 <= start < end and labels, got {row}")
    return ytid, t0, t1, ids


@dataclass(frozen=True)
class Ontology:
    """The AudioSet class graph (a DAG: a class may have several parents)."""

    names: dict[str, str]  # id -> display name
    children: dict[str, tuple[str, ...]]
    parents: dict[str, tuple[str, ...]]

    def ancestors(self, node: str) -> set[str]:
        """Every class above ``node`` (not ``node`` itself)."""
        seen: set[str] = set()
        todo = deque(self._parents_of(node))
        while todo:
            p = todo.popleft()
            if p not in seen:
                seen.add(p)
                todo.extend(self.parents[p])
        return seen

    def depth(self, node: str) -> int:
        """0 for a top-level class, else 1 + the smallest depth of its parents."""
        parents = self._parents_of(node)
        return 0 if not parents else 1 + min(self.depth(p) for p in parents)

    def _parents_of(self, node: str) -> tuple[str, ...]:
        if node not in self.parents:
            raise KeyError(f"unknown AudioSet class id {node!r}")
        return self.parents[node]


def read_ontology(path: Path) -> Ontology:
    """``ontology.json`` as an :class:`Ontology`; ValueError on unknown children or a cycle."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"missing AudioSet ontology {path} (ontology.json)")
    entries = json.loads(path.read_text())
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of classes, got {type(entries).__name__}")
    names, children = {}, {}
    for k, e in enumerate(entries):
        if not isinstance(e, dict) or not {"id", "name", "child_ids"} <= e.keys():
            raise ValueError(f"{path}: entry {k} lacks id/name/child_ids: {str(e)[:80]}")
        if e["id"] in names:
            raise ValueError(f"{path}: class id {e['id']!r} appears twice")
        names[e["id"]], children[e["id"]] = e["name"], tuple(e["child_ids"])
    parents: dict[str, list[str]] = {i: [] for i in names}
    for node, kids in children.items():
        for kid in kids:
            if kid not in names:
                raise ValueError(f"{path}: class {node!r} lists unknown child id {kid!r}")
            parents[kid].append(node)
    cycle = _find_cycle(children)
    if cycle:
        raise ValueError(f"{path}: the class graph has a cycle: {' -> '.join(cycle)}")
    return Ontology(names, children, {k: tuple(v) for k, v in parents.items()})


def _find_cycle(children: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A cycle ``[a, b, ..., a]`` of the child graph, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in children:
        if root in state:
            continue
        state[root], path, stack = 1, [root], [iter(children[root])]
        while stack:
            kid = next(stack[-1], None)
            if kid is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(kid) == 1:
                return path[path.index(kid) :] + [kid]
            elif kid not in state:
                state[kid] = 1
                path.append(kid)
                stack.append(iter(children[kid]))
    return None


def segments_manifest(
    segments: pd.DataFrame, clips_dir: Path, ontology: Ontology
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Manifest ``(video_id, path, start, end, labels)`` of downloaded segments + rejects
    ``(ytid, reason)``. A trimmed clip ``{ytid}_{start}`` is used whole (start/end NaN); a whole
    video ``{ytid}`` is cut at the segment's start/end."""
    clips = _index_clips(Path(clips_dir))
    rows, rejects, seen = [], [], set()
    for ytid, start, end, ids in segments[["ytid", "start", "end", "labels"]].itertuples(False):
        key = f"{ytid}_{start:.0f}"
        unknown = [i for i in ids if i not in ontology.names]
        trimmed, whole = clips.get(key), clips.get(ytid)
        if unknown:
            reason = f"unknown label id {', '.join(unknown)}"
        elif key in seen:
            reason = f"duplicate segment {key}"
        elif trimmed is None and whole is None:
            reason = "not downloaded"
        else:
            reason = None
        seen.add(key)
        if reason:
            rejects.append((ytid, reason))
            continue
        span = (np.nan, np.nan) if trimmed else (start, end)
        labels = ";".join(_label_name(ontology, i) for i in ids)
        rows.append((key, str(trimmed or whole), *span, labels))
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    log.info(
        "AudioSet: %d segments -> %d clips, %d rejected", len(segments), len(rows), len(rejects)
    )
    return manifest, pd.DataFrame(rejects, columns=["ytid", "reason"])


def write_manifest(manifest: pd.DataFrame, path: Path) -> Path:
    """Write ``manifest`` (a ``path`` column, optional ``video_id, start, end, labels``) as a CSV
    for ``list_videos``; paths under the CSV's folder become relative to it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.parent.resolve()
    out = manifest[[c for c in MANIFEST_COLUMNS if c in manifest.columns]].copy()
    out["path"] = [_relative(Path(p), base) for p in out["path"]]
    out.to_csv(path, index=False, float_format="%.3f")  # NaN start/end -> '' (file bound)
    return path


def _index_clips(clips_dir: Path) -> dict[str, Path]:
    """File stem -> clip path for the video files directly in ``clips_dir``."""
    if not clips_dir.is_dir():
        raise FileNotFoundError(f"clips folder not found: {clips_dir}")
    order = {s: k for k, s in enumerate(CLIP_SUFFIXES)}
    files = [p for p in clips_dir.resolve().iterdir() if p.suffix.lower() in order]
    index: dict[str, Path] = {}
    for p in sorted(files, key=lambda p: (order[p.suffix.lower()], p.name)):
        index.setdefault(p.stem, p)
    return index


def _label_name(ontology: Ontology, node: str) -> str:
    """Display name of a class, which must not contain the manifest's ';' separator."""
    name = ontology.names[node]
    if ";" in name:
        raise ValueError(f"AudioSet class {node!r} has a ';' in its name {name!r}")
    return name


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (POSIX) when it lies under it, else absolute."""
    path = Path(os.path.abspath(path))
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
