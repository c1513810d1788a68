"""Data-parallel pretext training over N processes (DDP), behind a rule's ``gpu=N`` resource.

Every rank draws the same global batch order (:class:`IterationBatchSampler`) and takes its
contiguous chunk of each global batch; DDP averages the gradients and, on CUDA, BatchNorm
statistics are synchronised (``SyncBatchNorm``), so N ranks follow the single-process trajectory
of the same global batch up to floating-point summation order (without dropout; with it, each
rank draws its own masks). Rank 0 alone evaluates, checkpoints and writes the outputs. On CUDA
rank r uses ``cuda:r`` and NCCL; on CPU (used by the tests) gloo, where torch has no
SyncBatchNorm, so BatchNorm statistics are those of each rank's chunk.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.utils.data import Sampler


@dataclass(frozen=True)
class Rank:
    """This process's place in the run (``world_size`` 1: plain single-process training)."""

    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that evaluates, checkpoints and writes outputs."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


class RankBatchSampler(Sampler[list]):
    """Rank ``rank``'s contiguous chunk of each global batch of ``batches``."""

    def __init__(self, batches: Sampler[list], batch_size: int, rank: Rank) -> None:
        if batch_size % rank.world_size:
            raise ValueError(
                f"batch_size {batch_size} is not divisible by the {rank.world_size} processes"
            )
        self.batches, self.rank = batches, rank
        self.chunk = batch_size // rank.world_size

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[list]:
        lo = self.rank.rank * self.chunk
        for batch in self.batches:
            yield batch[lo : lo + self.chunk]


def rank_device(device: torch.device, rank: Rank) -> torch.device:
    """``cuda:rank`` for a distributed CUDA run; ``device`` otherwise."""
    if device.type == "cuda" and rank.distributed:
        return torch.device("cuda", rank.rank)
    return device


def wrap(model: nn.Module, device: torch.device, rank: Rank) -> nn.Module:
    """``model`` itself when single-process, else DDP around it (BatchNorm made SyncBatchNorm by
    :func:`sync_batchnorm` beforehand, so the optimizer sees the final parameters)."""
    if not rank.distributed:
        return model
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def sync_batchnorm(model: nn.Module, device: torch.device, rank: Rank) -> nn.Module:
    """BatchNorm layers synchronised across CUDA ranks (state-dict keys unchanged)."""
    if rank.distributed and device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(model)
    return model


def mean_over_ranks(values: torch.Tensor, rank: Rank) -> torch.Tensor:
    """Mean of ``values`` over the ranks (itself when single-process)."""
    if not rank.distributed:
        return values
    values = values.clone()
    dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values / rank.world_size


def launch(fn: Callable[..., Any], world_size: int, device: torch.device, *args: Any) -> None:
    """Run ``fn(Rank(r, world_size), *args)`` in ``world_size`` processes and wait for them
    (NCCL when ``device`` is CUDA, gloo otherwise)."""
    backend = "nccl" if device.type == "cuda" else "gloo"
    with tempfile.TemporaryDirectory() as tmp:
        init = str(Path(tmp) / "rendezvous")
        mp.spawn(_worker, args=(world_size, backend, init, fn, args), nprocs=world_size, join=True)


def _worker(
    rank: int, world_size: int, backend: str, init_file: str, fn: Callable[..., Any], args: tuple
) -> None:
    if backend == "nccl":
        torch.cuda.set_device(rank)
    dist.init_process_group(
        backend, init_method=f"file://{init_file}", rank=rank, world_size=world_size
    )
    try:
        fn(Rank(rank, world_size), *args)
    finally:
        dist.destroy_process_group()
