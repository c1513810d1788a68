"""Image models built by name through a registry (timm-style).

Registered: ``caffenet_bn`` (Owens et al. 2018), ``caffenet_bn_cam`` (its CAM variant) and
``resnet18`` (torchvision, random init). See ``base.FeatureModel`` for the shared API.
"""

from . import caffenet, resnet  # noqa: F401  (import registers the models)
from .base import FeatureModel, ReceptiveField
from .io import CheckpointMismatchError, load_model_weights, save_checkpoint
from .registry import build_model, list_models, register_model

__all__ = [
    "CheckpointMismatchError",
    "FeatureModel",
    "ReceptiveField",
    "build_model",
    "list_models",
    "load_model_weights",
    "register_model",
    "save_checkpoint",
]
