"""Images, ground truth and proposals prepared for the detector.

Every image is **square-resized** to ``size`` x ``size`` (``size`` = the trunk's input size by
default), ignoring its aspect ratio, and its boxes are scaled by ``(size / width, size / height)``;
detections are scaled back to the original pixels. (Fast R-CNN instead resizes the short side to
600 px keeping the aspect ratio; square images of the embedded world make the two identical.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from soundsight.detect.boxes import ImageBoxes, box_iou_np, scale_boxes_np
from soundsight.models.input_spec import ImageSpec, image_spec

log = logging.getLogger(__name__)

CACHE_LIMIT = 20_000  # images kept decoded in memory (uint8) when a set is at most this large


@dataclass(frozen=True)
class TrainImage:
    """One training image at detector scale: RoIs with their best ground-truth match."""

    index: int  # position in the image list (for the loader)
    rois: np.ndarray  # (P, 4) float32 proposals + non-difficult GT boxes, detector pixels
    gt_boxes: np.ndarray  # (G, 4) float32 non-difficult GT boxes, detector pixels
    gt_labels: np.ndarray  # (G,) int64 in 1..K (0 is background)
    max_iou: np.ndarray  # (P,) float32 best IoU of each RoI with a GT box (0 if no GT)
    gt_index: np.ndarray  # (P,) int64 index of that GT box (0 if no GT)


class ImageLoader:
    """Decode, check and square-resize images to uint8 (3, size, size) tensors, with a cache."""

    def __init__(self, images: Sequence[ImageBoxes], size: int) -> None:
        if size < 1:
            raise ValueError(f"image size must be >= 1, got {size}")
        self.images = list(images)
        self.size = int(size)
        self._cache: dict[int, Tensor] | None = {} if len(self.images) <= CACHE_LIMIT else None

    def __len__(self) -> int:
        return len(self.images)

    def scale(self, index: int) -> tuple[float, float]:
        """(sx, sy) from the original pixels of image ``index`` to detector pixels."""
        im = self.images[index]
        return self.size / im.width, self.size / im.height

    def load(self, index: int) -> Tensor:
        """Image ``index`` as uint8 (3, size, size)."""
        if self._cache is not None and index in self._cache:
            return self._cache[index]
        im = self.images[index]
        try:
            with Image.open(im.image_path) as pil:
                rgb = pil.convert("RGB")
        except (OSError, UnidentifiedImageError) as err:
            raise OSError(f"cannot read image {im.image_path}: {err}") from err
        if rgb.size != (im.width, im.height):
            raise ValueError(
                f"{im.image_path} is {rgb.size[0]}x{rgb.size[1]} but its annotation says "
                f"{im.width}x{im.height}"
            )
        rgb = rgb.resize((self.size, self.size), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(rgb, np.uint8).transpose(2, 0, 1).copy())  # (3, S, S)
        if self._cache is not None:
            self._cache[index] = x
        return x


def normalize(batch: Tensor, spec: ImageSpec | None = None) -> Tensor:
    """uint8 images (B, 3, S, S) -> float32, normalised with the mean and std of ``spec``
    (default: the image spec's ImageNet statistics)."""
    spec = image_spec(batch.shape[-1]) if spec is None else spec
    mean = torch.tensor(spec.mean).view(1, 3, 1, 1)
    std = torch.tensor(spec.std).view(1, 3, 1, 1)
    return (batch.float() / 255.0 - mean) / std


def scaled_proposals(
    loader: ImageLoader, proposals: dict[str, np.ndarray], index: int
) -> np.ndarray:
    """Proposals (P, 4) of image ``index`` in detector pixels; KeyError if it has none."""
    image_id = loader.images[index].image_id
    if image_id not in proposals:
        raise KeyError(f"no proposals for image {image_id!r}")
    return scale_boxes_np(proposals[image_id], *loader.scale(index))


def prepare_training(loader: ImageLoader, proposals: dict[str, np.ndarray]) -> list[TrainImage]:
    """Match every image's proposals (plus its GT boxes, as Fast R-CNN does) to the GT.

    Difficult objects are left out of training (Fast R-CNN's default): they are neither
    foreground targets nor excluded from the background pool.
    """
    out = []
    for i, im in enumerate(loader.images):
        keep = ~im.difficult
        gt = scale_boxes_np(im.boxes[keep], *loader.scale(i))  # (G, 4)
        rois = np.concatenate([scaled_proposals(loader, proposals, i), gt])  # (P, 4)
        if len(gt):
            iou = box_iou_np(rois, gt)  # (P, G)
            max_iou, gt_index = iou.max(1), iou.argmax(1)
        else:
            max_iou, gt_index = np.zeros(len(rois)), np.zeros(len(rois), np.int64)
        out.append(
            TrainImage(
                index=i,
                rois=rois.astype(np.float32),
                gt_boxes=gt,
                gt_labels=im.labels[keep].astype(np.int64) + 1,
                max_iou=max_iou.astype(np.float32),
                gt_index=gt_index.astype(np.int64),
            )
        )
    n_fg = sum(int((t.max_iou >= 0.5).sum()) for t in out)
    log.info("prepared %d training images, %d RoIs with IoU >= 0.5", len(out), n_fg)
    return out
