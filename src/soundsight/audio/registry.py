"""Per-frame audio features built by name: a paper asks for ``mfcc`` as Owens asks for ``texture``.

A feature maps a batch of per-frame audio windows ``(N, n)`` float32 at ``sr`` Hz to one vector
per frame ``(N, D)``. The ``audio_features`` rule computes the names in ``features.names`` for
every shard and ``merge_features`` stores each under its own key of ``results/features/sound.npz``.

Features that share work are registered together as one extractor, run once for all of them:
``texture`` and ``spectrum`` both come from the cochlear envelopes (``soundsight.audio.features``),
``mfcc`` and ``mfcc_flat`` from one MFCC matrix (``soundsight.audio.mfcc``). An extractor is
``extract(audio, sr, cfg) -> {name: (N, D)}`` where ``cfg`` is the ``features:`` config section
(missing keys take the schema's defaults). To add a feature: write an extractor in a module of
this package, decorate it with ``@register_features("name")``, list the module in
``_BUILTIN_MODULES``, and add the name to the enum of ``features.names`` in the config schema.

>>> feats = compute_features(windows, 22050, ["texture", "mfcc"], config["features"])
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

Extractor = Callable[[np.ndarray, int, Mapping[str, Any]], dict[str, np.ndarray]]

_BUILTIN_MODULES = ("soundsight.audio.features", "soundsight.audio.mfcc")  # imported on first use
_REGISTRY: dict[str, Extractor] = {}


def register_features(*names: str) -> Callable[[Extractor], Extractor]:
    """Decorator registering ``extract`` as the source of the features ``names``.

    ``extract`` must return a dict holding at least every one of ``names``; ValueError when a name
    is already registered to another extractor.
    """
    if not names:
        raise ValueError("register_features needs at least one feature name")

    def decorator(extract: Extractor) -> Extractor:
        for name in names:
            if name in _REGISTRY and _REGISTRY[name] is not extract:
                raise ValueError(f"audio feature {name!r} is already registered")
            _REGISTRY[name] = extract
        return extract

    return decorator


def list_features() -> list[str]:
    """Sorted names of the registered features."""
    _load_builtins()
    return sorted(_REGISTRY)


def compute_features(
    audio: np.ndarray,
    sr: int,
    names: Sequence[str],
    cfg: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """The features ``names`` of ``audio`` (N windows, n samples) at ``sr``: ``{name: (N, D)}``.

    Each extractor runs once, in the order its first name appears. Raises KeyError listing the
    registered names when one is unknown, ValueError when an extractor returns a wrong shape.
    """
    _load_builtins()
    unknown = [name for name in names if name not in _REGISTRY]
    if unknown:
        raise KeyError(f"unknown audio feature(s) {unknown}; registered: {list_features()}")
    audio = np.asarray(audio)
    if audio.ndim != 2:
        raise ValueError(f"audio must be 2-D (windows, samples), got shape {audio.shape}")
    cfg = cfg or {}
    out: dict[str, np.ndarray] = {}
    done: list[Extractor] = []
    for name in names:
        extract = _REGISTRY[name]
        if extract not in done:
            done.append(extract)
            computed = extract(audio, sr, cfg)  # {name: (N, D)}
            out.update({k: v for k, v in computed.items() if k in names})
    for name in names:
        if out[name].ndim != 2 or len(out[name]) != len(audio):
            raise ValueError(f"feature {name!r} is {out[name].shape}, not ({len(audio)}, D)")
    return {name: out[name] for name in names}


def _load_builtins() -> None:
    """Import the modules that register the built-in features (torch, librosa: on first use)."""
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)
