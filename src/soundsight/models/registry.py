"""Models built by name (timm-style registry).

>>> model = build_model("caffenet_bn", num_outputs=30, width=0.5, input_size=128)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import nn

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., nn.Module])

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(name: str) -> Callable[[F], F]:
    """Decorator registering a model class or factory under ``name`` (ValueError if taken)."""

    def decorator(factory: F) -> F:
        if name in _REGISTRY and _REGISTRY[name] is not factory:
            raise ValueError(f"model name {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorator


def list_models() -> list[str]:
    """Sorted names of the registered models."""
    return sorted(_REGISTRY)


def build_model(name: str, seed: int | None = None, **kwargs: Any) -> nn.Module:
    """Build the model registered as ``name`` with ``kwargs``.

    With ``seed``, the initial weights come from ``torch.manual_seed(seed)`` inside a forked RNG
    (the global RNG is left untouched); without it they come from the global RNG.
    Raises KeyError listing the registered names when ``name`` is unknown.
    """
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; registered models: {list_models()}")
    factory = _REGISTRY[name]
    if seed is None:
        model = factory(**kwargs)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = factory(**kwargs)
    n_params = sum(p.numel() for p in model.parameters())
    log.debug("built %s(%s): %d parameters", name, kwargs, n_params)
    return model
