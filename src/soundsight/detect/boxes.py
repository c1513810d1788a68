"""Object boxes of a VOC2007 split, and the box geometry shared by the detector.

Coordinates: VOC annotations give 1-based, inclusive pixel indices ``xmin..xmax``. We store
0-based *continuous* coordinates ``x1 = xmin - 1, x2 = xmax`` (likewise for y), so a box covers
``[x1, x2) x [y1, y2)`` and its width is ``x2 - x1``. With this convention the plain continuous
IoU equals the devkit's ``+1`` pixel-count IoU on integer annotations, and the world renderer's
0-based boxes come back exactly.

Encoding of regression targets (Girshick 2015): for a proposal with centre (px, py) and size
(pw, ph) and a target box (gx, gy, gw, gh), ``d = ((gx-px)/pw, (gy-py)/ph, log(gw/pw),
log(gh/ph))``, divided by ``BOX_STDS`` (the normalisation of the Fast R-CNN code).
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from soundsight.data.voc import read_voc, voc_dir

log = logging.getLogger(__name__)

BOX_STDS = (0.1, 0.1, 0.2, 0.2)  # normalisation of the (dx, dy, dw, dh) regression targets
MAX_LOG_RATIO = math.log(1000.0 / 16.0)  # clamp of dw, dh when decoding (torchvision's value)


@dataclass(frozen=True)
class ImageBoxes:
    """Ground-truth objects of one image: 0-based continuous boxes, class indices, difficult."""

    image_id: str
    image_path: Path
    width: int
    height: int
    boxes: np.ndarray  # (G, 4) float32 x1, y1, x2, y2
    labels: np.ndarray  # (G,) int64 index into the split's classes
    difficult: np.ndarray  # (G,) bool


def read_voc_boxes(
    root: str | Path, split: str, classes: list[str] | None = None
) -> list[ImageBoxes]:
    """Boxes of every image of ``split``, in split order (see :func:`read_voc_detection`)."""
    return read_voc_detection(root, split, classes)[0]


def read_voc_detection(
    root: str | Path, split: str, classes: list[str] | None = None
) -> tuple[list[ImageBoxes], list[str]]:
    """Boxes of every image of ``split``; returns (images in split order, class names).

    Classes default to those of :func:`soundsight.data.voc.read_voc`; objects of other classes
    are skipped (read_voc already warns about them). Raises ValueError naming the file for a
    missing/malformed ``<bndbox>`` or an empty box.
    """
    split_info = read_voc(Path(root), split, classes)
    voc = voc_dir(Path(root))
    col = {c: k for k, c in enumerate(split_info.classes)}
    images = []
    for image_id, path in zip(split_info.image_ids, split_info.image_paths, strict=True):
        xml = voc / "Annotations" / f"{image_id}.xml"
        images.append(_parse_annotation(xml, image_id, path, col))
    n_obj = sum(len(im.boxes) for im in images)
    log.info("VOC %s: %d images, %d boxes", split, len(images), n_obj)
    return images, list(split_info.classes)


def _parse_annotation(xml: Path, image_id: str, path: Path, col: dict[str, int]) -> ImageBoxes:
    """One annotation file -> ImageBoxes (objects of unknown classes skipped)."""
    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError as err:
        raise ValueError(f"malformed annotation {xml}: {err}") from err
    width, height = _image_size(root, xml, path)
    boxes, labels, difficult = [], [], []
    for obj in root.iter("object"):
        name = (obj.findtext("name") or "").strip()
        if name not in col:
            continue
        boxes.append(_parse_bndbox(obj, xml, name))
        labels.append(col[name])
        difficult.append((obj.findtext("difficult") or "0").strip() == "1")
    return ImageBoxes(
        image_id=image_id,
        image_path=path,
        width=width,
        height=height,
        boxes=np.asarray(boxes, np.float32).reshape(-1, 4),
        labels=np.asarray(labels, np.int64),
        difficult=np.asarray(difficult, bool),
    )


def _image_size(root: ET.Element, xml: Path, path: Path) -> tuple[int, int]:
    """(width, height) from ``<size>``, else from the image file itself."""
    w, h = root.findtext("size/width"), root.findtext("size/height")
    if w and h and int(w) > 0 and int(h) > 0:
        return int(w), int(h)
    from PIL import Image  # only for annotations without <size>

    with Image.open(path) as im:
        log.debug("%s has no <size>; read %s from %s", xml, im.size, path)
        return im.size


def _parse_bndbox(obj: ET.Element, xml: Path, name: str) -> list[float]:
    """``<bndbox>`` of one object -> [x1, y1, x2, y2] 0-based continuous."""
    try:
        xmin, ymin, xmax, ymax = (
            float(obj.findtext(f"bndbox/{t}") or "nan") for t in ("xmin", "ymin", "xmax", "ymax")
        )
    except ValueError as err:
        raise ValueError(f"non-numeric <bndbox> for a {name!r} in {xml}") from err
    box = [xmin - 1.0, ymin - 1.0, xmax, ymax]
    if not all(math.isfinite(v) for v in box):
        raise ValueError(f"a {name!r} in {xml} lacks xmin/ymin/xmax/ymax in <bndbox>")
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"empty <bndbox> {box} for a {name!r} in {xml}")
    return box


# --- box geometry (numpy) ---------------------------------------------------------------------


def box_iou_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix (A, B) of boxes a (A, 4) and b (B, 4), continuous x1, y1, x2, y2."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])  # (A,)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # (B,)
    iw = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)  # (A, B)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def clip_boxes_np(boxes: np.ndarray, width: float, height: float) -> np.ndarray:
    """Boxes (N, 4) clipped to the image ``[0, width] x [0, height]``."""
    out = np.asarray(boxes, np.float32).copy()
    out[:, 0::2] = out[:, 0::2].clip(0, width)
    out[:, 1::2] = out[:, 1::2].clip(0, height)
    return out


def scale_boxes_np(boxes: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """Boxes (N, 4) with x multiplied by ``sx`` and y by ``sy``."""
    return (np.asarray(boxes, np.float32) * np.array([sx, sy, sx, sy], np.float32)).astype(
        np.float32
    )


def flip_boxes_np(boxes: np.ndarray, width: float) -> np.ndarray:
    """Boxes (N, 4) mirrored left-right in an image of ``width``."""
    out = np.asarray(boxes, np.float32).copy()
    out[:, 0], out[:, 2] = width - boxes[:, 2], width - boxes[:, 0]
    return out


# --- regression encoding (torch) --------------------------------------------------------------


def _centres(boxes: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(cx, cy, w, h) of boxes (..., 4)."""
    w = boxes[..., 2] - boxes[..., 0]
    h = boxes[..., 3] - boxes[..., 1]
    return boxes[..., 0] + 0.5 * w, boxes[..., 1] + 0.5 * h, w, h


def encode_boxes(proposals: Tensor, targets: Tensor) -> Tensor:
    """Regression targets (N, 4) taking proposals (N, 4) to target boxes (N, 4), normalised."""
    px, py, pw, ph = _centres(proposals)
    gx, gy, gw, gh = _centres(targets)
    if (pw <= 0).any() or (ph <= 0).any() or (gw <= 0).any() or (gh <= 0).any():
        raise ValueError("encode_boxes needs boxes of positive width and height")
    d = torch.stack(
        [(gx - px) / pw, (gy - py) / ph, torch.log(gw / pw), torch.log(gh / ph)], dim=-1
    )  # (N, 4)
    return d / d.new_tensor(BOX_STDS)


def decode_boxes(proposals: Tensor, deltas: Tensor) -> Tensor:
    """Boxes from proposals (N, 4) and normalised deltas (N, ..., 4) -> (N, ..., 4)."""
    d = deltas * deltas.new_tensor(BOX_STDS)
    extra = (slice(None),) + (None,) * (deltas.ndim - 2)  # broadcast proposals over classes
    px, py, pw, ph = (t[extra] for t in _centres(proposals))
    cx = px + d[..., 0] * pw
    cy = py + d[..., 1] * ph
    w = pw * torch.exp(d[..., 2].clamp(max=MAX_LOG_RATIO))
    h = ph * torch.exp(d[..., 3].clamp(max=MAX_LOG_RATIO))
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)
