"""A trained model on disk: ``model.pt`` (state dict) next to ``model.json`` (how to rebuild it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from soundsight.models.io import load_model_weights
from soundsight.models.registry import build_model


def write_spec(path: str | Path, name: str, num_outputs: int, **kwargs: Any) -> dict[str, Any]:
    """Write the registry name and constructor arguments that rebuild a saved model."""
    spec = {"name": name, "num_outputs": int(num_outputs), "kwargs": kwargs}
    Path(path).write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n")
    return spec


def load_trained(weights: str | Path, spec: str | Path | None = None) -> torch.nn.Module:
    """Rebuild a model from ``model.json`` and load ``model.pt`` (weights_only=True), in eval mode.

    ``spec`` defaults to ``model.json`` beside the weights.
    """
    spec_path = Path(spec) if spec else Path(weights).with_name("model.json")
    if not spec_path.exists():
        raise FileNotFoundError(f"model spec {spec_path} not found (written with the weights)")
    s = json.loads(spec_path.read_text())
    model = build_model(s["name"], num_outputs=s["num_outputs"], **s["kwargs"])
    load_model_weights(weights, model)
    return model.eval()
