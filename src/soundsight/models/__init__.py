"""Models built by name through a registry (timm-style), each with its own input spec.

Registered: ``caffenet_bn`` (Owens et al. 2018), ``caffenet_bn_cam`` (its CAM variant),
``alexnet`` and ``resnet18`` (torchvision architectures, random init). See
``base.FeatureModel`` for the shared API of the image models and ``input_spec`` for the
image / spectrogram / waveform specs (one per stream for multi-stream models).
"""

from . import alexnet, caffenet, resnet  # noqa: F401  (import registers the models)
from .base import FeatureModel, ReceptiveField
from .input_spec import ImageSpec, InputSpec, SpectrogramSpec, WaveformSpec
from .io import CheckpointMismatchError, load_model_weights, save_checkpoint
from .registry import (
    accepted_kwargs,
    build_model,
    list_models,
    model_input_spec,
    model_options,
    register_model,
)

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
