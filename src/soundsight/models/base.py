"""Shared pieces of the image models: layer geometry, receptive fields and the timm-style API.

Every model built by the registry is a ``FeatureModel``:

- ``forward_features(x)`` -> the last spatial map of the trunk (conv5 for CaffeNet),
- ``forward_head(features)`` -> logits, ``forward(x)`` = both,
- ``forward_intermediates(x, layers)`` -> ``{name: tensor}`` for the named layers in
  ``layer_names``, computing only up to the deepest layer asked,
- ``feature_shapes(input_size)`` / ``feature_dims(input_size)`` -> per-example shapes / flattened
  sizes of those layers, derived from the layer geometry (no forward pass),
- ``receptive_fields()`` -> stride, size and offset in input pixels of every spatial layer,
- ``head`` (the final ``nn.Linear``), ``trunk_parameters()`` (everything else),
  ``reset_head(num_outputs)``,
- ``input_spec`` -> the :class:`~soundsight.models.input_spec.ImageSpec` its input follows
  (``spec_for(input_size=...)`` gives it from the constructor arguments without building).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from .input_spec import ImageSpec

# A stage computes one named layer from the outputs computed so far ("input" = the images).
Stage = Callable[[dict[str, Tensor]], Tensor]


@dataclass(frozen=True)
class LayerGeometry:
    """Spatial geometry of one conv/pool layer; ``source`` = the layer it reads (None: previous)."""

    name: str
    kernel: int
    stride: int = 1
    padding: int = 0
    ceil_mode: bool = False
    source: str | None = None


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of a spatial layer's units, in input pixels.

    ``size``: side of the (square) theoretical receptive field; ``stride``: input pixels between
    adjacent output positions; ``offset``: input-pixel coordinate of the centre of output
    position 0 (negative when padding reaches outside the image).
    """

    size: int
    stride: int
    offset: float

    def center(self, index: int | Tensor) -> float | Tensor:
        """Input-pixel coordinate of the centre of output position ``index`` (along one axis)."""
        return self.offset + self.stride * index


def round_channels(base: int, width: float) -> int:
    """``base * width`` rounded to a multiple of 8 (at least 8)."""
    if not width > 0:
        raise ValueError(f"width must be > 0, got {width}")
    return max(8, int(round(base * width / 8.0)) * 8)


def layer_out_size(n: int, g: LayerGeometry) -> int:
    """Output side of layer ``g`` for an input side ``n`` (PyTorch's conv/pool rounding)."""
    span = n + 2 * g.padding - g.kernel
    if span < 0 and not g.ceil_mode:
        return 0
    if not g.ceil_mode:
        return span // g.stride + 1
    out = -(-span // g.stride) + 1  # ceil division
    if (out - 1) * g.stride >= n + g.padding:  # last window must start inside the input
        out -= 1
    return out


def walk_geometry(
    geometry: Sequence[LayerGeometry], input_size: int
) -> dict[str, tuple[int, ReceptiveField]]:
    """Spatial side and receptive field of every layer in ``geometry`` for a square input.

    Raises ValueError naming the first layer whose output would be empty.
    """
    state: dict[str, tuple[int, ReceptiveField]] = {
        "input": (input_size, ReceptiveField(size=1, stride=1, offset=0.0))
    }
    prev = "input"
    for g in geometry:
        n, rf = state[g.source or prev]
        out = layer_out_size(n, g)
        if out < 1:
            raise ValueError(
                f"input_size {input_size} is too small: layer {g.name!r} (kernel {g.kernel}, "
                f"stride {g.stride}) gets a {n}x{n} input and would produce no output; the "
                f"smallest input size that works is {min_input_size(geometry)}"
            )
        new_rf = ReceptiveField(
            size=rf.size + (g.kernel - 1) * rf.stride,
            stride=rf.stride * g.stride,
            offset=rf.offset + ((g.kernel - 1) / 2.0 - g.padding) * rf.stride,
        )
        state[g.name] = (out, new_rf)
        prev = g.name
    del state["input"]
    return state


def check_layer_names(
    layers: Sequence[str] | str, valid: Sequence[str], model: str
) -> tuple[str, ...]:
    """``layers`` as a tuple (a bare string counts as one name), checked against the ``valid``
    layer names of the model class called ``model``; ValueError listing the valid ones."""
    names = (layers,) if isinstance(layers, str) else tuple(layers)
    if not names:
        raise ValueError("forward_intermediates needs at least one layer name")
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(f"unknown layer name(s) {unknown} for {model}; valid names: {list(valid)}")
    return names


def run_stages(
    stages: dict[str, Callable[[dict[str, Tensor]], Tensor]],
    names: Sequence[str],
    outputs: dict[str, Tensor],
) -> dict[str, Tensor]:
    """The ``names`` layers' outputs, running the ordered ``stages`` (each reads the outputs so
    far, ``outputs`` holding the input) only up to the deepest layer asked."""
    order = list(stages)
    last = max(order.index(n) for n in names)
    for name in order[: last + 1]:
        outputs[name] = stages[name](outputs)
    return {n: outputs[n] for n in names}


def min_input_size(geometry: Sequence[LayerGeometry], limit: int = 4096) -> int:
    """Smallest square input side for which every layer of ``geometry`` has a non-empty output."""
    for n in range(1, limit + 1):
        if _all_non_empty(geometry, n):
            return n
    raise ValueError(f"no input side up to {limit} px gives non-empty outputs")


def _all_non_empty(geometry: Sequence[LayerGeometry], input_size: int) -> bool:
    sides = {"input": input_size}
    prev = "input"
    for g in geometry:
        sides[g.name] = layer_out_size(sides[g.source or prev], g)
        if sides[g.name] < 1:
            return False
        prev = g.name
    return True


class FeatureModel(nn.Module):
    """Base class of the registry's image models (timm-style split of trunk and head).

    Subclasses set ``layer_names``, ``feature_layer`` (the map returned by ``forward_features``),
    ``head`` (an ``nn.Linear``) and implement ``_stages``, ``_geometry``, ``_layer_channels``,
    ``forward_features`` and ``forward_head``.
    """

    layer_names: tuple[str, ...] = ()
    default_layers: tuple[str, ...] = ()
    feature_layer: str = ""
    head_layers: tuple[str, ...] = ()  # modules after the last conv layer: fine-tuning's "head"
    head: nn.Linear

    def __init__(self, num_outputs: int, input_size: int, multilabel: bool) -> None:
        super().__init__()
        if num_outputs < 1:
            raise ValueError(f"num_outputs must be >= 1, got {num_outputs}")
        self.num_outputs = int(num_outputs)
        self.input_size = int(input_size)
        self.multilabel = bool(multilabel)

    # --- to implement -------------------------------------------------------------------------
    def _stages(self) -> dict[str, Stage]:
        """Ordered ``{layer name: stage}`` covering ``layer_names`` (plus hidden helpers)."""
        raise NotImplementedError

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        """Geometry of every spatial layer (conv and pool) along the trunk."""
        raise NotImplementedError

    def _layer_channels(self) -> dict[str, int]:
        """Channels (or vector length) of every layer in ``layer_names``."""
        raise NotImplementedError

    def _vector_layers(self) -> frozenset[str]:
        """Layers whose output is a (B, C) vector rather than a (B, C, h, w) map."""
        raise NotImplementedError

    def forward_features(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> the ``feature_layer`` map (B, C, h, w)."""
        raise NotImplementedError

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """``feature_layer`` map -> logits (B, num_outputs) (or the head's input if pre_logits)."""
        raise NotImplementedError

    def _fixed_sides(self) -> dict[str, int]:
        """Spatial side of map layers whose size does not follow the geometry (adaptive pools)."""
        return {}

    @classmethod
    def spec_for(cls, input_size: int, **_: Any) -> ImageSpec:
        """The input spec of a model built with ``input_size`` (other constructor arguments are
        ignored here; override where they change the input): RGB ``input_size`` crops of frames
        resized to 256/227 of it, ImageNet-normalised."""
        return ImageSpec(int(input_size))

    # --- shared API ---------------------------------------------------------------------------
    @property
    def input_spec(self) -> ImageSpec:
        """What ``forward`` takes: see :meth:`spec_for` (``input_spec.shape`` = (3, S, S))."""
        return self.spec_for(input_size=self.input_size)

    def forward(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> logits (B, num_outputs)."""
        return self.forward_head(self.forward_features(x))

    def check_layers(self, layers: Sequence[str] | str) -> tuple[str, ...]:
        """Validate layer names (a bare string counts as one name); ValueError lists valid ones."""
        return check_layer_names(layers, self.layer_names, type(self).__name__)

    def forward_intermediates(
        self, x: Tensor, layers: Sequence[str] | str | None = None
    ) -> dict[str, Tensor]:
        """Named layer outputs for images x (B, 3, H, W), in the order asked.

        Only the stages up to the deepest layer asked are computed. Maps are (B, C, h, w),
        vector layers (B, C); all are post-ReLU where the layer has a ReLU.
        """
        names = self.check_layers(self.default_layers if layers is None else layers)
        return run_stages(self._stages(), names, {"input": x})

    def feature_shapes(self, input_size: int | None = None) -> dict[str, tuple[int, ...]]:
        """Per-example output shape of every layer in ``layer_names`` for a square input."""
        size = self.input_size if input_size is None else int(input_size)
        spatial = walk_geometry(self._geometry(), size)
        channels = self._layer_channels()
        vectors = self._vector_layers()
        fixed = self._fixed_sides()
        shapes: dict[str, tuple[int, ...]] = {}
        for name in self.layer_names:
            if name in vectors:
                shapes[name] = (channels[name],)
            else:
                side = fixed[name] if name in fixed else spatial[name][0]
                shapes[name] = (channels[name], side, side)
        return shapes

    def feature_dims(self, input_size: int | None = None) -> dict[str, int]:
        """Flattened per-example size of every layer in ``layer_names``."""
        return {k: math.prod(v) for k, v in self.feature_shapes(input_size).items()}

    def receptive_fields(self) -> dict[str, ReceptiveField]:
        """Receptive field (input pixels) of every spatial layer in ``layer_names``."""
        geo = walk_geometry(self._geometry(), self.input_size)
        return {n: geo[n][1] for n in self.layer_names if n in geo}

    @property
    def receptive_field(self) -> ReceptiveField:
        """Receptive field of ``feature_layer`` (conv5 for CaffeNet: 163 px, stride 16)."""
        return self.receptive_fields()[self.feature_layer]

    def trunk_parameters(self) -> Iterator[nn.Parameter]:
        """All parameters except those of the final classifier ``head``."""
        head_ids = {id(p) for p in self.head.parameters()}
        return (p for p in self.parameters() if id(p) not in head_ids)

    def reset_head(self, num_outputs: int, seed: int | None = None) -> None:
        """Replace ``head`` by a freshly initialised ``nn.Linear`` with ``num_outputs`` outputs."""
        if num_outputs < 1:
            raise ValueError(f"num_outputs must be >= 1, got {num_outputs}")
        old = self.head
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            new = nn.Linear(old.in_features, num_outputs)
            init_linear_(new)
        self.head = new.to(device=old.weight.device, dtype=old.weight.dtype)
        self.num_outputs = int(num_outputs)

    def predict_proba(self, logits: Tensor) -> Tensor:
        """Logits -> probabilities: sigmoid if ``multilabel`` else softmax over outputs."""
        return torch.sigmoid(logits) if self.multilabel else torch.softmax(logits, dim=1)


def init_conv_(conv: nn.Conv2d) -> None:
    """He-normal (fan_out, ReLU) weights and zero bias."""
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)


def init_linear_(linear: nn.Linear) -> None:
    """N(0, 0.01) weights and zero bias (Caffe's fc initialisation)."""
    nn.init.normal_(linear.weight, 0.0, 0.01)
    if linear.bias is not None:
        nn.init.zeros_(linear.bias)


def init_module_(module: nn.Module) -> None:
    """Initialise every conv, linear and batch-norm layer inside ``module``."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            init_conv_(m)
        elif isinstance(m, nn.Linear):
            init_linear_(m)
        elif isinstance(m, nn.modules.batchnorm._BatchNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def tile_to_length(x: Tensor, length: int) -> Tensor:
    """(B, C, T) -> (B, C, max(T, length)): a shorter clip repeated circularly, then cut."""
    n = x.shape[-1]
    if n >= length:
        return x
    if n < 1:
        raise ValueError("cannot tile an empty waveform")
    return x.repeat(1, 1, math.ceil(length / n))[..., :length]
