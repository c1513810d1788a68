"""Turn the label tables (sound clusters, binary codes) into image paths and training targets."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

Split = tuple[list[Path], np.ndarray]  # (image paths, targets)

_CLUSTER_COLUMNS = ["frame_id", "video_id", "split", "label", "keep"]
_CODE_COLUMNS = ["frame_id", "video_id", "split", "code"]
_INDEX_COLUMNS = ["frame_id", "jpg"]
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def read_table(path: str | Path, required: list[str], what: str) -> pd.DataFrame:
    """A CSV with text ids; ValueError naming the file when columns are missing."""
    table = pd.read_csv(
        path,
        dtype={"frame_id": str, "video_id": str, "code": str, "jpg": str, "shard_dir": str},
        keep_default_na=False,
    )
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{what} {path} lacks column(s) {missing}; has {list(table.columns)}")
    if table["frame_id"].duplicated().any():
        dup = table.loc[table["frame_id"].duplicated(), "frame_id"].iloc[0]
        raise ValueError(f"{what} {path} lists frame_id {dup!r} more than once")
    return table


def parse_bool(column: pd.Series, name: str) -> np.ndarray:
    """Booleans from a CSV column written as True/False (or 1/0); ValueError on other values."""
    if column.dtype == bool:
        return column.to_numpy()
    text = column.astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise ValueError(f"column {name!r} holds non-boolean value {column[bad].iloc[0]!r}")
    return text.isin(_TRUE).to_numpy()


def decode_bits(codes: pd.Series) -> np.ndarray:
    """Bit strings like "0101" (N,) -> (N, P) float32; ValueError on ragged or non-binary codes."""
    codes = codes.astype(str)
    lengths = codes.str.len().unique()
    if len(lengths) != 1 or lengths[0] == 0:
        raise ValueError(
            f"codes must be non-empty bit strings of one length, got {sorted(lengths)}"
        )
    bad = ~codes.str.fullmatch(r"[01]+")
    if bad.any():
        raise ValueError(f"code {codes[bad].iloc[0]!r} is not a string of 0/1 bits")
    chars = np.array([list(s) for s in codes])  # (N, P) '0'/'1'
    return (chars == "1").astype(np.float32)


def frame_paths(index_csv: str | Path, ingest_dir: str | Path) -> pd.Series:
    """JPEG path of every ingested frame, indexed by frame_id.

    The path is ``<ingest_dir>/<shard_dir>/<jpg>`` when the index has ``shard_dir`` (as written
    by ``merge_shards``), else ``<ingest_dir>/shards/<shard>/<jpg>``.
    """
    index = read_table(index_csv, _INDEX_COLUMNS, "ingest index")
    ingest_dir = Path(ingest_dir)
    if "shard_dir" in index.columns:
        dirs = index["shard_dir"].astype(str)
    elif "shard" in index.columns:
        dirs = "shards/" + index["shard"].astype(str)
    else:
        raise ValueError(f"ingest index {index_csv} has neither a shard_dir nor a shard column")
    paths = [ingest_dir / d / j for d, j in zip(dirs, index["jpg"], strict=True)]
    return pd.Series(paths, index=index["frame_id"].to_numpy(), name="path")


def _join_paths(table: pd.DataFrame, paths: pd.Series, labels_csv: str | Path) -> list[Path]:
    """Paths of the table's frames; ValueError listing frames the index lacks or files missing."""
    ids = table["frame_id"]
    unknown = ids[~ids.isin(paths.index)]
    if len(unknown):
        raise ValueError(
            f"{len(unknown)} frame(s) of {labels_csv} are not in the ingest index, "
            f"e.g. {unknown.iloc[:3].tolist()}"
        )
    joined = paths.loc[ids.to_numpy()].tolist()
    absent = [p for p in joined if not p.is_file()]
    if absent:
        raise FileNotFoundError(
            f"{len(absent)} frame JPEG(s) of {labels_csv} are missing, e.g. {absent[:3]}"
        )
    return joined


def _split_masks(table: pd.DataFrame, labels_csv: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the train and test rows; ValueError on other split names or empty sides."""
    split = table["split"].astype(str)
    other = split[~split.isin(["train", "test"])]
    if len(other):
        raise ValueError(f"{labels_csv}: split must be train/test, got {other.iloc[0]!r}")
    is_train = (split == "train").to_numpy(copy=True)
    is_test = (split == "test").to_numpy(copy=True)
    if not is_train.any() or not is_test.any():
        raise ValueError(f"{labels_csv} needs both train and test rows")
    return is_train, is_test


def _cluster_targets(
    table: pd.DataFrame, labels_csv: str | Path, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """(targets int64 (N,), rows used, number of classes) of a cluster table."""
    labels = pd.to_numeric(table["label"], errors="coerce")
    if labels.isna().any() or (labels % 1 != 0).any() or (labels < 0).any():
        raise ValueError(f"{labels_csv}: column 'label' must hold class indices >= 0")
    labels = labels.to_numpy(np.int64)
    k = int(labels.max()) + 1 if n_classes is None else int(n_classes)
    if labels.max() >= k:
        raise ValueError(f"{labels_csv}: label {labels.max()} >= n_classes {k}")
    keep = parse_bool(table["keep"], "keep")
    used = (table["split"] != "train").to_numpy() | keep
    return labels, used, k


def load_task(
    labels_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    kind: Literal["cluster", "code"],
    n_classes: int | None = None,
) -> tuple[Split, Split, int]:
    """Training and test ``(paths, targets)`` of a pretext task, and its number of outputs.

    ``cluster``: softmax targets from ``label``; training rows with ``keep == False`` are dropped,
    test rows are all kept; ``n_classes`` defaults to the largest label + 1.
    ``code``: multi-label float32 bit vectors from the ``code`` bit strings.
    """
    if kind == "cluster":
        table = read_table(labels_csv, _CLUSTER_COLUMNS, "cluster table")
        targets, used, n_outputs = _cluster_targets(table, labels_csv, n_classes)
    elif kind == "code":
        table = read_table(labels_csv, _CODE_COLUMNS, "code table")
        targets = decode_bits(table["code"])  # (N, P)
        used, n_outputs = np.ones(len(table), dtype=bool), targets.shape[1]
    else:
        raise ValueError(f"kind must be 'cluster' or 'code', got {kind!r}")
    is_train, is_test = _split_masks(table, labels_csv)
    is_train = is_train & used
    if not is_train.any():
        raise ValueError(f"{labels_csv}: no training rows left after the keep filter")
    paths = np.array(_join_paths(table, frame_paths(index_csv, ingest_dir), labels_csv), object)
    train = (paths[is_train].tolist(), targets[is_train])
    test = (paths[is_test].tolist(), targets[is_test])
    return train, test, n_outputs
