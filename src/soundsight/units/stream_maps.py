"""A two-stream network's units: their top inputs and where in each input they fire.

Look, Listen and Learn, Figs. 3-8: for a few ``pool4`` units of each subnet, the five clips that
activate the unit most, each shown with the unit's ``conv4_2`` map as a heat map over the frame
(vision) or over the log-spectrogram (audio). Here:

- the units' activations are the clips' ``pool4`` embeddings (the global max of ``conv4_2``,
  :mod:`soundsight.probes.avc_embeddings`), so the ranking is the one the unit-preference
  counts use (:func:`soundsight.eval.clusters.top_inputs`);
- :func:`select_units` takes units with a preferred class (``m`` of their top ``n`` clips of
  one class), one per class, the most selective first, then fills up with the most active
  units;
- :func:`unit_heatmaps` recomputes the unit's ``conv4_2`` map on its top clips and upsamples it
  bilinearly to the input (frame S x S, spectrogram F x T), normalised by the map's maximum over
  the clips shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from soundsight.eval.clusters import preferred_classes, top_inputs
from soundsight.eval.localisation import upsample_maps
from soundsight.probes.avc_embeddings import image_spec_of
from soundsight.probes.extract import probe_transform

MAP_LAYERS = {"vision": "vision.conv4_2", "audio": "audio.conv4_2"}  # stream -> unit maps


@dataclass(frozen=True)
class ChosenUnit:
    """One unit shown: its index, preferred class (None: none) and top clips (indices)."""

    unit: int
    label: str | None
    share: int  # how many of its top clips carry ``label``
    top: tuple[int, ...]


def select_units(
    activations: np.ndarray, labels: Sequence[str], n_units: int, m: int = 4, n: int = 5
) -> list[ChosenUnit]:
    """Up to ``n_units`` units of activations (N, U): those with a preferred class, one per
    class (most top clips of the class first, then the higher top-``n`` mean activation), then
    the most active others."""
    A = np.asarray(activations, dtype=np.float64)
    y = np.asarray(labels).astype(str)
    top = top_inputs(A, min(n, len(A)))  # (U, n)
    pref = preferred_classes(A, y, min(m, top.shape[1]), top.shape[1])
    share = np.array(
        [(y[t] == p).sum() if p is not None else 0 for t, p in zip(top, pref, strict=True)]
    )
    strength = np.take_along_axis(A.T, top, axis=1).mean(axis=1)  # (U,)
    order = sorted(range(A.shape[1]), key=lambda u: (-share[u], -strength[u], u))
    chosen: list[int] = []
    seen: set[str] = set()
    for u in order:
        if pref[u] is not None and pref[u] not in seen:
            chosen.append(u)
            seen.add(str(pref[u]))
    chosen += [u for u in sorted(order, key=lambda u: (-strength[u], u)) if u not in chosen]
    return [
        ChosenUnit(u, None if pref[u] is None else str(pref[u]), int(share[u]), tuple(top[u]))
        for u in chosen[: max(int(n_units), 0)]
    ]


def vision_inputs(model: nn.Module, images: Sequence[Image.Image]) -> torch.Tensor:
    """(B, 3, S, S) frames through the model's image transform (as the embeddings saw them)."""
    transform = probe_transform(image_spec_of(model))
    return torch.stack([transform(im) for im in images])


def unit_heatmaps(
    model: nn.Module, stream: str, x: torch.Tensor, unit: int
) -> tuple[np.ndarray, np.ndarray]:
    """The unit's map on inputs x (vision: (B, 3, S, S); audio: (B, 1, F, T) spectrograms)
    upsampled to the input, scaled to [0, 1] by its maximum over the batch, and the input as
    it is shown ((B, S, S, 3) RGB in [0, 1], or (B, F, T) log-spectrograms)."""
    layer = MAP_LAYERS[stream]
    (name,) = model.check_layers([layer])
    key = "image" if stream == "vision" else "audio"
    with torch.no_grad():
        maps = model.eval().forward_intermediates({key: x}, [name])[name][:, unit]  # (B, h, w)
    heat = upsample_maps(maps.cpu(), tuple(x.shape[-2:])).numpy()
    heat = np.maximum(heat, 0.0) / max(float(heat.max()), 1e-12)
    if stream == "vision":
        spec = image_spec_of(model)
        mean, std = (
            np.asarray(spec.mean)[None, :, None, None],
            np.asarray(spec.std)[None, :, None, None],
        )
        shown = np.clip(x.cpu().numpy() * std + mean, 0.0, 1.0).transpose(0, 2, 3, 1)
    else:
        shown = x[:, 0].cpu().numpy()
    return heat, shown


__all__ = ["ChosenUnit", "MAP_LAYERS", "select_units", "unit_heatmaps", "vision_inputs"]
