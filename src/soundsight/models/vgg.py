"""VGG-16 as torchvision builds it (configuration "D", no batch norm; never downloads weights).

SoundNet's teachers are an ImageNet VGG-16 and a Places VGG-16, and Objects-that-Sound's
supervised baseline is VGG-16 on ImageNet: this is that network behind the registry API, so a
user's local VGG-16 weights load into it. Layout (channel counts at ``width=1``; every conv is
3x3, padding 1, followed by a ReLU; every max pool is 2x2 stride 2)::

    conv1_1..conv1_2 64 -> max -> conv2_1..conv2_2 128 -> max -> conv3_1..conv3_3 256 -> max
    -> conv4_1..conv4_3 512 -> max -> conv5_1..conv5_3 512 -> max
    -> AdaptiveAvgPool2d(7, 7) = pool5 -> fc6 4096 -> dropout -> fc7 4096 -> dropout -> head

Named layers (post-ReLU): ``conv1_2``, ``conv2_2``, ``conv3_3``, ``conv4_3``, ``conv5_3`` (the
last conv of each block, before its max pool), ``pool5`` (B, 512, 7, 7), ``fc6`` / ``fc7``
(B, 4096; before their dropout). ``forward_features`` returns conv5_3; ``head`` is torchvision's
last ``classifier`` Linear. At ``width=1`` the state dict has torchvision's keys and shapes
(``features.*``, ``classifier.0/3.*``) except ``classifier.6.*``, which is ``head.*``: a
torchvision ``vgg16`` state dict with that one prefix renamed loads with ``strict=True``.
Weights get torchvision's VGG initialisation (He-normal convs, N(0, 0.01) linears, zero
biases), drawn in torchvision's order, so a seed gives torchvision's ``vgg16`` weights.

``width`` scales every conv's channels and fc6/fc7 (:func:`~.base.round_channels`: a multiple
of 8, at least 8), for the laptop presets and the tests; only ``width=1`` is torchvision's net.

Input size: the five max pools round down (``ceil_mode=False``), so the smallest input with
non-empty maps is 32 px (:data:`MIN_INPUT_SIZE`; smaller inputs raise a ValueError). The
adaptive pool makes pool5 7 x 7 at any input size, so fc6 always has C5 * 7 * 7 inputs
(25,088 at width 1) and one model runs at any input >= 32 px (``input_size`` only sets its
``input_spec`` and the default of ``feature_shapes``). At 224 px the max-pooled conv5_3 map is
already 7 x 7 and the adaptive pool is the identity, as in the original network; smaller inputs
have their values repeated into the 7 x 7 grid (1 x 1 at 32 px), larger ones are averaged
down. pool5's windows therefore depend on the input size and it has no entry in
``receptive_fields()``.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.vgg import cfgs, make_layers

from .base import (
    FeatureModel,
    LayerGeometry,
    Stage,
    init_module_,
    min_input_size,
    round_channels,
    walk_geometry,
)
from .registry import register_model

# Convs per block of configuration "D" and their channels at width 1 (torchvision's cfgs["D"]).
BLOCKS = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
BLOCK_OUTPUTS = ("conv1_2", "conv2_2", "conv3_3", "conv4_3", "conv5_3")
FC_CHANNELS = 4096
POOL5_SIDE = 7  # torchvision's AdaptiveAvgPool2d((7, 7))


def _conv_names() -> tuple[str, ...]:
    """conv1_1, conv1_2, conv2_1, ..., conv5_3 in forward order."""
    return tuple(f"conv{b}_{i}" for b, (n, _) in enumerate(BLOCKS, 1) for i in range(1, n + 1))


def _vgg16_geometry() -> tuple[LayerGeometry, ...]:
    """The 13 convs and the 5 max pools (the adaptive pool has no fixed geometry)."""
    geo: list[LayerGeometry] = []
    for b, (n, _) in enumerate(BLOCKS, 1):
        geo.extend(LayerGeometry(f"conv{b}_{i}", kernel=3, padding=1) for i in range(1, n + 1))
        geo.append(LayerGeometry(f"conv{b}_maxpool", kernel=2, stride=2))
    return tuple(geo)


MIN_INPUT_SIZE = min_input_size(_vgg16_geometry())  # 32


def _layer_config(width: float) -> list[int | str]:
    """torchvision's ``cfgs["D"]`` with every channel count scaled by ``width``."""
    return [v if v == "M" else round_channels(int(v), width) for v in cfgs["D"]]


def _channels(width: float) -> dict[str, int]:
    """Channels (vector length) of every named layer at ``width``."""
    blocks = zip(BLOCK_OUTPUTS, BLOCKS, strict=True)
    convs = {name: round_channels(c, width) for name, (_, c) in blocks}
    fc = round_channels(FC_CHANNELS, width)
    return {**convs, "pool5": convs["conv5_3"], "fc6": fc, "fc7": fc}


def _feature_slices() -> tuple[slice, ...]:
    """Index ranges of ``features`` computing each block's output from the previous one's:
    block 1 = its convs and ReLUs, each later block = the previous max pool, convs and ReLUs."""
    slices, start = [], 0
    for n, _ in BLOCKS:
        stop = start + 2 * n + (1 if start else 0)  # (conv, ReLU) pairs, after the pool
        slices.append(slice(start, stop))
        start = stop
    return tuple(slices)  # the last block ends before features' final max pool


def _classifier(in_features: int, hidden: int, dropout: float) -> nn.Sequential:
    """torchvision's ``VGG.classifier`` up to (without) its last Linear: fc6, ReLU, dropout,
    fc7, ReLU, dropout (indices 0..5, so the keys are ``classifier.0.*`` and ``classifier.3.*``)."""
    return nn.Sequential(
        nn.Linear(in_features, hidden),
        nn.ReLU(True),
        nn.Dropout(p=dropout),
        nn.Linear(hidden, hidden),
        nn.ReLU(True),
        nn.Dropout(p=dropout),
    )


@register_model("vgg16")
class VGG16(FeatureModel):
    """torchvision VGG-16 (weights=None) with the timm-style split and named intermediates.

    ``dropout`` is torchvision's (after fc6 and fc7); ``multilabel`` only selects
    ``predict_proba`` (sigmoid vs softmax); ``width`` scales every conv and fc6/fc7.
    """

    layer_names = (*BLOCK_OUTPUTS, "pool5", "fc6", "fc7")
    default_layers = ("pool5", "fc6", "fc7")
    feature_layer = "conv5_3"
    head_layers = ("classifier", "head")  # fc6, fc7 (torchvision's classifier[:6]) and the head

    def __init__(
        self,
        num_outputs: int,
        input_size: int = 224,
        dropout: float = 0.5,
        multilabel: bool = False,
        width: float = 1.0,
    ) -> None:
        super().__init__(num_outputs, input_size, multilabel)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        walk_geometry(_vgg16_geometry(), self.input_size)  # ValueError below 32 px
        self.width = float(width)
        self.channels = _channels(self.width)  # ValueError unless width > 0
        c5, fc = self.channels["conv5_3"], self.channels["fc7"]
        # Registered in torchvision's order (its initialisation order, and the data-dependent
        # initialisations rely on forward order).
        self.features = make_layers(_layer_config(self.width))  # 13 convs + ReLUs, 5 max pools
        self.avgpool = nn.AdaptiveAvgPool2d((POOL5_SIDE, POOL5_SIDE))
        self.classifier = _classifier(c5 * POOL5_SIDE * POOL5_SIDE, fc, dropout)
        self.head = nn.Linear(fc, num_outputs)  # torchvision's classifier[6]
        init_module_(self)  # torchvision's VGG init: He-normal convs, N(0, 0.01) linears
        self.num_features = c5

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        return _vgg16_geometry()

    def _layer_channels(self) -> dict[str, int]:
        return dict(self.channels)

    def _vector_layers(self) -> frozenset[str]:
        return frozenset({"fc6", "fc7"})

    def _fixed_sides(self) -> dict[str, int]:
        return {"pool5": POOL5_SIDE}

    def _stages(self) -> dict[str, Stage]:
        f, c = self.features, self.classifier
        s1, s2, s3, s4, s5 = _feature_slices()
        return {
            "conv1_2": lambda o: f[s1](o["input"]),  # (B, 64, 224, 224) at 224 px
            "conv2_2": lambda o: f[s2](o["conv1_2"]),  # (B, 128, 112, 112)
            "conv3_3": lambda o: f[s3](o["conv2_2"]),  # (B, 256, 56, 56)
            "conv4_3": lambda o: f[s4](o["conv3_3"]),  # (B, 512, 28, 28)
            "conv5_3": lambda o: f[s5](o["conv4_3"]),  # (B, 512, 14, 14)
            "pool5": lambda o: self._pool5(o["conv5_3"]),  # (B, 512, 7, 7)
            "fc6": lambda o: c[0:2](o["pool5"].flatten(1)),  # (B, 4096)
            "fc7": lambda o: c[2:5](o["fc6"]),  # (B, 4096): dropout, fc7, ReLU
        }

    def _pool5(self, conv5_3: Tensor) -> Tensor:
        """conv5_3 map (B, 512, h, w) -> max pool 2/2 -> adaptive average pool (B, 512, 7, 7)."""
        return self.avgpool(self.features[-1](conv5_3))

    def forward_features(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> conv5_3 map (B, 512, h, w), post-ReLU."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected images of shape (B, 3, H, W), got {tuple(x.shape)}")
        if min(x.shape[2:]) < MIN_INPUT_SIZE:
            raise ValueError(
                f"VGG-16 needs inputs of at least {MIN_INPUT_SIZE} px, got {tuple(x.shape)}"
            )
        return self.features[:-1](x)

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """conv5_3 map (B, 512, h, w) -> logits (B, num_outputs) (the head's input, fc7 after
        its dropout, if ``pre_logits``)."""
        h = self.classifier(self._pool5(features).flatten(1))  # (B, 4096)
        return h if pre_logits else self.head(h)
