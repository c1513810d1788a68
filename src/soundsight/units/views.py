"""The square view a unit sees, and ground-truth label maps brought into that view.

Every image of the unit analysis is looked at through one fixed geometric transform: a square
resize to ``resize_size`` x ``resize_size`` followed by the central ``input_size`` crop (the
paper: 256 -> 227; ``resize_size`` defaults to the image spec's, 256/227 of ``input_size``).
The model's input, the receptive-field masks, the galleries and the ground-truth label maps all
live in this ``input_size`` x ``input_size`` frame, so masks and object pixels line up exactly.

Label maps are (S, S) uint8: 0 background, ``c + 1`` for category ``c`` of ``categories``
(the world's ``CATEGORY_NAMES`` by default; mini-VOC2007's ``SegmentationClass`` PNGs use this
encoding directly, with 255 = "void" mapped to background).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from soundsight.models.input_spec import ImageSpec, image_spec
from soundsight.world import CATEGORY_NAMES

log = logging.getLogger(__name__)

VOC_VOID = 255


def default_resize(input_size: int) -> int:
    """Square side the image is resized to before the centre crop (256 for 227 crops)."""
    return image_spec(input_size).resize_size


def _check_sizes(input_size: int, resize_size: int) -> None:
    """ValueError unless 1 <= input_size <= resize_size."""
    if input_size < 1 or resize_size < input_size:
        raise ValueError(
            f"need 1 <= input_size <= resize_size, got input_size={input_size}, "
            f"resize_size={resize_size}"
        )


def _to_view(image: Image.Image, input_size: int, resize_size: int, resample: int) -> Image.Image:
    """Square resize to ``resize_size`` then central ``input_size`` crop."""
    _check_sizes(input_size, resize_size)
    image = image.resize((resize_size, resize_size), resample)
    left = (resize_size - input_size) // 2
    return image.crop((left, left, left + input_size, left + input_size))


def view_image(path: str | Path, input_size: int, resize_size: int | None = None) -> np.ndarray:
    """The image at ``path`` in the unit view: (S, S, 3) uint8 RGB."""
    resize = default_resize(input_size) if resize_size is None else int(resize_size)
    try:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise OSError(f"cannot read image {path}: {err}") from err
    view = _to_view(rgb, input_size, resize, Image.Resampling.BILINEAR)
    return np.asarray(view, dtype=np.uint8)


def normalise(views: np.ndarray, spec: ImageSpec | None = None) -> np.ndarray:
    """(B, S, S, 3) uint8 views -> (B, 3, S, S) float32 model input, normalised with the mean
    and std of ``spec`` (default: the image spec's ImageNet statistics)."""
    spec = image_spec(views.shape[1]) if spec is None else spec
    mean = np.asarray(spec.mean, np.float32)  # (3,)
    std = np.asarray(spec.std, np.float32)  # (3,)
    x = views.astype(np.float32) / 255.0  # (B, S, S, 3)
    x = (x - mean) / std
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def view_label_map(
    label_map: np.ndarray, input_size: int, resize_size: int | None = None
) -> np.ndarray:
    """A (H, W) uint8 class map in the unit view (nearest neighbour): (S, S) uint8."""
    if label_map.ndim != 2:
        raise ValueError(f"label map must be (H, W), got shape {label_map.shape}")
    resize = default_resize(input_size) if resize_size is None else int(resize_size)
    image = Image.fromarray(np.ascontiguousarray(label_map, dtype=np.uint8), mode="L")
    return np.asarray(_to_view(image, input_size, resize, Image.Resampling.NEAREST))


class LabelSource(Protocol):
    """Ground truth of an image pool: ``source(indices)`` -> (n, S, S) uint8 label maps."""

    categories: tuple[str, ...]

    def __len__(self) -> int: ...

    def __call__(self, indices: Sequence[int]) -> np.ndarray: ...


def frame_index(gt: dict, time_s: float) -> int:
    """Index of the video frame shown at ``time_s`` (round(t * fps), clipped to the video)."""
    return int(min(max(round(time_s * gt["fps"]), 0), gt["n_frames"] - 1))


def category_lut(
    instance_category: np.ndarray, names: Sequence[str], categories: Sequence[str]
) -> np.ndarray:
    """(N + 1,) uint8 instance id -> label (0 background, c + 1 for ``categories[c]``).

    ``instance_category`` indexes ``names`` (the ground-truth file's category list); instances
    of a category missing from ``categories`` become background.
    """
    position = {name: i for i, name in enumerate(categories)}
    lut = np.zeros(len(instance_category) + 1, np.uint8)
    for k, c in enumerate(instance_category):
        name = str(names[int(c)])
        lut[k + 1] = position[name] + 1 if name in position else 0
    return lut


class WorldFrameLabels:
    """Label maps of ingested world frames from ``groundtruth/{video_id}.npz/.json``.

    ``frames`` needs columns video_id and ``frame_time_s`` (or ``time_s``); row ``i`` is pool
    image ``i``. The ground truth of one video is kept in memory between calls, so asking for
    frames grouped by video (the order of frames.csv) loads each file once.
    """

    def __init__(
        self,
        frames: pd.DataFrame,
        groundtruth_dir: str | Path,
        input_size: int,
        resize_size: int | None = None,
        categories: Sequence[str] = CATEGORY_NAMES,
    ) -> None:
        time_col = "frame_time_s" if "frame_time_s" in frames else "time_s"
        missing = {"video_id", time_col} - set(frames.columns)
        if missing:
            raise ValueError(f"frames table lacks columns {sorted(missing)}")
        self.video_ids = frames["video_id"].astype(str).to_numpy()
        self.times = frames[time_col].to_numpy(dtype=np.float64)
        self.groundtruth_dir = Path(groundtruth_dir)
        self.input_size = int(input_size)
        self.resize_size = default_resize(input_size) if resize_size is None else int(resize_size)
        self.categories = tuple(categories)
        self._cached: tuple[str, dict, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.video_ids)

    def _video(self, video_id: str) -> tuple[dict, np.ndarray, np.ndarray]:
        """(json, instance_map (T, H, W) uint8, lut) of one video, cached."""
        if self._cached is None or self._cached[0] != video_id:
            path = self.groundtruth_dir / f"{video_id}.json"
            if not path.exists():
                raise FileNotFoundError(f"no world ground truth for video {video_id}: {path}")
            gt = json.loads(path.read_text())
            with np.load(path.with_suffix(".npz"), allow_pickle=False) as z:
                inst = z["instance_map"]
                lut = category_lut(z["instance_category"], z["categories"], self.categories)
            self._cached = (video_id, gt, inst, lut)
        return self._cached[1], self._cached[2], self._cached[3]

    def __call__(self, indices: Sequence[int]) -> np.ndarray:
        """(n, S, S) uint8 label maps of pool images ``indices``."""
        out = np.zeros((len(indices), self.input_size, self.input_size), np.uint8)
        order = sorted(range(len(indices)), key=lambda j: self.video_ids[indices[j]])
        for j in order:
            i = int(indices[j])
            gt, inst, lut = self._video(self.video_ids[i])
            raw = lut[inst[frame_index(gt, self.times[i])]]  # (H, W) labels
            out[j] = view_label_map(raw, self.input_size, self.resize_size)
        return out


class PNGLabels:
    """Label maps stored as class-index PNGs (mini-VOC2007 ``SegmentationClass/<id>.png``).

    Pixel values are already ``c + 1`` for category ``c`` (0 background); 255 ("void" in VOC)
    and values above ``len(categories)`` are treated as background.
    """

    def __init__(
        self,
        png_paths: Sequence[str | Path],
        input_size: int,
        resize_size: int | None = None,
        categories: Sequence[str] = CATEGORY_NAMES,
    ) -> None:
        self.paths = [Path(p) for p in png_paths]
        self.input_size = int(input_size)
        self.resize_size = default_resize(input_size) if resize_size is None else int(resize_size)
        self.categories = tuple(categories)

    def __len__(self) -> int:
        return len(self.paths)

    def _read(self, path: Path) -> np.ndarray:
        """(H, W) uint8 class map of one PNG, out-of-range values set to 0."""
        try:
            with Image.open(path) as im:
                raw = np.array(im)  # palette PNG -> indices
        except (OSError, UnidentifiedImageError, ValueError) as err:
            raise OSError(f"cannot read label PNG {path}: {err}") from err
        if raw.ndim != 2:
            raise ValueError(f"label PNG {path} is not a single-channel index map: {raw.shape}")
        raw = raw.astype(np.uint8)
        raw[raw > len(self.categories)] = 0  # includes VOC_VOID
        return raw

    def __call__(self, indices: Sequence[int]) -> np.ndarray:
        """(n, S, S) uint8 label maps of pool images ``indices``."""
        out = np.zeros((len(indices), self.input_size, self.input_size), np.uint8)
        for j, i in enumerate(indices):
            out[j] = view_label_map(
                self._read(self.paths[int(i)]), self.input_size, self.resize_size
            )
        return out
