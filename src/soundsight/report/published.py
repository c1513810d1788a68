"""The published-number store: every paper's printed numbers, read from ``report/published_csv/``.

Each CSV holds one table (or a paper's in-text numbers, table ``text``) in long form with the
columns ``paper,table,row,column,value,unit,note``; see ``published_csv/README.md`` for
provenance. This is the only place a published number lives; tables and the audit read it here.
Cells printed as '-' in a paper are omitted, so every stored value is numeric.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from importlib import resources
from importlib.resources.abc import Traversable

import pandas as pd

logger = logging.getLogger(__name__)

PUBLISHED_COLUMNS: tuple[str, ...] = ("paper", "table", "row", "column", "value", "unit", "note")
PAPERS: tuple[str, ...] = ("owens2018", "student", "l3net", "soundnet", "objectsthatsound")
DATA_PACKAGE = "soundsight.report"
DATA_FOLDER = "published_csv"
_STEM = re.compile(r"^(?P<paper>[a-z0-9]+)_(?P<table>table\d+|text)$")


def published_dir() -> Traversable:
    """Return the folder holding the published CSVs (a package resource)."""
    return resources.files(DATA_PACKAGE).joinpath(DATA_FOLDER)


def _split_stem(stem: str) -> tuple[str, str] | None:
    """Parse ``<paper>_<table>`` into its two keys, or None if it is not such a name."""
    match = _STEM.match(stem)
    if match is None or match["paper"] not in PAPERS:
        return None
    return match["paper"], match["table"]


def _table_sort_key(key: tuple[str, str]) -> tuple[int, int, str]:
    """Order papers as in PAPERS and tables numerically, with ``text`` last."""
    paper, table = key
    number = int(table[5:]) if table.startswith("table") else 10**6
    return PAPERS.index(paper), number, table


def list_published() -> list[tuple[str, str]]:
    """List every available ``(paper, table)`` pair, papers in PAPERS order."""
    return list(_list_cached())


@functools.cache
def _list_cached() -> tuple[tuple[str, str], ...]:
    """Scan the data folder once for ``<paper>_<table>.csv`` files."""
    folder = published_dir()
    keys = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".csv"):
            continue
        key = _split_stem(entry.name[: -len(".csv")])
        if key is None:
            logger.warning("ignoring unexpected file %s in %s", entry.name, folder)
            continue
        keys.append(key)
    if not keys:
        raise FileNotFoundError(f"no published CSVs found in {folder}")
    return tuple(sorted(keys, key=_table_sort_key))


def _check_key(paper: str, table: str) -> None:
    """Raise KeyError naming the valid choices if ``(paper, table)`` has no CSV."""
    if paper not in PAPERS:
        raise KeyError(f"unknown paper {paper!r}; expected one of {list(PAPERS)}")
    available = [t for p, t in list_published() if p == paper]
    if table not in available:
        raise KeyError(f"paper {paper!r} has no published table {table!r}; available: {available}")


def validate_published(frame: pd.DataFrame, paper: str, table: str) -> pd.DataFrame:
    """Check a raw published table and return it with ``value`` as float.

    Raises ValueError naming the file and the offending rows when the columns differ from
    PUBLISHED_COLUMNS, a value is not numeric, a key cell is empty, the paper/table cells
    disagree with the file name, or a (row, column) pair repeats.
    """
    name = f"{paper}_{table}.csv"
    if tuple(frame.columns) != PUBLISHED_COLUMNS:
        raise ValueError(f"{name}: columns {list(frame.columns)} != {list(PUBLISHED_COLUMNS)}")
    if frame.empty:
        raise ValueError(f"{name}: no rows")
    for col in ("paper", "table", "row", "column", "unit"):
        empty = frame.index[frame[col].str.strip() == ""].tolist()
        if empty:
            raise ValueError(f"{name}: empty {col!r} at data rows {empty}")
    wrong = frame.index[(frame["paper"] != paper) | (frame["table"] != table)].tolist()
    if wrong:
        raise ValueError(f"{name}: paper/table cells disagree with the file name at rows {wrong}")
    values = pd.to_numeric(frame["value"], errors="coerce")
    bad = frame.index[values.isna()].tolist()
    if bad:
        shown = frame.loc[bad, ["row", "column", "value"]].to_dict("records")
        raise ValueError(f"{name}: non-numeric or missing values: {shown}")
    dup = frame.duplicated(["row", "column"], keep=False)
    if dup.any():
        shown = frame.loc[dup, ["row", "column"]].to_dict("records")
        raise ValueError(f"{name}: repeated (row, column) pairs: {shown}")
    out = frame.copy()
    out["value"] = values.astype(float)
    return out


@functools.cache
def _load_cached(paper: str, table: str) -> pd.DataFrame:
    """Read and validate one CSV (cached; callers get copies)."""
    text = published_dir().joinpath(f"{paper}_{table}.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return validate_published(frame, paper, table)


def load_published(paper: str, table: str) -> pd.DataFrame:
    """Load one published table, e.g. ``load_published("owens2018", "table2")``.

    Returns a DataFrame with columns PUBLISHED_COLUMNS (``value`` as float), rows in the
    paper's order. Raises KeyError for an unknown paper or table.
    """
    _check_key(paper, table)
    return _load_cached(paper, table).copy()


def published_value(paper: str, table: str, row: str, column: str) -> float:
    """Return one published number, e.g. ``("owens2018", "table2", "Sound (binary)", "VOC/pool5")``.

    Raises KeyError naming the missing paper, table, row or column (with the valid choices).
    """
    frame = load_published(paper, table)
    in_row = frame[frame["row"] == row]
    if in_row.empty:
        rows = list(dict.fromkeys(frame["row"]))
        raise KeyError(f"{paper} {table} has no row {row!r}; rows: {rows}")
    cell = in_row[in_row["column"] == column]
    if cell.empty:
        cols = in_row["column"].tolist()
        raise KeyError(
            f"{paper} {table} row {row!r} has no column {column!r} "
            f"(omitted '-' cells are absent); columns: {cols}"
        )
    return float(cell["value"].iloc[0])
