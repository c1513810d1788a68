"""A trained model on disk: ``model.pt`` (state dict) next to ``model.json`` (how to rebuild it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from soundsight.models.io import check_state_dict, load_checkpoint, load_model_weights
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


def renamed(
    state: Mapping[str, torch.Tensor], rename: Mapping[str, str]
) -> dict[str, torch.Tensor]:
    """``state`` with each key's first matching prefix ``old`` replaced by ``rename[old]``
    (torchvision's ``classifier.6.`` -> the registry's ``head.``)."""
    out = {}
    for key, value in state.items():
        old = next((o for o in rename if key.startswith(o)), None)
        out[rename[old] + key[len(old) :] if old is not None else key] = value
    return out


def load_local(
    weights: str | Path,
    model: str,
    num_outputs: int,
    kwargs: Mapping[str, Any] | None = None,
    rename: Mapping[str, str] | None = None,
) -> torch.nn.Module:
    """A registered ``model`` holding the user's local ``weights`` (e.g. an ImageNet VGG-16 state
    dict), keys renamed by ``rename``, loaded strictly with weights_only=True; eval mode.

    Raises CheckpointMismatchError naming the keys that do not fit."""
    net = build_model(model, num_outputs=num_outputs, **dict(kwargs or {}))
    state = renamed(load_checkpoint(weights)["state_dict"], rename or {})
    check_state_dict(net, state, f"local weights {weights}")
    net.load_state_dict(state, strict=True)
    return net.eval()
