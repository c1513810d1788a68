"""Object proposals (region candidates) for the Fast R-CNN detector.

Fast R-CNN (Girshick 2015), as used by Owens et al. 2018 Table 3 after Krähenbühl et al. 2016,
classifies ~2000 *Selective Search* proposals per image. Two sources are implemented:

``oracle`` (the embedded world, or any set with boxes)
    An **oracle-ish stand-in for Selective Search**: per ground-truth box (difficult ones
    included) ``jitter_per_box`` copies with Gaussian centre-shift and log-scale noise, the first
    of which is guaranteed to overlap its box with IoU >= ``min_cover``; plus a sliding-window
    set (``window_scales`` x ``window_aspects`` of the image side, stride ``window_stride`` of the
    window) and ``n_random`` log-uniformly sized random boxes. Seeded per (seed, image id), about
    100-200 boxes per image (about 130 on the world). Because the jittered boxes are derived
    from the ground truth, they are built for test images too: a detector evaluated on them has
    its localisation partly given away (recall of proposals is near 1 by construction). Numbers
    obtained with it are therefore *not* comparable with Selective-Search Fast R-CNN; they
    compare initialisations with each other under the same proposals, which is what Table 3
    does.

a file (real VOC2007)
    Precomputed proposals (e.g. Selective Search, as in the paper) from a user-provided file in
    a simple format: a CSV with header ``image_id,x1,y1,x2,y2`` (one box per line) or an NPZ
    holding arrays ``image_id`` (N,) and ``boxes`` (N, 4) with the same rows. Boxes are 0-based
    continuous pixel coordinates of the original image (see :mod:`.boxes`). The ``.mat`` files
    of the Fast R-CNN release store 1-based ``y1 x1 y2 x2`` boxes; convert them to this format
    first (x1 = c2 - 1, y1 = c1 - 1, x2 = c4, y2 = c3).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.detect.boxes import ImageBoxes, box_iou_np, clip_boxes_np

log = logging.getLogger(__name__)

PROPOSAL_COLUMNS = ("image_id", "x1", "y1", "x2", "y2")


@dataclass(frozen=True)
class ProposalConfig:
    """Parameters of the oracle-ish proposals (sizes are fractions of the image side)."""

    jitter_per_box: int = 8
    jitter_shift: float = 0.15  # sigma of the centre shift, fraction of the box's side
    jitter_scale: float = 0.2  # sigma of the log side scale
    min_cover: float = 0.7  # the first jitter of each box overlaps it at least this much
    n_random: int = 32
    window_scales: tuple[float, ...] = (0.4, 0.7)
    window_aspects: tuple[float, ...] = (0.5, 1.0, 2.0)
    window_stride: float = 0.5  # stride as a fraction of the window's side
    min_size: float = 4.0  # pixels: shorter proposals are dropped
    max_proposals: int = 300
    max_file_proposals: int = 2000  # cap for proposals read from a file (Selective Search: ~2k)

    def __post_init__(self) -> None:
        if self.jitter_per_box < 1 or self.n_random < 0 or self.max_proposals < 1:
            raise ValueError(
                "ProposalConfig needs jitter_per_box >= 1, n_random >= 0, max_proposals >= 1; "
                f"got {self.jitter_per_box}, {self.n_random}, {self.max_proposals}"
            )
        if not 0.0 < self.min_cover < 1.0:
            raise ValueError(f"min_cover must be in (0, 1), got {self.min_cover}")
        if not 0.0 < self.window_stride <= 1.0:
            raise ValueError(f"window_stride must be in (0, 1], got {self.window_stride}")
        if any(not 0 < s <= 1 for s in self.window_scales) or any(
            a <= 0 for a in self.window_aspects
        ):
            raise ValueError("window_scales must be in (0, 1] and window_aspects > 0")


def image_rng(seed: int, image_id: str) -> np.random.Generator:
    """Generator of one image's proposals: depends on (seed, image id) only, not list order."""
    return np.random.default_rng([int(seed), zlib.crc32(image_id.encode("utf-8"))])


def jitter_boxes(
    rng: np.random.Generator,
    boxes: np.ndarray,
    n_per_box: int,
    shift: float,
    scale: float,
    min_cover: float,
) -> np.ndarray:
    """Noisy copies of boxes (G, 4) -> (G * n_per_box, 4); each box's first copy has IoU >=
    ``min_cover`` with it (resampled with shrinking noise, the box itself as a last resort)."""
    out = []
    for box in np.asarray(boxes, np.float64).reshape(-1, 4):
        copies = _noisy(rng, box, n_per_box, shift, scale)  # (n, 4)
        copies[0] = _covering_copy(rng, box, shift, scale, min_cover)
        out.append(copies)
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 4), np.float32)


def _noisy(rng: np.random.Generator, box: np.ndarray, n: int, shift: float, scale: float):
    """n copies of one box with N(0, shift) centre shift and N(0, scale) log-size noise."""
    w, h = box[2] - box[0], box[3] - box[1]
    cx, cy = box[0] + w / 2, box[1] + h / 2
    noise = rng.normal(size=(n, 4))  # (n, 4): dx, dy, dlogw, dlogh
    cx = cx + noise[:, 0] * shift * w
    cy = cy + noise[:, 1] * shift * h
    nw, nh = w * np.exp(noise[:, 2] * scale), h * np.exp(noise[:, 3] * scale)
    return np.stack([cx - nw / 2, cy - nh / 2, cx + nw / 2, cy + nh / 2], axis=1)


def _covering_copy(
    rng: np.random.Generator, box: np.ndarray, shift: float, scale: float, min_cover: float
) -> np.ndarray:
    """A noisy copy of ``box`` with IoU >= min_cover (noise halves every 8 failed draws)."""
    for attempt in range(32):
        factor = 0.5 ** (attempt // 8)
        cand = _noisy(rng, box, 1, shift * factor, scale * factor)[0]
        if box_iou_np(cand[None], box[None])[0, 0] >= min_cover:
            return cand
    return box.copy()


def sliding_windows(
    width: float, height: float, scales: Sequence[float], aspects: Sequence[float], stride: float
) -> np.ndarray:
    """Windows of side ``scale * image side`` and aspect ratio w/h ``aspect`` -> (W, 4)."""
    out = []
    for s in scales:
        for a in aspects:
            w = min(width, s * width * np.sqrt(a))
            h = min(height, s * height / np.sqrt(a))
            xs = _starts(width, w, stride * w)
            ys = _starts(height, h, stride * h)
            gx, gy = np.meshgrid(xs, ys, indexing="xy")
            x1, y1 = gx.ravel(), gy.ravel()
            out.append(np.stack([x1, y1, x1 + w, y1 + h], axis=1))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 4), np.float32)


def _starts(side: float, size: float, step: float) -> np.ndarray:
    """Window starts from 0 to ``side - size`` (both ends included) at most ``step`` apart."""
    span = side - size
    n = int(np.ceil(span / step - 1e-9)) + 1 if span > 0 else 1
    return np.linspace(0.0, max(span, 0.0), n)


def random_boxes(
    rng: np.random.Generator, width: float, height: float, n: int, min_size: float
) -> np.ndarray:
    """n boxes with log-uniform sides in [min_size, image side] at uniform positions -> (n, 4)."""
    lo = np.log(min(min_size, width)), np.log(min(min_size, height))
    w = np.exp(rng.uniform(lo[0], np.log(width), n))
    h = np.exp(rng.uniform(lo[1], np.log(height), n))
    x1 = rng.uniform(0.0, 1.0, n) * (width - w)
    y1 = rng.uniform(0.0, 1.0, n) * (height - h)
    return np.stack([x1, y1, x1 + w, y1 + h], axis=1).astype(np.float32)


def tidy_proposals(
    boxes: np.ndarray,
    width: float,
    height: float,
    min_size: float,
    max_n: int,
    protected: np.ndarray | None = None,
) -> np.ndarray:
    """Clip to the image, drop boxes shorter than min_size (unless ``protected``, a (N,) mask)
    and empty boxes and duplicates; keep the first max_n."""
    boxes = clip_boxes_np(boxes, width, height)
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    keep = (w >= min_size) & (h >= min_size)
    if protected is not None:
        keep |= protected & (w > 0) & (h > 0)
    boxes = boxes[keep]
    _, first = np.unique(np.round(boxes, 2), axis=0, return_index=True)
    return boxes[np.sort(first)][:max_n]


def oracle_proposals(image: ImageBoxes, seed: int, cfg: ProposalConfig) -> np.ndarray:
    """Oracle-ish proposals (P, 4) of one image: jittered GT, sliding windows, random boxes."""
    rng = image_rng(seed, image.image_id)
    w, h = float(image.width), float(image.height)
    jittered = jitter_boxes(
        rng, image.boxes, cfg.jitter_per_box, cfg.jitter_shift, cfg.jitter_scale, cfg.min_cover
    )  # (G * n, 4); rows 0, n, 2n, ... cover their box
    parts = [
        jittered,
        sliding_windows(w, h, cfg.window_scales, cfg.window_aspects, cfg.window_stride),
        random_boxes(rng, w, h, cfg.n_random, cfg.min_size),
    ]
    boxes = np.concatenate(parts)
    covering = np.zeros(len(boxes), bool)
    covering[: len(jittered) : cfg.jitter_per_box] = True  # kept even when tiny (difficult GT)
    # jittered boxes first, so that truncation at max_proposals never drops the covering ones
    return tidy_proposals(boxes, w, h, cfg.min_size, cfg.max_proposals, covering)


def make_proposals(
    images: Sequence[ImageBoxes], seed: int, cfg: ProposalConfig | None = None
) -> dict[str, np.ndarray]:
    """Oracle-ish proposals of every image: {image id: (P, 4) float32, original pixels}."""
    cfg = cfg or ProposalConfig()
    out = {im.image_id: oracle_proposals(im, seed, cfg) for im in images}
    if out:
        counts = [len(v) for v in out.values()]
        log.info(
            "oracle proposals: %d images, %.0f per image (min %d, max %d)",
            len(out),
            np.mean(counts),
            min(counts),
            max(counts),
        )
    return out


# --- proposal files ---------------------------------------------------------------------------


def load_proposals(path: str | Path) -> dict[str, np.ndarray]:
    """Proposals from a CSV (``image_id,x1,y1,x2,y2``) or NPZ (``image_id``, ``boxes``) file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"proposal file {path} not found")
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            missing = {"image_id", "boxes"} - set(data.files)
            if missing:
                raise ValueError(f"{path}: NPZ proposals need arrays 'image_id' and 'boxes'")
            ids, boxes = data["image_id"].astype(str), data["boxes"].astype(np.float32)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype={"image_id": str})
        missing = set(PROPOSAL_COLUMNS) - set(frame.columns)
        if missing:
            raise ValueError(f"{path}: CSV proposals need columns {list(PROPOSAL_COLUMNS)}")
        ids = frame["image_id"].to_numpy(str)
        boxes = frame[list(PROPOSAL_COLUMNS[1:])].to_numpy(np.float32)
    else:
        raise ValueError(f"{path}: proposal files must be .csv or .npz, got {path.suffix!r}")
    return _group(path, ids, boxes)


def _group(path: Path, ids: np.ndarray, boxes: np.ndarray) -> dict[str, np.ndarray]:
    """Rows (image id, box) -> {image id: (P, 4)}, validating shapes and finiteness."""
    if boxes.ndim != 2 or boxes.shape[1] != 4 or len(ids) != len(boxes):
        raise ValueError(
            f"{path}: need N image ids and (N, 4) boxes, got {ids.shape}, {boxes.shape}"
        )
    if not np.isfinite(boxes).all():
        raise ValueError(f"{path}: proposal boxes contain NaN or infinite values")
    out: dict[str, list[np.ndarray]] = {}
    for image_id, box in zip(ids, boxes, strict=True):
        out.setdefault(str(image_id), []).append(box)
    return {k: np.stack(v).astype(np.float32) for k, v in out.items()}


def save_proposals(path: str | Path, proposals: dict[str, np.ndarray]) -> Path:
    """Write proposals in the CSV or NPZ format that :func:`load_proposals` reads."""
    path = Path(path)
    ids = np.array([k for k, v in proposals.items() for _ in range(len(v))], dtype=str)
    boxes = np.concatenate([np.asarray(v, np.float32).reshape(-1, 4) for v in proposals.values()])
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".npz":
        np.savez(path, image_id=ids, boxes=boxes)
    elif path.suffix == ".csv":
        frame = pd.DataFrame(boxes, columns=list(PROPOSAL_COLUMNS[1:]))
        frame.insert(0, "image_id", ids)
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: proposal files must be .csv or .npz, got {path.suffix!r}")
    return path


def proposals_for(
    images: Sequence[ImageBoxes], source: str, seed: int, cfg: ProposalConfig | None = None
) -> dict[str, np.ndarray]:
    """Proposals of ``images`` from ``source``: ``"oracle"`` or a CSV/NPZ proposal file.

    File proposals are clipped to each image and tidied like the oracle ones; KeyError names
    the images the file does not cover.
    """
    cfg = cfg or ProposalConfig()
    if source == "oracle":
        return make_proposals(images, seed, cfg)
    table = load_proposals(source)
    missing = [im.image_id for im in images if im.image_id not in table]
    if missing:
        raise KeyError(f"{source} has no proposals for {len(missing)} images, e.g. {missing[:3]}")
    return {
        im.image_id: tidy_proposals(
            table[im.image_id], im.width, im.height, cfg.min_size, cfg.max_file_proposals
        )
        for im in images
    }
