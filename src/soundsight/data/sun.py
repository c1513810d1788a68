"""Reader for SUN397 with its official partitions (``Partitions.zip``).

``root`` is the SUN397 folder holding the class folders and the partition files (the partition
files may also sit in ``root/Partitions/``)::

    SUN397/
      a/abbey/sun_aaa.jpg ...
      ClassName.txt        one class per line: /a/abbey
      Training_01.txt      one image per line, relative to root: /a/abbey/sun_aaa.jpg
      Testing_01.txt       (partitions 01, 02, ...; Training_1.txt is accepted too)

Labels are the 0-based line index of the image's class folder in ``ClassName.txt``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LAYOUT = (
    "expected the SUN397 layout: ClassName.txt (lines like /a/abbey) and Training_0k.txt / "
    "Testing_0k.txt (lines like /a/abbey/sun_xxx.jpg, relative to the SUN397 folder)"
)


@dataclass(frozen=True)
class SunSplit:
    """One SUN397 partition: train/test image paths and integer class labels."""

    partition: int
    classes: list[str]  # e.g. "/a/abbey"; label k is classes[k]
    train_paths: list[Path]
    train_labels: np.ndarray  # (N_train,) int64
    test_paths: list[Path]
    test_labels: np.ndarray  # (N_test,) int64


def read_sun(root: Path, partition: int) -> SunSplit:
    """Read partition ``partition`` (1-based) of the SUN397 folder ``root``."""
    root = Path(root)
    if partition < 1:
        raise ValueError(f"SUN397 partitions are numbered from 1, got {partition}")
    classes = read_class_names(root)
    index = {c: k for k, c in enumerate(classes)}
    parts = {}
    for stem in ("Training", "Testing"):
        path = _partition_file(root, stem, partition)
        if path is None:
            raise FileNotFoundError(
                f"missing {root / f'{stem}_{partition:02d}.txt'} (or {stem}_{partition}.txt); "
                f"{LAYOUT}"
            )
        parts[stem] = _read_partition(root, path, index)
    (tr_paths, tr_labels), (te_paths, te_labels) = parts["Training"], parts["Testing"]
    log.info("SUN partition %d: %d train, %d test", partition, len(tr_paths), len(te_paths))
    return SunSplit(partition, classes, tr_paths, tr_labels, te_paths, te_labels)


def n_partitions(root: Path) -> int:
    """Number of consecutive partitions 1..K with both a Training and a Testing file."""
    k = 0
    while all(_partition_file(Path(root), s, k + 1) for s in ("Training", "Testing")):
        k += 1
    return k


def read_class_names(root: Path) -> list[str]:
    """Class folders from ``ClassName.txt`` (e.g. ``/a/abbey``), in file order."""
    path = _find(Path(root), "ClassName.txt")
    if path is None:
        raise FileNotFoundError(f"missing {Path(root) / 'ClassName.txt'}; {LAYOUT}")
    names = [_norm(line) for line in path.read_text().splitlines() if line.strip()]
    if not names:
        raise ValueError(f"{path} lists no classes")
    if len(set(names)) != len(names):
        raise ValueError(f"{path} lists a class more than once")
    return names


def _read_partition(root: Path, path: Path, index: dict[str, int]) -> tuple[list[Path], np.ndarray]:
    """Image paths and labels (N,) listed in one partition file."""
    paths, labels = [], []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        rel = _norm(line)
        cls = rel.rsplit("/", 1)[0]
        if cls not in index:
            raise ValueError(f"{path}:{n}: image {rel!r} is in no class of ClassName.txt")
        paths.append(root / rel.lstrip("/"))
        labels.append(index[cls])
    if not paths:
        raise ValueError(f"{path} lists no images")
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} images listed in {path} are missing, e.g. {missing[0]}; {LAYOUT}"
        )
    return paths, np.asarray(labels, dtype=np.int64)


def _partition_file(root: Path, stem: str, k: int) -> Path | None:
    """``{stem}_0k.txt`` or ``{stem}_k.txt`` in root (or root/Partitions), if present."""
    for name in (f"{stem}_{k:02d}.txt", f"{stem}_{k}.txt"):
        path = _find(root, name)
        if path is not None:
            return path
    return None


def _find(root: Path, name: str) -> Path | None:
    for folder in (root, root / "Partitions"):
        if (folder / name).is_file():
            return folder / name
    return None


def _norm(line: str) -> str:
    """A listed path with a leading slash and no surrounding whitespace."""
    s = line.strip().replace("\\", "/")
    return s if s.startswith("/") else "/" + s
