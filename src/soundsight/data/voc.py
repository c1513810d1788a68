"""Reader for a PASCAL VOC2007 classification set in the official devkit layout.

``root`` is the ``VOC2007`` folder (a folder holding ``VOC2007/`` or ``VOCdevkit/VOC2007/`` is
accepted too)::

    VOC2007/
      JPEGImages/{id}.jpg
      Annotations/{id}.xml          <object><name>dog</name><difficult>0</difficult>...</object>
      ImageSets/Main/{split}.txt    one image id per line (train, val, trainval, test)
      ImageSets/Main/{cls}_{split}.txt   optional: "{id} 1|-1|0" per line

Labels per image and class: +1 if a non-difficult instance is present, 0 if the class is present
only as difficult instances, -1 otherwise (the devkit convention). Where the per-class files exist
they must agree with the annotations.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LAYOUT = (
    "expected the VOC2007 devkit layout: VOC2007/JPEGImages/{id}.jpg, "
    "VOC2007/Annotations/{id}.xml, VOC2007/ImageSets/Main/{split}.txt"
)


@dataclass(frozen=True)
class VocSplit:
    """One split of VOC: ids, image paths and (N, C) labels in {+1, -1, 0 = difficult only}."""

    image_ids: list[str]
    image_paths: list[Path]
    labels: np.ndarray  # (N, C) int8
    classes: list[str]

    def __len__(self) -> int:
        return len(self.image_ids)


def read_voc(root: Path, split: str, classes: list[str] | None = None) -> VocSplit:
    """Read split ``split`` (train/val/trainval/test); classes default to the sorted names of the
    ``{cls}_{split}.txt`` files, else to the object names in the trainval annotations."""
    voc = voc_dir(root)
    main = voc / "ImageSets" / "Main"
    ids = _read_ids(main / f"{split}.txt")
    if classes is None:
        classes = _default_classes(voc, split)
    if not classes:
        raise ValueError(f"no classes found for VOC split {split!r} under {voc}")
    objects = {i: _read_objects(voc / "Annotations" / f"{i}.xml") for i in ids}
    labels = _labels(ids, objects, classes)  # (N, C)
    _check_class_files(main, split, ids, classes, labels)
    paths = [voc / "JPEGImages" / f"{i}.jpg" for i in ids]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} images of split {split!r} are missing, e.g. {missing[0]}; {LAYOUT}"
        )
    log.info("VOC %s: %d images, %d classes", split, len(ids), len(classes))
    return VocSplit(ids, paths, labels, list(classes))


def voc_dir(root: Path) -> Path:
    """The ``VOC2007`` folder at or under ``root``; FileNotFoundError describing the layout."""
    root = Path(root)
    for cand in (root, root / "VOC2007", root / "VOCdevkit" / "VOC2007"):
        if (cand / "Annotations").is_dir() or (cand / "ImageSets").is_dir():
            break
    else:
        cand = root
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        if not (cand / sub).is_dir():
            raise FileNotFoundError(f"missing folder {cand / sub}; {LAYOUT}")
    return cand


def _read_ids(path: Path) -> list[str]:
    """Image ids, one per line (first token)."""
    if not path.is_file():
        raise FileNotFoundError(f"missing image set {path}; {LAYOUT}")
    ids = [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    if not ids:
        raise ValueError(f"image set {path} lists no images")
    return ids


def _default_classes(voc: Path, split: str) -> list[str]:
    """Sorted class names from ``{cls}_{split}.txt``, else from the trainval annotations."""
    suffix = f"_{split}.txt"
    main = voc / "ImageSets" / "Main"
    names = sorted(p.name[: -len(suffix)] for p in main.glob(f"*{suffix}"))
    if names:
        return names
    trainval = _read_ids(main / "trainval.txt")
    found = {n for i in trainval for n, _ in _read_objects(voc / "Annotations" / f"{i}.xml")}
    return sorted(found)


def _read_objects(path: Path) -> list[tuple[str, bool]]:
    """(name, difficult) of every object in one annotation file."""
    if not path.is_file():
        raise FileNotFoundError(f"missing annotation {path}; {LAYOUT}")
    try:
        tree = ET.parse(path)
    except ET.ParseError as err:
        raise ValueError(f"malformed annotation {path}: {err}") from err
    out = []
    for obj in tree.getroot().iter("object"):
        name = obj.findtext("name")
        if not name or not name.strip():
            raise ValueError(f"an <object> without <name> in {path}")
        difficult = (obj.findtext("difficult") or "0").strip()
        if difficult not in ("0", "1"):
            raise ValueError(f"<difficult> must be 0 or 1 in {path}, got {difficult!r}")
        out.append((name.strip(), difficult == "1"))
    return out


def _labels(
    ids: list[str], objects: dict[str, list[tuple[str, bool]]], classes: list[str]
) -> np.ndarray:
    """(N, C) int8: +1 non-difficult instance, 0 only difficult instances, -1 absent."""
    col = {c: k for k, c in enumerate(classes)}
    labels = np.full((len(ids), len(classes)), -1, dtype=np.int8)
    unknown: set[str] = set()
    for r, i in enumerate(ids):
        for name, difficult in objects[i]:
            k = col.get(name)
            if k is None:
                unknown.add(name)
            elif not difficult:
                labels[r, k] = 1
            elif labels[r, k] == -1:
                labels[r, k] = 0
    if unknown:
        log.warning("VOC annotations name objects outside the classes: %s", sorted(unknown))
    return labels


def _check_class_files(
    main: Path, split: str, ids: list[str], classes: list[str], labels: np.ndarray
) -> None:
    """Where ``{cls}_{split}.txt`` exists, its labels must equal the annotation labels."""
    row = {i: r for r, i in enumerate(ids)}
    for k, cls in enumerate(classes):
        path = main / f"{cls}_{split}.txt"
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or parts[0] not in row or parts[1] not in ("1", "-1", "0"):
                raise ValueError(f"bad line {line!r} in {path}: expected '<id of {split}> 1|-1|0'")
            if int(parts[1]) != labels[row[parts[0]], k]:
                raise ValueError(
                    f"{path} gives {parts[1]} for image {parts[0]} but its annotation gives "
                    f"{labels[row[parts[0]], k]}"
                )
