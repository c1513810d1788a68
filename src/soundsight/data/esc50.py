"""Reader for ESC-50 (and its ESC-10 subset) in the layout of the official GitHub archive.

``root`` is the ``ESC-50-master`` folder (a folder holding ``ESC-50-master/`` is accepted too)::

    ESC-50-master/
      meta/esc50.csv      filename,fold,target,category,esc10,src_file,take
                          1-100032-A-0.wav,1,0,dog,True,100032,A
      audio/1-100032-A-0.wav ...    2000 clips of 5 s (44.1 kHz mono)

Folds 1..5 are the official cross-validation folds (clips cut from one recording share a fold).
Rows whose audio file is missing, and audio files that the CSV does not list, are returned as
rejects with a reason; accepted + missing = CSV rows, accepted + unlisted = wav files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

LAYOUT = (
    "expected the ESC-50 layout: ESC-50-master/meta/esc50.csv (columns filename,fold,target,"
    "category,esc10,src_file,take) and ESC-50-master/audio/<filename>.wav"
)
REQUIRED = ("filename", "fold", "target", "category", "esc10")
N_FOLDS = 5
_SHOWN = 5  # offending lines named in an error message


def read_esc50(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clips ``(path, fold, target, category, esc10)`` and rejects ``(path, reason)``."""
    base = esc50_dir(root)
    meta = read_meta(base / "meta" / "esc50.csv")
    audio = base / "audio"
    on_disk = {p.name for p in audio.glob("*.wav")} if audio.is_dir() else set()
    present = meta["filename"].isin(on_disk).to_numpy()
    unlisted = sorted(on_disk - set(meta["filename"]))
    rejects = pd.DataFrame(
        {
            "path": [str(audio / f) for f in meta.loc[~present, "filename"]]
            + [str(audio / f) for f in unlisted],
            "reason": ["missing audio file"] * int((~present).sum())
            + ["not listed in meta/esc50.csv"] * len(unlisted),
        }
    )
    clips = meta.loc[present].reset_index(drop=True)
    clips.insert(0, "path", [str(audio / f) for f in clips["filename"]])
    clips = clips[["path", "fold", "target", "category", "esc10"]]
    log.info(
        "ESC-50: %d clips of %d listed; %d listed but missing, %d wav files not listed",
        len(clips), len(meta), int((~present).sum()), len(unlisted),
    )  # fmt: skip
    if clips.empty:
        raise FileNotFoundError(f"none of the {len(meta)} clips listed is in {audio}; {LAYOUT}")
    return clips, rejects


def esc50_dir(root: Path) -> Path:
    """The ``ESC-50-master`` folder at or under ``root``; FileNotFoundError naming the layout."""
    root = Path(root)
    for cand in (root, root / "ESC-50-master"):
        if (cand / "meta" / "esc50.csv").is_file():
            return cand
    raise FileNotFoundError(f"no meta/esc50.csv in {root} or {root / 'ESC-50-master'}; {LAYOUT}")


def read_meta(path: Path) -> pd.DataFrame:
    """``meta/esc50.csv`` with int fold/target and bool esc10, validated."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = table.columns.str.strip()
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing} (has {list(table.columns)})")
    table = table.apply(lambda col: col.str.strip())
    for col in ("fold", "target"):
        values = pd.to_numeric(table[col], errors="coerce")
        _fail_rows(path, values.isna() | (values % 1 != 0), f"non-integer '{col}'")
        table[col] = values.astype(np.int64)
    _fail_rows(path, ~table["fold"].between(1, N_FOLDS), f"'fold' outside 1..{N_FOLDS}")
    flag = table["esc10"].str.lower()
    _fail_rows(path, ~flag.isin(["true", "false"]), "'esc10' neither True nor False")
    table["esc10"] = flag == "true"
    _fail_rows(path, table["filename"] == "", "empty 'filename'")
    _fail_rows(path, table["filename"].duplicated(keep=False), "duplicated 'filename'")
    _check_one_to_one(path, table)
    return table


def esc10_subset(clips: pd.DataFrame) -> pd.DataFrame:
    """ESC-10 rows, ``target`` renumbered 0..K-1 by sorted category (old one: ``esc50_target``)."""
    sub = clips.loc[clips["esc10"]].reset_index(drop=True)
    if sub.empty:
        raise ValueError("no clip has the ESC-10 flag set")
    index = {c: k for k, c in enumerate(sorted(sub["category"].unique()))}
    sub.insert(sub.columns.get_loc("target") + 1, "esc50_target", sub["target"])
    sub["target"] = sub["category"].map(index).astype(np.int64)
    return sub


def fold_splits(clips: pd.DataFrame) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(test_fold, train_idx, test_idx)`` for folds 1..5; positional row indices of ``clips``."""
    folds = clips["fold"].to_numpy()
    for fold in range(1, N_FOLDS + 1):
        test = np.flatnonzero(folds == fold)
        if len(test) == 0:
            raise ValueError(f"fold {fold} has no clips")
        yield fold, np.flatnonzero(folds != fold), test


def _check_one_to_one(path: Path, table: pd.DataFrame) -> None:
    """Each target names one category and each category has one target."""
    for key, other in (("target", "category"), ("category", "target")):
        counts = table.groupby(key)[other].nunique()
        if (counts > 1).any():
            bad = counts.index[counts > 1][0]
            seen = sorted(table.loc[table[key] == bad, other].astype(str).unique())
            raise ValueError(f"{path}: {key} {bad} has several {other} values: {seen}")


def _fail_rows(path: Path, bad: pd.Series, problem: str) -> None:
    """Raise ValueError naming the CSV lines (header = line 1) where ``bad`` holds."""
    rows = np.flatnonzero(bad.to_numpy())
    if len(rows) == 0:
        return
    lines = ", ".join(str(r + 2) for r in rows[:_SHOWN])
    more = f" (and {len(rows) - _SHOWN} more)" if len(rows) > _SHOWN else ""
    raise ValueError(f"{path}: {problem} at line(s) {lines}{more}; {LAYOUT}")
