"""Models built by name through a registry (timm-style), each with its own input spec.

Registered: ``caffenet_bn`` (Owens et al. 2018), ``caffenet_bn_cam`` (its CAM variant),
``alexnet``, ``vgg16`` and ``resnet18`` (torchvision architectures, random init), ``l3_net``,
``ave_net`` and ``avol_net`` (two-stream audio-visual models, :mod:`soundsight.models.l3`). See
``base.FeatureModel`` for the shared API of the image models and ``input_spec`` for the
image / spectrogram / waveform specs (one per stream for multi-stream models).
"""

import importlib
from typing import Any

# Names -> the submodule defining them, imported on first access (PEP 562): listing and
# checking model names (``list_models``, ``accepted_kwargs``) does not import torch, so the
# workflow's DAG build does not either. The built-in models register when first built.
_EXPORTS = {
    "FeatureModel": "base",
    "ReceptiveField": "base",
    "ImageSpec": "input_spec",
    "InputSpec": "input_spec",
    "SpectrogramSpec": "input_spec",
    "WaveformSpec": "input_spec",
    "CheckpointMismatchError": "io",
    "load_model_weights": "io",
    "save_checkpoint": "io",
    "accepted_kwargs": "registry",
    "build_model": "registry",
    "list_models": "registry",
    "model_input_spec": "registry",
    "model_options": "registry",
    "register_model": "registry",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "CheckpointMismatchError",
    "FeatureModel",
    "ImageSpec",
    "InputSpec",
    "ReceptiveField",
    "SpectrogramSpec",
    "WaveformSpec",
    "accepted_kwargs",
    "build_model",
    "list_models",
    "load_model_weights",
    "model_input_spec",
    "model_options",
    "register_model",
    "save_checkpoint",
]
