"""Which torch device a step runs on, waiting for it, and recording it next to a timing."""

from __future__ import annotations

import os
import platform
from typing import Any

import torch


def resolve_device(name: str) -> torch.device:
    """``auto`` -> cuda when available, else cpu; ValueError for an unavailable CUDA device."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but CUDA is not available")
    return device


def synchronize(device: torch.device) -> None:
    """Wait for the work queued on ``device`` (a no-op on CPU), so that timings are real."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_record(device: Any) -> dict[str, Any]:
    """What a timing was measured on: the torch device and its name (the GPU model, or the CPU),
    torch's version and thread count, the machine's cores and its 1-minute load now."""
    device = torch.device(device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = platform.processor() or platform.machine()
    return {
        "device": str(device),
        "device_name": name,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_at_start": os.getloadavg()[0],
    }
