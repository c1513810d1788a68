"""Batched JPEG decoding and augmentation on the training device (nvJPEG on CUDA).

The default input path (:class:`~soundsight.train.dataset.FrameDataset`) decodes each frame with
PIL in a loader worker and keeps small sets decoded in memory. At the paper's scale (3.6 M frames,
never cached) every epoch decodes every frame again, and on a GPU node the CPU decode is what
limits images/s. With ``decode: device`` the loader workers only read each frame's bytes;
:func:`decode_batch` decodes the whole batch in one call (on CUDA, torchvision's batched nvJPEG),
and :func:`augment_batch` resizes, crops, flips and normalises on the device, drawing the crop
and flip of every sample from the same generator as ``FrameDataset`` (so both paths see the same
windows; pixels differ only by the two resizers' rounding). ``auto`` chooses it only where it
pays: on CUDA for a set too large to cache (``benchmarks/bench_decode.py`` measures both paths).
Frames that are not JPEGs (PNG, ...) are decoded on the CPU and moved over.

torchvision marks its image decoders deprecated as of 0.29 (in favour of TorchCodec) but ships
them, nvJPEG included, in the pinned wheel; this module is the one place that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from soundsight.models.input_spec import ImageSpec, image_spec
from soundsight.train.dataset import (
    FrameDataset,
    SampleKey,
    augmentation_rng,
    crop_window,
    resized_size,
    sample_key,
)

DECODE_MODES = ("auto", "pil", "device")
_JPEG_MAGIC = b"\xff\xd8\xff"


def resolve_decode(mode: str, device: torch.device, frames: FrameDataset) -> str:
    """``pil`` or ``device``: ``auto`` is ``device`` on CUDA when ``frames`` is too large for the
    in-memory cache (there the CPU would decode every frame every epoch), else ``pil``."""
    if mode not in DECODE_MODES:
        raise ValueError(f"decode must be one of {DECODE_MODES}, got {mode!r}")
    if mode != "auto":
        return mode
    uncached = len(frames) > FrameDataset.cache_limit
    return "device" if device.type == "cuda" and uncached else "pil"


@dataclass
class EncodedBatch:
    """A batch as the loader hands it over: the undecoded files packed into one buffer (one
    shared-memory block per batch, not one per frame), sample keys and targets."""

    packed: torch.Tensor  # (sum L_i,) uint8: the files' bytes, end to end
    offsets: torch.Tensor  # (B + 1,) int64: file i is packed[offsets[i] : offsets[i + 1]]
    keys: list[SampleKey]
    targets: torch.Tensor  # (B,) int64 or (B, P) float32

    @property
    def data(self) -> list[torch.Tensor]:
        """Each file's bytes as a (L_i,) uint8 view."""
        bounds = self.offsets.tolist()
        return [self.packed[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def pin_memory(self) -> EncodedBatch:
        """Pinned targets (DataLoader calls this when ``pin_memory`` is set)."""
        return EncodedBatch(self.packed, self.offsets, self.keys, self.targets.pin_memory())


class EncodedFrames(Dataset):
    """``frames``' items as ``(bytes, key, target)``: the loader reads, the device decodes."""

    def __init__(self, frames: FrameDataset) -> None:
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, key: int | SampleKey) -> tuple[np.ndarray, SampleKey, np.ndarray]:
        key = sample_key(key)
        index = int(key[0])
        path = self.frames.image_paths[index]
        try:
            data = np.fromfile(path, dtype=np.uint8)  # (L,)
        except OSError as err:
            raise OSError(f"cannot read frame {path}: {err}") from err
        return data, key, np.asarray(self.frames.targets[index])


def collate_encoded(items: list[tuple[np.ndarray, SampleKey, np.ndarray]]) -> EncodedBatch:
    """Pack the variable-length files into one buffer; stack the targets."""
    data, keys, targets = zip(*items, strict=True)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in data])])
    return EncodedBatch(
        torch.from_numpy(np.concatenate(data)),
        torch.from_numpy(offsets.astype(np.int64)),
        list(keys),
        torch.from_numpy(np.stack(targets)),
    )


def decode_batch(
    data: list[torch.Tensor], paths: list[Path], device: torch.device
) -> list[torch.Tensor]:
    """Each file's pixels as (3, H, W) uint8 on ``device``: the JPEGs in one batched call, other
    formats on the CPU; OSError naming the first file that does not decode."""
    from torchvision.io import ImageReadMode, decode_jpeg  # only this path needs torchvision

    images: list[torch.Tensor | None] = [None] * len(data)
    jpeg = [i for i, d in enumerate(data) if _is_jpeg(d)]
    if jpeg:
        try:
            decoded = decode_jpeg([data[i] for i in jpeg], mode=ImageReadMode.RGB, device=device)
        except RuntimeError:  # name the culprit: retry one by one
            decoded = [_decode_one(data[i], paths[i], device) for i in jpeg]
        for i, image in zip(jpeg, decoded, strict=True):
            images[i] = image
    for i, image in enumerate(images):
        if image is None:
            images[i] = _decode_one(data[i], paths[i], device)
    return images  # type: ignore[return-value]


def _is_jpeg(data: torch.Tensor) -> bool:
    return bytes(data[:3].tolist()) == _JPEG_MAGIC


def _decode_one(data: torch.Tensor, path: Path, device: torch.device) -> torch.Tensor:
    from torchvision.io import ImageReadMode, decode_image, decode_jpeg

    try:
        if _is_jpeg(data):
            return decode_jpeg(data, mode=ImageReadMode.RGB, device=device)
        return decode_image(data, mode=ImageReadMode.RGB).to(device)
    except RuntimeError as err:
        raise OSError(f"cannot decode frame {path}: {err}") from err


def augment_batch(
    images: list[torch.Tensor], keys: list[SampleKey], input_size: int | ImageSpec, train: bool
) -> torch.Tensor:
    """(B, 3, S, S) float32 normalised crops of decoded (3, H, W) uint8 ``images``.

    ``input_size``: the crop side or an :class:`ImageSpec` (as for :class:`FrameDataset`, whose
    ``spec`` the loader passes). Each image's short side is resized to ``resize_side(input_size)``
    (bilinear, antialiased), then cropped like :class:`FrameDataset`: at the window
    :func:`crop_window` draws from the sample's generator (and flipped) when ``train``, else at
    the centre; then normalised with the spec's mean and std.
    """
    spec = image_spec(input_size)
    size = spec.input_size
    crops = []
    for image, key in zip(images, keys, strict=True):
        h, w = image.shape[-2:]
        new_w, new_h = resized_size(w, h, spec)
        x = image.unsqueeze(0).float()  # (1, 3, H, W) in [0, 255]
        if (new_h, new_w) != (h, w):
            x = F.interpolate(x, size=(new_h, new_w), mode="bilinear", antialias=True)
        rng = augmentation_rng(key) if train else None
        left, top, flip = crop_window(new_w, new_h, size, rng)
        x = x[..., top : top + size, left : left + size]
        crops.append(x.flip(-1) if flip else x)
    batch = torch.cat(crops).round_().clamp_(0, 255)  # (B, 3, S, S), 8-bit like PIL's output
    mean = batch.new_tensor(spec.mean).view(1, 3, 1, 1) * 255.0
    std = batch.new_tensor(spec.std).view(1, 3, 1, 1) * 255.0
    return (batch - mean) / std


def to_device(
    batch: EncodedBatch, frames: FrameDataset, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x (B, 3, S, S), y)`` on ``device`` from a loader batch of :class:`EncodedFrames`."""
    paths = [frames.image_paths[int(k[0])] for k in batch.keys]
    images = decode_batch(batch.data, paths, device)
    x = augment_batch(images, batch.keys, frames.spec, frames.train)
    return x, batch.targets.to(device, non_blocking=True)
