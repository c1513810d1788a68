"""Reader for SUN397 with its official partitions (``Partitions.zip``).

``root`` is the SUN397 folder holding the class folders and the partition files (the partition
files may also sit in ``root/Partitions/``)::

    SUN397/
      a/abbey/sun_aaa.jpg ...
      ClassName.txt        one class per line: /a/abbey
      Training_01.txt      one image per line, relative to root: /a/abbey/sun_aaa.jpg
      Testing_01.txt       (partitions 01, 02, ...; Training_1.txt is accepted too)

Labels are the 0-based line index of the image's class folder in ``ClassName.txt``. Listed files
whose content is not a JPEG (a few SUN397 ``.jpg`` files are PNG or GIF) are left out of the split
and recorded in ``SunSplit.rejected`` with the format their header shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LAYOUT = (
    "expected the SUN397 layout: ClassName.txt (lines like /a/abbey) and Training_0k.txt / "
    "Testing_0k.txt (lines like /a/abbey/sun_xxx.jpg, relative to the SUN397 folder)"
)
JPEG_MAGIC = b"\xff\xd8\xff"
_SIGNATURES = ((b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"BM", "BMP"), (b"II*\x00", "TIFF"))


@dataclass(frozen=True)
class SunSplit:
    """One SUN397 partition: train/test image paths and integer class labels."""

    partition: int
    classes: list[str]  # e.g. "/a/abbey"; label k is classes[k]
    train_paths: list[Path]
    train_labels: np.ndarray  # (N_train,) int64
    test_paths: list[Path]
    test_labels: np.ndarray  # (N_test,) int64
    rejected: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason) left out


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
    (tr_paths, tr_labels, tr_rej), (te_paths, te_labels, te_rej) = parts.values()
    log.info("SUN partition %d: %d train, %d test", partition, len(tr_paths), len(te_paths))
    rejected = tr_rej + te_rej
    if rejected:
        log.warning(
            "SUN partition %d: %d listed images rejected, e.g. %s: %s",
            partition, len(rejected), *rejected[0],
        )  # fmt: skip
    return SunSplit(partition, classes, tr_paths, tr_labels, te_paths, te_labels, rejected)


def is_jpeg(path: Path) -> bool:
    """True if the file starts with the JPEG signature FF D8 FF (a header check, no decoding)."""
    with open(path, "rb") as f:
        return f.read(3) == JPEG_MAGIC


def not_jpeg_reason(path: Path) -> str:
    """Reject reason for a non-JPEG file, naming the format its header shows."""
    with open(path, "rb") as f:
        head = f.read(8)
    kind = next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)
    if kind is None and head[:4] == b"RIFF":
        kind = "RIFF/WebP"
    return f"not a JPEG ({kind} signature)" if kind else "not a JPEG (unknown signature)"


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


def _read_partition(
    root: Path, path: Path, index: dict[str, int]
) -> tuple[list[Path], np.ndarray, list[tuple[Path, str]]]:
    """JPEG image paths, their labels (N,) and the rejected (path, reason) of one partition file."""
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
    keep = [is_jpeg(p) for p in paths]
    rejected = [(p, not_jpeg_reason(p)) for p, ok in zip(paths, keep, strict=True) if not ok]
    if not any(keep):
        raise ValueError(f"none of the {len(paths)} images listed in {path} is a JPEG")
    kept = [(p, y) for p, y, ok in zip(paths, labels, keep, strict=True) if ok]
    return [p for p, _ in kept], np.asarray([y for _, y in kept], dtype=np.int64), rejected


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
