"""Model weight checkpoints: state dicts only, loaded with ``torch.load(weights_only=True)``."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

log = logging.getLogger(__name__)

# Types that torch.load(weights_only=True) reads back without extra allow-listing.
_PLAIN = (str, int, float, bool, type(None), torch.Tensor, torch.Size)


class CheckpointMismatchError(ValueError):
    """A checkpoint's state dict does not fit the model (missing/unexpected key, wrong shape)."""


def _check_plain(value: Any, where: str) -> None:
    """TypeError naming the first value that ``weights_only`` loading would refuse."""
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str | int):
                raise TypeError(f"checkpoint {where}: key {k!r} must be str or int")
            _check_plain(v, f"{where}[{k!r}]")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
        return
    raise TypeError(
        f"checkpoint {where} has type {type(value).__name__}; use str/int/float/bool/None, "
        "tensors, lists or dicts (e.g. str(path), arr.tolist())"
    )


def save_checkpoint(
    path: str | Path, model: nn.Module, extra: dict[str, Any] | None = None
) -> Path:
    """Write ``{"state_dict": CPU tensors, "extra": extra}`` to ``path`` atomically."""
    path = Path(path)
    extra = dict(extra or {})
    _check_plain(extra, "extra")
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        torch.save({"state_dict": state, "extra": extra}, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("saved %d tensors to %s", len(state), path)
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """``{"state_dict", "extra"}`` from ``save_checkpoint``'s file (or a bare state dict).

    Also accepts a training checkpoint whose weights sit under ``"model"``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    obj = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(obj, Mapping):
        raise ValueError(f"checkpoint {path} holds a {type(obj).__name__}, not a dict")
    for key in ("state_dict", "model"):
        if key in obj and isinstance(obj[key], Mapping):
            return {"state_dict": dict(obj[key]), "extra": dict(obj.get("extra", {}))}
    if all(isinstance(v, torch.Tensor) for v in obj.values()):
        return {"state_dict": dict(obj), "extra": {}}
    raise ValueError(f"checkpoint {path} has no 'state_dict' (keys: {sorted(map(str, obj))})")


def check_state_dict(model: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """CheckpointMismatchError naming the keys that are missing, unexpected or of wrong shape."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [
        f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    problems = []
    if missing:
        problems.append(f"missing key(s) {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    if unexpected:
        problems.append(
            f"unexpected key(s) {unexpected[:5]}{' ...' if len(unexpected) > 5 else ''}"
        )
    if wrong:
        problems.append(f"shape mismatch {wrong[:5]}{' ...' if len(wrong) > 5 else ''}")
    if problems:
        raise CheckpointMismatchError(
            f"{source} does not fit {type(model).__name__}: " + "; ".join(problems)
        )


def load_model_weights(path: str | Path, model: nn.Module) -> dict[str, Any]:
    """Load the weights in ``path`` into ``model`` (strict); returns the checkpoint's ``extra``."""
    ckpt = load_checkpoint(path)
    check_state_dict(model, ckpt["state_dict"], f"checkpoint {path}")
    model.load_state_dict(ckpt["state_dict"], strict=True)
    return ckpt["extra"]
