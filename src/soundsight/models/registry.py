"""Models built by name (timm-style registry).

>>> model = build_model("caffenet_bn", num_outputs=30, width=0.5, input_size=128)
>>> model_input_spec("caffenet_bn", width=0.5, input_size=128).resize_size  # no weights built
144

A registered factory is a class or function taking ``num_outputs`` and keyword arguments; the
model it returns has an ``input_spec`` (:mod:`soundsight.models.input_spec`). Its signature is
the list of options it accepts: :func:`build_model` rejects others by name, and
:func:`accepted_kwargs` picks those that apply out of a workflow's settings.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # torch is imported where a model is built, not to list or check names
    from torch import nn

    from .input_spec import ModelInputSpec

log = logging.getLogger(__name__)

F = TypeVar("F", bound="Callable[..., nn.Module]")

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}
# The built-in models and the module whose import registers each: listed without importing
# torch (the workflow checks its model sheet against these names at DAG-build time).
BUILTIN_MODELS = {
    "alexnet": "alexnet",
    "ave_net": "l3",
    "avol_net": "l3",
    "caffenet_bn": "caffenet",
    "caffenet_bn_cam": "caffenet",
    "l3_net": "l3",
    "resnet18": "resnet",
    "soundnet5": "soundnet",
    "soundnet8": "soundnet",
    "vgg16": "vgg",
}


def register_model(name: str) -> Callable[[F], F]:
    """Decorator registering a model class or factory under ``name`` (ValueError if taken)."""

    def decorator(factory: F) -> F:
        _import_builtin(name)  # a built-in name is taken even before its module is imported
        if name in _REGISTRY and _REGISTRY[name] is not factory:
            raise ValueError(f"model name {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorator


def _import_builtin(name: str) -> None:
    """Import the module that registers the built-in model ``name`` (a no-op for other names,
    and while that module is being imported)."""
    if name in BUILTIN_MODELS and name not in _REGISTRY:
        importlib.import_module(f"{__package__}.{BUILTIN_MODELS[name]}")


def list_models() -> list[str]:
    """Sorted names of the registered models (the built-in ones whether imported yet or not)."""
    return sorted(set(_REGISTRY) | set(BUILTIN_MODELS))


def _factory(name: str) -> Callable[..., nn.Module]:
    """The factory registered as ``name`` (a built-in's module is imported on first use);
    KeyError listing the registered names otherwise."""
    _import_builtin(name)
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; registered models: {list_models()}")
    return _REGISTRY[name]


def model_options(name: str) -> tuple[str, ...] | None:
    """Constructor arguments the model ``name`` accepts, in signature order (``num_outputs``
    included); None if its factory takes arbitrary ``**kwargs``."""
    params = inspect.signature(_factory(name)).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(p.name for p in params if p.kind in kinds)


def accepted_kwargs(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``options`` that the model ``name`` takes as constructor arguments.

    For a workflow whose settings (e.g. the CaffeNet ``width``) do not apply to every model:
    ``accepted_kwargs("resnet18", {"width": 0.5, "input_size": 112}) == {"input_size": 112}``.
    """
    known = model_options(name)
    return dict(options) if known is None else {k: v for k, v in options.items() if k in known}


def check_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    """TypeError naming the arguments the model ``name`` does not take, and those it does."""
    known = model_options(name)
    unknown = [] if known is None else [k for k in kwargs if k not in known]
    if unknown:
        raise TypeError(
            f"model {name!r} takes no argument(s) {unknown}; its arguments: {list(known or ())}"
        )


def model_input_spec(name: str, **kwargs: Any) -> ModelInputSpec:
    """The input spec of ``build_model(name, **kwargs)`` without building its weights where the
    model class says how (``spec_for``, called with the bound constructor arguments and their
    defaults); otherwise the model is built on the meta device (no memory, no RNG draws)."""
    factory = _factory(name)
    check_kwargs(name, kwargs)
    spec_for = getattr(factory, "spec_for", None)
    if spec_for is not None:
        bound = inspect.signature(factory).bind_partial(**kwargs)
        bound.apply_defaults()
        return spec_for(**bound.arguments)
    import torch

    with torch.device("meta"):
        return factory(**kwargs).input_spec


def build_model(name: str, seed: int | None = None, **kwargs: Any) -> nn.Module:
    """Build the model registered as ``name`` with ``kwargs``.

    With ``seed``, the initial weights come from ``torch.manual_seed(seed)`` inside a forked RNG
    (the global RNG is left untouched); without it they come from the global RNG.
    Raises KeyError listing the registered names when ``name`` is unknown, and TypeError listing
    the model's arguments for one it does not take (see :func:`accepted_kwargs`).
    """
    import torch

    factory = _factory(name)
    check_kwargs(name, kwargs)
    if seed is None:
        model = factory(**kwargs)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = factory(**kwargs)
    n_params = sum(p.numel() for p in model.parameters())
    log.debug("built %s(%s): %d parameters", name, kwargs, n_params)
    return model
