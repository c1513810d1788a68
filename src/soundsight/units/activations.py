"""Rank a pool of images by each conv unit's spatial maximum (Zhou et al. 2015).

``unit_maxima`` streams the pool once, keeping every image's per-unit spatial max (N, C) and each
unit's top-K image indices (ties: lower pool index first); it never holds more than one batch
of maps. ``top_unit_maps`` then recomputes the maps of each unit on its own top-K images only.
``pool_maps`` keeps every map (float16), for Network Dissection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from soundsight.units.views import default_resize, normalise, view_image

log = logging.getLogger(__name__)


@dataclass
class UnitMaxima:
    """Result of ``unit_maxima``.

    ``max_act``: (N, C) spatial max of every unit on every pool image; ``top_indices``: (C, K)
    pool indices of each unit's K strongest images, best first; ``top_scores``: (C, K) their
    spatial maxima.
    """

    max_act: np.ndarray
    top_indices: np.ndarray
    top_scores: np.ndarray


class _Views(Dataset):
    """Image paths -> (3, S, S) normalised tensors of the unit view."""

    def __init__(self, paths: Sequence[str | Path], input_size: int, resize_size: int) -> None:
        self.paths = list(paths)
        self.input_size = input_size
        self.resize_size = resize_size

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> torch.Tensor:
        view = view_image(self.paths[i], self.input_size, self.resize_size)  # (S, S, 3)
        return torch.from_numpy(normalise(view[None])[0])  # (3, S, S)


def iter_maps(
    model: nn.Module,
    images: Sequence[str | Path],
    input_size: int,
    resize_size: int | None = None,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
    layer: str = "conv5",
    num_workers: int = 0,
    progress: bool = True,
    desc: str = "unit maps",
) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield (first pool index, maps (B, C, h, w) float32 on CPU) batch by batch.

    The model runs in eval mode under ``torch.no_grad()``; its mode is restored afterwards.
    """
    if len(images) == 0:
        raise ValueError("no images given")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    resize = default_resize(input_size) if resize_size is None else int(resize_size)
    loader = DataLoader(
        _Views(images, int(input_size), resize), batch_size=batch_size, num_workers=num_workers
    )
    was_training = model.training
    model.to(device).eval()
    start = 0
    try:
        with torch.no_grad():
            for x in tqdm(loader, desc=desc, disable=not progress):
                maps = model.forward_intermediates(x.to(device), (layer,))[layer]
                if maps.ndim != 4:
                    raise ValueError(f"layer {layer!r} is not a spatial map: {tuple(maps.shape)}")
                yield start, maps.float().cpu()  # (B, C, h, w)
                start += len(x)
    finally:
        model.train(was_training)


def merge_topk(
    scores: np.ndarray, indices: np.ndarray, new_scores: np.ndarray, new_indices: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Merge per-unit candidates into the top ``k``: (C, k') + (C, B) -> (C, min(k, k' + B)).

    Sorted by score, descending; ties keep the earlier (lower) pool index first, provided
    ``new_indices`` are all larger than ``indices`` (as when streaming a pool in order).
    """
    all_scores = np.concatenate([scores, new_scores], axis=1)  # (C, k' + B)
    all_indices = np.concatenate([indices, new_indices], axis=1)
    order = np.argsort(-all_scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(all_scores, order, 1), np.take_along_axis(all_indices, order, 1)


def unit_maxima(
    model: nn.Module,
    images: Sequence[str | Path],
    input_size: int,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
    top_k: int = 60,
    resize_size: int | None = None,
    layer: str = "conv5",
    num_workers: int = 0,
    progress: bool = True,
) -> UnitMaxima:
    """Spatial max of every unit on every image, and each unit's top-``top_k`` images.

    Streams the pool once (memory: the (N, C) maxima plus one batch of maps).
    """
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    max_act: np.ndarray | None = None
    top_s = top_i = None
    for start, maps in iter_maps(
        model, images, input_size, resize_size, batch_size, device, layer, num_workers, progress
    ):
        m = maps.flatten(2).amax(dim=2).numpy()  # (B, C) spatial max
        if max_act is None:
            max_act = np.empty((len(images), m.shape[1]), np.float32)
            top_s = np.empty((m.shape[1], 0), np.float32)
            top_i = np.empty((m.shape[1], 0), np.int64)
        max_act[start : start + len(m)] = m
        idx = np.broadcast_to(np.arange(start, start + len(m)), (m.shape[1], len(m)))
        top_s, top_i = merge_topk(top_s, top_i, m.T, idx, top_k)
    assert max_act is not None and top_s is not None and top_i is not None
    if top_i.shape[1] < top_k:
        log.warning("pool has %d images < top_k=%d: ranking all of them", len(images), top_k)
    log.info("ranked %d images for %d units (top %d)", len(images), max_act.shape[1], top_k)
    return UnitMaxima(max_act=max_act, top_indices=top_i, top_scores=top_s)


def top_unit_maps(
    model: nn.Module,
    images: Sequence[str | Path],
    top_indices: np.ndarray,
    input_size: int,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
    resize_size: int | None = None,
    layer: str = "conv5",
    progress: bool = True,
) -> np.ndarray:
    """Maps of each unit on its own top images: (C, K, h, w) float32.

    ``top_indices`` (C, K) are pool indices (``UnitMaxima.top_indices``); only their union is
    run through the model.
    """
    if top_indices.ndim != 2:
        raise ValueError(f"top_indices must be (C, K), got shape {top_indices.shape}")
    union = np.unique(top_indices)  # (U,) sorted pool indices
    if union.min() < 0 or union.max() >= len(images):
        raise ValueError(f"top_indices outside the pool of {len(images)} images")
    subset = [images[i] for i in union]
    out: np.ndarray | None = None
    for start, maps in iter_maps(
        model, subset, input_size, resize_size, batch_size, device, layer, 0, progress, "top maps"
    ):
        if out is None:
            if maps.shape[1] != top_indices.shape[0]:
                raise ValueError(
                    f"top_indices has {top_indices.shape[0]} units, layer {layer!r} has "
                    f"{maps.shape[1]}"
                )
            out = np.zeros((*top_indices.shape, *maps.shape[2:]), np.float32)
        batch_ids = union[start : start + len(maps)]  # (B,) pool indices in this batch
        pos = np.searchsorted(batch_ids, top_indices)  # (C, K)
        hit = (pos < len(batch_ids)) & (
            batch_ids[np.minimum(pos, len(batch_ids) - 1)] == top_indices
        )
        units, ranks = np.nonzero(hit)
        out[units, ranks] = maps.numpy()[pos[units, ranks], units]  # (n_hits, h, w)
    assert out is not None
    return out


def pool_maps(
    model: nn.Module,
    images: Sequence[str | Path],
    input_size: int,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
    resize_size: int | None = None,
    layer: str = "conv5",
    num_workers: int = 0,
    progress: bool = True,
) -> np.ndarray:
    """Every map of the pool, (N, C, h, w) float16 (N * C * h * w * 2 bytes of memory)."""
    out: np.ndarray | None = None
    for start, maps in iter_maps(
        model, images, input_size, resize_size, batch_size, device, layer, num_workers, progress
    ):
        if out is None:
            out = np.empty((len(images), *maps.shape[1:]), np.float16)
            log.info("pool maps: %s float16 (%.1f MiB)", out.shape, out.nbytes / 2**20)
        out[start : start + len(maps)] = maps.numpy()
    assert out is not None
    return out
