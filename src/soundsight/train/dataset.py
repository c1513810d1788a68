"""Frame datasets and the iteration-indexed sampler of the pretext training.

Determinism: the augmentation of one sample depends only on ``(seed, epoch, index)`` (its own
generator, never the global RNG), and the data order only on ``(seed, epoch)``. The iteration
counter alone fixes the position in the data stream, so a run resumed at iteration ``i`` sees
exactly the batches an uninterrupted run would, whatever the number of loader workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset, Sampler

from soundsight.models.input_spec import ImageSpec, image_spec

# A training sample key: (index, epoch, seed); a plain int means "index, no augmentation stream".
SampleKey = tuple[int, int, int]


def resize_side(input_size: int | ImageSpec) -> int:
    """Short side the frames are resized to before cropping: the spec's ``resize_size`` (for a
    bare input size, CaffeNet's ratio: 256 for 227 crops)."""
    return image_spec(input_size).resize_size


def check_targets(targets: np.ndarray, n: int) -> np.ndarray:
    """Targets as int64 class indices (N,) or float32 bit vectors (N, P); ValueError otherwise."""
    targets = np.asarray(targets)
    if len(targets) != n:
        raise ValueError(f"{len(targets)} targets for {n} images")
    if targets.ndim == 1:
        if not np.issubdtype(targets.dtype, np.integer):
            raise ValueError(f"1-d targets must be integer class indices, got {targets.dtype}")
        if n and targets.min() < 0:
            raise ValueError(f"class indices must be >= 0, got min {targets.min()}")
        return targets.astype(np.int64)
    if targets.ndim == 2:
        return targets.astype(np.float32)
    raise ValueError(f"targets must be (N,) class indices or (N, P) bits, got {targets.shape}")


class FrameDataset(Dataset):
    """JPEG frames with softmax (int64) or multi-label (float32 bits) targets.

    ``input_size``: the crop side, or the model's :class:`ImageSpec` (``model.input_spec``),
    whose resize side and normalisation are then used (a bare int: ImageNet statistics and
    CaffeNet's 256/227 resize). ``train``: resize the short side to ``resize_side``, random
    ``input_size`` crop, random horizontal flip; otherwise the centre crop.
    Items are ``(image (3, S, S) float32, target)``; :meth:`batch` builds a whole batch at once
    (what the training loop and :func:`~soundsight.train.evaluate.predict` load, through
    :class:`WholeBatches`). Decoded, resized frames are kept in memory as uint8 arrays when the
    set has at most ``cache_limit`` images (the embedded world's few thousand frames: 48 KB each
    at 126 px), so later epochs skip JPEG decoding; larger sets are decoded every time.
    """

    cache_limit = 20_000

    def __init__(
        self,
        image_paths: Sequence[Path],
        targets: np.ndarray,
        input_size: int | ImageSpec,
        train: bool,
    ) -> None:
        if not isinstance(input_size, ImageSpec) and input_size < 1:
            raise ValueError(f"input_size must be >= 1, got {input_size}")
        self.spec = image_spec(input_size)
        self.image_paths = [Path(p) for p in image_paths]
        self.targets = check_targets(targets, len(self.image_paths))
        self.input_size = self.spec.input_size
        self.train = bool(train)
        mean, std = np.asarray(self.spec.mean), np.asarray(self.spec.std)  # (3,) float64
        self._scale = (1.0 / (255.0 * std)).astype(np.float32)  # (3,)
        self._shift = (mean / std).astype(np.float32)
        self._cache: dict[int, np.ndarray] | None = (
            {} if len(self.image_paths) <= self.cache_limit else None
        )

    def __len__(self) -> int:
        return len(self.image_paths)

    @property
    def multilabel(self) -> bool:
        """Whether targets are bit vectors (multi-label) rather than class indices."""
        return self.targets.ndim == 2

    def __getitem__(self, key: int | SampleKey) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.batch([key])  # (1, 3, S, S); (1,) or (1, P)
        return x[0], y[0]

    def batch(self, keys: Sequence[int | SampleKey]) -> tuple[torch.Tensor, torch.Tensor]:
        """The items of ``keys`` built as one batch: ``(x (B, 3, S, S) float32, targets)``.

        Equal to stacking ``self[key]`` for every key (the same crops, flips and float32
        arithmetic), but the crops are copied out of the cached uint8 frames and normalised in
        one vectorised pass, with no per-item tensors to stack."""
        keys = [sample_key(k) for k in keys]
        size = self.input_size
        crops = np.empty((len(keys), size, size, 3), dtype=np.uint8)  # (B, S, S, 3)
        for j, key in enumerate(keys):
            crops[j] = _crop(self._load(int(key[0])), size, self._rng(key))
        # numpy, not torch: small torch ops are slow under thread contention in loader workers
        x = np.empty((len(keys), 3, size, size), dtype=np.float32)  # (B, 3, S, S)
        np.multiply(crops.transpose(0, 3, 1, 2), self._scale[:, None, None], out=x)
        x -= self._shift[:, None, None]
        y = self.targets[[int(k[0]) for k in keys]]  # (B,) int64 or (B, P) float32
        return torch.from_numpy(x), torch.from_numpy(y)

    def _rng(self, key: SampleKey) -> np.random.Generator | None:
        return augmentation_rng(key) if self.train else None

    def _load(self, index: int) -> np.ndarray:
        """The frame as (H, W, 3) uint8 RGB, short side resized to ``spec.resize_size``
        (cached if the set is small)."""
        if self._cache is not None and index in self._cache:
            return self._cache[index]
        image = self._decode(index)
        if self._cache is not None:
            self._cache[index] = image
        return image

    def _decode(self, index: int) -> np.ndarray:
        path = self.image_paths[index]
        try:
            with Image.open(path) as im:
                image = im.convert("RGB")
        except (OSError, ValueError) as err:
            raise OSError(f"cannot read frame {path}: {err}") from err
        size = resized_size(*image.size, self.spec)
        return np.asarray(image.resize(size, Image.Resampling.BILINEAR))  # (H, W, 3) uint8


class WholeBatches(Dataset):
    """A :class:`FrameDataset` whose DataLoader batches are built whole by :meth:`~FrameDataset.
    batch` (the loader calls ``__getitems__`` with a batch's keys), not item by item and stacked:
    at the laptop default the stacking alone took ~1/3 of the input time. Use with
    ``collate_fn=whole_batch``. Same batches, bit for bit, as the per-item path."""

    def __init__(self, frames: FrameDataset) -> None:
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, key: int | SampleKey) -> tuple[torch.Tensor, torch.Tensor]:
        return self.frames[key]

    def __getitems__(self, keys: list[int | SampleKey]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.frames.batch(keys)


def whole_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """The collate function of :class:`WholeBatches`: the batch is already built."""
    return batch


def builds_whole_batches(dataset: Dataset) -> bool:
    """Whether ``dataset``'s batches can come from :meth:`FrameDataset.batch`: a FrameDataset
    whose items are FrameDataset's own (a subclass that redefines ``__getitem__`` keeps the
    per-item path, so that its items are what the loader sees)."""
    return (
        isinstance(dataset, FrameDataset)
        and type(dataset).__getitem__ is FrameDataset.__getitem__
        and type(dataset).batch is FrameDataset.batch
    )


def resized_size(width: int, height: int, input_size: int | ImageSpec) -> tuple[int, int]:
    """(width, height) of a frame whose short side is resized to ``resize_side(input_size)``."""
    side = resize_side(input_size)
    scale = side / min(width, height)
    return max(side, round(width * scale)), max(side, round(height * scale))


def sample_key(key: int | SampleKey) -> SampleKey:
    """``(index, epoch, seed)`` of a dataset key (a plain int: epoch 0, seed 0)."""
    return (int(key), 0, 0) if isinstance(key, int | np.integer) else key


def crop_window(
    width: int, height: int, size: int, rng: np.random.Generator | None
) -> tuple[int, int, bool]:
    """``(left, top, flip)`` of the ``size`` crop: drawn from ``rng`` (training: random position,
    left-right flip with probability 1/2), or the centre without flip when ``rng`` is None."""
    if rng is None:
        return (width - size) // 2, (height - size) // 2, False
    left = int(rng.integers(0, width - size + 1))
    top = int(rng.integers(0, height - size + 1))
    return left, top, bool(rng.integers(0, 2))


def augmentation_rng(key: SampleKey) -> np.random.Generator:
    """The generator of one training sample's augmentation: a function of its key only."""
    index, epoch, seed = key
    return np.random.default_rng([seed, epoch, int(index)])


def _crop(image: np.ndarray, size: int, rng: np.random.Generator | None) -> np.ndarray:
    """The ``size`` x ``size`` crop of :func:`crop_window` of an (H, W, 3) frame, flipped
    left-right if drawn (a view: the pixels PIL's crop and FLIP_LEFT_RIGHT would give)."""
    height, width = image.shape[:2]
    left, top, flip = crop_window(width, height, size, rng)
    crop = image[top : top + size, left : left + size]  # (S, S, 3)
    return crop[:, ::-1] if flip else crop


class IterationBatchSampler(Sampler[list[SampleKey]]):
    """Batches of ``(index, epoch, seed)`` keys for iterations ``start .. iterations - 1``.

    Sample ``s = iteration * batch_size + j`` is position ``s % n`` of the permutation of epoch
    ``s // n``, drawn from ``torch.Generator().manual_seed(seed + epoch)``; batches may straddle
    epochs, so every frame is seen once per epoch.
    """

    def __init__(self, n: int, batch_size: int, iterations: int, seed: int, start: int = 0) -> None:
        if n < 1:
            raise ValueError("cannot sample batches from an empty training set")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if not 0 <= start <= iterations:
            raise ValueError(f"start iteration {start} outside [0, {iterations}]")
        self.n, self.batch_size = n, batch_size
        self.iterations, self.seed, self.start = iterations, seed, start
        self._perms: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.iterations - self.start

    def permutation(self, epoch: int) -> np.ndarray:
        """Data order of one epoch (cached; older epochs are dropped)."""
        if epoch not in self._perms:
            g = torch.Generator().manual_seed(self.seed + epoch)
            self._perms = {epoch: torch.randperm(self.n, generator=g).numpy()}
        return self._perms[epoch]

    def batch(self, iteration: int) -> list[SampleKey]:
        """The keys of one iteration's batch."""
        first = iteration * self.batch_size
        keys = []
        for s in range(first, first + self.batch_size):
            epoch, pos = divmod(s, self.n)
            keys.append((int(self.permutation(epoch)[pos]), epoch, self.seed))
        return keys

    def __iter__(self) -> Iterator[list[SampleKey]]:
        for iteration in range(self.start, self.iterations):
            yield self.batch(iteration)
