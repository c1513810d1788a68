"""SoundNet (Aytar, Vondrick & Torralba 2016): 1-D conv nets on raw waveform, width-scalable.

SoundNet-8 (paper Table 1; channels at ``width=1``, kernel / stride / padding)::

    conv1 16, 64/2/32 -> pool1 max 8/8 -> conv2 32, 32/2/16 -> pool2 max 8/8
    -> conv3 64, 16/2/8 -> conv4 128, 8/2/4 -> conv5 256, 4/2/2 -> pool5 max 4/4
    -> conv6 512, 4/2/2 -> conv7 1024, 4/2/2
    -> conv8 two heads: objects (K_obj) and scenes (K_scene), 8/2, no padding

SoundNet-5 (paper Table 2)::

    conv1 32, 64/2/32 -> pool1 8/8 -> conv2 64, 32/2/16 -> pool2 8/8
    -> conv3 128, 16/2/8 -> pool3 8/8 -> conv4 256, 8/2/4
    -> conv5 two heads, 16/12/4

Every trunk conv is followed by BatchNorm and ReLU; the heads are plain convolutions (their
outputs are logits, turned into per-step posteriors by a softmax in the distillation loss).
The paper's ``# of Filters`` for the last layer (1401) is the two heads together: ImageNet's
1000 object classes and Places' 401 scene classes.

Output lengths for a 20 s crop at 22,050 Hz (441,000 samples), from kernel / stride / padding
(``floor((n + 2p - k) / s) + 1``), against the paper's ``Dim.`` row of Table 1:

    layer  conv1    pool1   conv2   pool2  conv3  conv4  conv5  pool5  conv6  conv7  conv8
    true   220,501  27,562  13,782  1,722  862    432    217    54     28     15     4
    paper  220,050  27,506  13,782  1,722  862    432    217    54     28     15     4

The paper's conv1 (220,050) and pool1 (27,506) are typos: no kernel / stride / padding gives
them and the later layers only follow from 220,501 and 27,562. (Table 1 also prints stride 1
for its pooling layers: Torch's 2-D ``SpatialMaxPooling(1, 8, 1, 8)`` notation, stride 1 along
the unit width axis; along time the stride equals the kernel, or conv2 could not be 13,782.)
Table 2 repeats Table 1's Dim. row; SoundNet-5's true lengths are conv1..pool2 as above, then
conv3 862, pool3 107, conv4 54, conv5 4 (see :data:`PAPER_DIMS`).

The input (:class:`~soundsight.models.input_spec.WaveformSpec`): mono 22,050 Hz waveforms
scaled to [-256, 256] (``scale=256``). The original loader asserts its input lies within +-256;
a port fed [-1, 1] waveforms trained a net 256x off its expected input range and lost accuracy,
so data transforms must multiply [-1, 1] audio by ``input_spec.scale``.

conv8 has no padding, so the net needs at least :meth:`SoundNet.min_samples` samples
(209,374 for SoundNet-8: 9.5 s at 22,050 Hz). A shorter clip is tiled circularly up to that
length (as the original repeats short ESC clips), never an error. ``forward`` returns the
per-time-step logits of both heads, ``{"object": (B, K_obj, T), "scene": (B, K_scene, T)}``
(T = 4 for a 20 s crop), what distillation compares with the teachers' posteriors
(:class:`soundsight.train.tasks.DistillationTask`).

Registered as ``soundnet8`` and ``soundnet5``; trained by the pretext path's ``distillation``
kind (:func:`soundsight.train.distill.train_distillation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from .base import LayerGeometry, check_layer_names, layer_out_size, run_stages, tile_to_length
from .input_spec import WaveformSpec
from .registry import register_model

SAMPLE_RATE = 22_050
WAVEFORM_SCALE = 256.0  # the original loader's input range is [-256, 256]
CROP_SECONDS = 20.0  # the original training crops
HEADS = ("object", "scene")
MIN_CHANNELS = 4
Stage = Callable[[dict[str, Tensor]], Tensor]


@dataclass(frozen=True)
class Layer1d:
    """One layer of a SoundNet: a conv (BN + ReLU) or max pool; ``channels`` at width 1."""

    name: str
    kind: str  # "conv", "pool" or "head"
    kernel: int
    stride: int
    padding: int = 0
    channels: int = 0  # conv only

    @property
    def geometry(self) -> LayerGeometry:
        return LayerGeometry(self.name, self.kernel, self.stride, self.padding)


SOUNDNET8 = (
    Layer1d("conv1", "conv", 64, 2, 32, 16),  # (B, 16, T/2)
    Layer1d("pool1", "pool", 8, 8),  # (B, 16, T/16)
    Layer1d("conv2", "conv", 32, 2, 16, 32),  # (B, 32, T/32)
    Layer1d("pool2", "pool", 8, 8),  # (B, 32, T/256)
    Layer1d("conv3", "conv", 16, 2, 8, 64),  # (B, 64, T/512)
    Layer1d("conv4", "conv", 8, 2, 4, 128),  # (B, 128, T/1024)
    Layer1d("conv5", "conv", 4, 2, 2, 256),  # (B, 256, T/2048)
    Layer1d("pool5", "pool", 4, 4),  # (B, 256, T/8192)
    Layer1d("conv6", "conv", 4, 2, 2, 512),  # (B, 512, T/16384)
    Layer1d("conv7", "conv", 4, 2, 2, 1024),  # (B, 1024, T/32768)
    Layer1d("conv8", "head", 8, 2, 0),  # (B, K, (T7 - 8) / 2 + 1): 4 steps for 20 s
)
SOUNDNET5 = (
    Layer1d("conv1", "conv", 64, 2, 32, 32),  # (B, 32, T/2)
    Layer1d("pool1", "pool", 8, 8),  # (B, 32, T/16)
    Layer1d("conv2", "conv", 32, 2, 16, 64),  # (B, 64, T/32)
    Layer1d("pool2", "pool", 8, 8),  # (B, 64, T/256)
    Layer1d("conv3", "conv", 16, 2, 8, 128),  # (B, 128, T/512)
    Layer1d("pool3", "pool", 8, 8),  # (B, 128, T/4096)
    Layer1d("conv4", "conv", 8, 2, 4, 256),  # (B, 256, T/8192)
    Layer1d("conv5", "head", 16, 12, 4),  # (B, K, .): 4 steps for 20 s
)
# The Dim. rows as printed (Tables 1 and 2; typos included, see the module docstring).
PAPER_DIMS = {
    "soundnet8": {
        "conv1": 220_050, "pool1": 27_506, "conv2": 13_782, "pool2": 1_722, "conv3": 862,
        "conv4": 432, "conv5": 217, "pool5": 54, "conv6": 28, "conv7": 15, "conv8": 4,
    },
    "soundnet5": {
        "conv1": 220_050, "pool1": 27_506, "conv2": 13_782, "pool2": 1_722, "conv3": 862,
        "pool3": 432, "conv4": 217, "conv5": 54,
    },
}  # fmt: skip


def scaled(base: int, width: float) -> int:
    """``base * width`` rounded, at least :data:`MIN_CHANNELS`."""
    if not width > 0:
        raise ValueError(f"width must be > 0, got {width}")
    return max(MIN_CHANNELS, round(base * width))


class SoundNet(nn.Module):
    """Shared body of SoundNet-8 and SoundNet-5 (``layers`` = the paper's table).

    ``forward(x)`` -> ``{"object": (B, K_obj, T), "scene": (B, K_scene, T)}`` logits per time
    step; ``forward_features(x)`` -> the last trunk layer (B, C, T'); ``forward_head``;
    ``forward_intermediates(x, layers)`` (``layer_names``: every layer, the heads as
    ``<head layer>.object`` / ``.scene``); ``feature_shapes(num_samples)`` (geometry only);
    ``head`` (an ``nn.ModuleDict`` of the two head convs), ``trunk_parameters()``,
    ``reset_head(num_outputs, num_scene_outputs)``.
    """

    layers: ClassVar[tuple[Layer1d, ...]] = ()
    default_layers: ClassVar[tuple[str, ...]] = ()
    head_layers: ClassVar[tuple[str, ...]] = ("head",)  # the two head convs after the trunk
    multilabel = False

    def __init__(
        self,
        num_outputs: int = 1000,
        num_scene_outputs: int = 401,
        width: float = 1.0,
        num_samples: int = round(CROP_SECONDS * SAMPLE_RATE),
    ) -> None:
        super().__init__()
        for what, k in (("num_outputs", num_outputs), ("num_scene_outputs", num_scene_outputs)):
            if k < 1:
                raise ValueError(f"{what} must be >= 1, got {k}")
        self.num_outputs, self.num_scene_outputs = int(num_outputs), int(num_scene_outputs)
        self.width, self.num_samples = float(width), int(num_samples)
        self.channels: dict[str, int] = {}
        c = 1
        for layer in self.layers:
            if layer.kind == "conv":
                out = scaled(layer.channels, width)
                conv = nn.Conv1d(c, out, layer.kernel, layer.stride, layer.padding)
                self.add_module(layer.name, nn.Sequential(conv, nn.BatchNorm1d(out)))
                c = out
            self.channels[layer.name] = c
        self.feature_layer = self.layers[-2].name  # the trunk's last layer, the heads' input
        self.head_layer = self.layers[-1].name
        self.head = self._new_head(self.num_outputs, self.num_scene_outputs)
        self.layer_names = tuple(
            n for layer in self.layers for n in self._names(layer)
        )  # conv1 ... conv7, conv8.object, conv8.scene
        _init_(self)

    # --- specs and geometry ------------------------------------------------------------------
    @classmethod
    def spec_for(cls, num_samples: int = round(CROP_SECONDS * SAMPLE_RATE), **_: Any) -> Any:
        """Mono 22,050 Hz waveforms of ``num_samples`` samples, scaled to [-256, 256]."""
        return WaveformSpec(SAMPLE_RATE, int(num_samples), scale=WAVEFORM_SCALE)

    @property
    def input_spec(self) -> WaveformSpec:
        return self.spec_for(self.num_samples)

    @classmethod
    def lengths(cls, num_samples: int) -> dict[str, int]:
        """Output length of every layer for ``num_samples`` input samples (0: empty)."""
        out: dict[str, int] = {}
        n = int(num_samples)
        for layer in cls.layers:
            n = layer_out_size(n, layer.geometry)
            out[layer.name] = n
        return out

    @classmethod
    def min_samples(cls) -> int:
        """Fewest input samples for which every layer (the unpadded heads included) has a
        non-empty output: walked back from one head step."""
        n = 1
        for layer in reversed(cls.layers):
            n = max(1, (n - 1) * layer.stride + layer.kernel - 2 * layer.padding)
        return n

    def _names(self, layer: Layer1d) -> tuple[str, ...]:
        return tuple(f"{layer.name}.{h}" for h in HEADS) if layer.kind == "head" else (layer.name,)

    def feature_shapes(self, num_samples: int | None = None) -> dict[str, tuple[int, int]]:
        """Per-example (C, T) of every layer in ``layer_names`` (shorter inputs are tiled)."""
        n = self.num_samples if num_samples is None else int(num_samples)
        lengths = self.lengths(max(n, self.min_samples()))
        k = {"object": self.num_outputs, "scene": self.num_scene_outputs}
        shapes: dict[str, tuple[int, int]] = {}
        for layer in self.layers:
            if layer.kind == "head":
                for h in HEADS:
                    shapes[f"{layer.name}.{h}"] = (k[h], lengths[layer.name])
            else:
                shapes[layer.name] = (self.channels[layer.name], lengths[layer.name])
        return shapes

    def feature_dims(self, num_samples: int | None = None) -> dict[str, int]:
        """Flattened per-example size of every layer in ``layer_names``."""
        return {k: math.prod(v) for k, v in self.feature_shapes(num_samples).items()}

    # --- forward -----------------------------------------------------------------------------
    def prepare(self, x: Tensor) -> Tensor:
        """Check a (B, 1, T) batch; tile it circularly to :meth:`min_samples` if shorter."""
        if x.ndim != 3 or x.shape[1] != 1:
            raise ValueError(f"waveform of shape {tuple(x.shape)} does not fit: expected (B, 1, T)")
        return tile_to_length(x, self.min_samples())

    def _stages(self) -> dict[str, Stage]:
        stages: dict[str, Stage] = {}
        prev = "input"
        for layer in self.layers:
            src = prev
            if layer.kind == "conv":
                mod = getattr(self, layer.name)
                stages[layer.name] = lambda o, m=mod, s=src: torch.relu(m(o[s]))
            elif layer.kind == "pool":
                k = layer.kernel
                stages[layer.name] = lambda o, k=k, s=src: nn.functional.max_pool1d(o[s], k, k)
            else:
                for h in HEADS:
                    stages[f"{layer.name}.{h}"] = lambda o, h=h, s=src: self.head[h](o[s])
            prev = layer.name
        return stages

    def forward_features(self, x: Tensor) -> Tensor:
        """Waveforms (B, 1, T) -> the last trunk layer (B, C, T') (conv7 for SoundNet-8)."""
        return self.forward_intermediates(x, [self.feature_layer])[self.feature_layer]

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Any:
        """Trunk output -> ``{"object": (B, K_obj, T8), "scene": (B, K_scene, T8)}`` logits
        (``features`` themselves if ``pre_logits``)."""
        if pre_logits:
            return features
        return {h: self.head[h](features) for h in HEADS}

    def forward(self, x: Tensor) -> dict[str, Tensor]:
        """Waveforms (B, 1, T) in [-256, 256] -> per-time-step logits of both heads."""
        return self.forward_head(self.forward_features(x))

    def check_layers(self, layers: Sequence[str] | str) -> tuple[str, ...]:
        """Validate layer names (a bare string counts as one name); ValueError lists valid ones."""
        return check_layer_names(layers, self.layer_names, type(self).__name__)

    def forward_intermediates(
        self, x: Tensor, layers: Sequence[str] | str | None = None
    ) -> dict[str, Tensor]:
        """Named layer outputs (B, C, T_layer), in the order asked (post-ReLU for the trunk
        convs, logits for the heads); only the stages up to the deepest layer asked run."""
        names = self.check_layers(self.default_layers if layers is None else layers)
        return run_stages(self._stages(), names, {"input": self.prepare(x)})

    # --- heads ---------------------------------------------------------------------------------
    def _new_head(self, num_outputs: int, num_scene_outputs: int) -> nn.ModuleDict:
        layer = self.layers[-1]
        c = self.channels[self.feature_layer]
        sizes = {"object": num_outputs, "scene": num_scene_outputs}
        head = nn.ModuleDict(
            {
                h: nn.Conv1d(c, k, layer.kernel, layer.stride, layer.padding)
                for h, k in sizes.items()
            }
        )
        _init_(head)
        return head

    def trunk_parameters(self) -> Iterator[nn.Parameter]:
        """All parameters except those of the two heads."""
        head_ids = {id(p) for p in self.head.parameters()}
        return (p for p in self.parameters() if id(p) not in head_ids)

    def reset_head(
        self, num_outputs: int, num_scene_outputs: int | None = None, seed: int | None = None
    ) -> None:
        """Fresh heads with ``num_outputs`` object and ``num_scene_outputs`` (default: as
        before) scene outputs."""
        scene = self.num_scene_outputs if num_scene_outputs is None else int(num_scene_outputs)
        if min(num_outputs, scene) < 1:
            raise ValueError(f"head sizes must be >= 1, got {num_outputs}, {scene}")
        old = next(self.head.parameters())
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            new = self._new_head(int(num_outputs), scene)
        self.head = new.to(device=old.device, dtype=old.dtype)
        self.num_outputs, self.num_scene_outputs = int(num_outputs), scene


def _init_(module: nn.Module) -> None:
    """He-normal (fan_out) conv weights, zero biases; BatchNorm at identity."""
    for m in module.modules():
        if isinstance(m, nn.Conv1d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm1d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


@register_model("soundnet8")
class SoundNet8(SoundNet):
    """SoundNet-8 (Table 1): conv1..conv7 with pool1, pool2, pool5; conv8 heads 8/2, no pad."""

    layers = SOUNDNET8
    default_layers = ("conv4", "conv5", "pool5", "conv6", "conv7", "conv8.object", "conv8.scene")


@register_model("soundnet5")
class SoundNet5(SoundNet):
    """SoundNet-5 (Table 2): conv1..conv4 with pool1..pool3; conv5 heads 16/12/4."""

    layers = SOUNDNET5
    default_layers = ("conv3", "pool3", "conv4", "conv5.object", "conv5.scene")


__all__ = [
    "PAPER_DIMS",
    "SOUNDNET5",
    "SOUNDNET8",
    "SoundNet",
    "SoundNet5",
    "SoundNet8",
    "tile_to_length",
]
