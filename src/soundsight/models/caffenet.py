"""CaffeNet with batch normalisation (Owens et al. 2018 §3.2) and its CAM variant (§4.1).

Layout (channel counts at ``width=1``; every conv/fc is followed by BatchNorm, then ReLU)::

    conv1 96@11x11 s4 -> pool1 max 3/2 -> conv2 256@5x5 p2 -> pool2 max 3/2
    -> conv3 384@3x3 p1 -> conv4 384@3x3 p1 -> conv5 256@3x3 p1 -> pool5 max 3/2
    -> fc6 4096 -> dropout -> fc7 4096 -> dropout -> head (fc8)

Differences from Caffe's CaffeNet: no grouped convolutions in conv2/4/5 and no LRN (batch
normalisation replaces it, as in the paper's "CaffeNet with batch normalization"). Max pooling
rounds up like Caffe (``ceil_mode=True``); inputs down to 39 px give non-empty maps. At 227 px the
maps are conv1 55, conv2..conv5 27/13/13/13, pool5 6 (fc6 input 9216) exactly as in Caffe.
The conv5 receptive field is 163 px with stride 16 (centre of unit i at 17 + 16 i px).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .base import (
    FeatureModel,
    LayerGeometry,
    Stage,
    init_module_,
    round_channels,
    walk_geometry,
)
from .registry import register_model

# Channel counts / fc widths of CaffeNet at width 1.
BASE_CHANNELS = {
    "conv1": 96,
    "conv2": 256,
    "conv3": 384,
    "conv4": 384,
    "conv5": 256,
    "fc6": 4096,
    "fc7": 4096,
}
# (name, kernel, stride, padding) of the five conv layers.
CONV_SPECS = (
    ("conv1", 11, 4, 0),
    ("conv2", 5, 1, 2),
    ("conv3", 3, 1, 1),
    ("conv4", 3, 1, 1),
    ("conv5", 3, 1, 1),
)
CONV_NAMES = tuple(name for name, *_ in CONV_SPECS)
LAYER_NAMES = (*CONV_NAMES, "max5", "pool5", "fc6", "fc7")
DEFAULT_LAYERS = ("max5", "pool5", "fc6", "fc7")
CAM_BASE_CHANNELS = 1024  # Zhou et al. 2016 (AlexNet-GAP): 3x3 conv with 1024 units


def _pool() -> nn.MaxPool2d:
    """Caffe-style 3x3 stride-2 max pooling (rounds the output size up)."""
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


def _pool_geometry(name: str, source: str | None = None) -> LayerGeometry:
    return LayerGeometry(name, kernel=3, stride=2, ceil_mode=True, source=source)


def conv_bn_relu(c_in: int, c_out: int, kernel: int, stride: int, padding: int) -> nn.Sequential:
    """Conv -> BatchNorm -> ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def fc_bn_relu(d_in: int, d_out: int) -> nn.Sequential:
    """Linear -> BatchNorm -> ReLU."""
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out), nn.ReLU(inplace=True))


class CaffeNetTrunk(FeatureModel):
    """conv1..conv5 (+ the parameter-free max5 and pool5) shared by both CaffeNet variants."""

    layer_names = LAYER_NAMES
    default_layers = DEFAULT_LAYERS
    feature_layer = "conv5"

    def __init__(self, num_outputs: int, width: float, input_size: int, multilabel: bool) -> None:
        super().__init__(num_outputs, input_size, multilabel)
        self.width = float(width)
        self.channels = {k: round_channels(v, width) for k, v in BASE_CHANNELS.items()}
        walk_geometry(self._trunk_geometry(), self.input_size)  # ValueError if input too small
        blocks = {}
        c_in = 3
        for name, k, s, p in CONV_SPECS:
            blocks[name] = conv_bn_relu(c_in, self.channels[name], k, s, p)
            c_in = self.channels[name]
        # Registered in forward order (the data-dependent initialisations rely on it).
        self.conv1 = blocks["conv1"]
        self.pool1 = _pool()
        self.conv2 = blocks["conv2"]
        self.pool2 = _pool()
        self.conv3 = blocks["conv3"]
        self.conv4 = blocks["conv4"]
        self.conv5 = blocks["conv5"]
        self.pool5 = _pool()
        self.num_features = self.channels["conv5"]

    def _trunk_geometry(self) -> tuple[LayerGeometry, ...]:
        geo: list[LayerGeometry] = []
        for name, k, s, p in CONV_SPECS:
            if name == "conv2":
                geo.append(_pool_geometry("pool1"))
            if name == "conv3":
                geo.append(_pool_geometry("pool2"))
            geo.append(LayerGeometry(name, kernel=k, stride=s, padding=p))
        geo.append(_pool_geometry("pool5", source="conv5"))
        return tuple(geo)

    def _trunk_stages(self) -> dict[str, Stage]:
        return {
            "conv1": lambda o: self.conv1(o["input"]),  # (B, C1, 55, 55) at 227 px
            "conv2": lambda o: self.conv2(self.pool1(o["conv1"])),  # (B, C2, 27, 27)
            "conv3": lambda o: self.conv3(self.pool2(o["conv2"])),  # (B, C3, 13, 13)
            "conv4": lambda o: self.conv4(o["conv3"]),  # (B, C4, 13, 13)
            "conv5": lambda o: self.conv5(o["conv4"]),  # (B, C5, 13, 13)
            "max5": lambda o: o["conv5"].amax(dim=(2, 3)),  # (B, C5) global spatial max
            "pool5": lambda o: self.pool5(o["conv5"]),  # (B, C5, 6, 6)
        }

    def forward_features(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> conv5 map (B, C5, h, w), post-ReLU."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected images of shape (B, 3, H, W), got {tuple(x.shape)}")
        h = self.conv1(x)
        h = self.conv2(self.pool1(h))
        h = self.conv3(self.pool2(h))
        return self.conv5(self.conv4(h))  # (B, C5, h, w)


@register_model("caffenet_bn")
class CaffeNetBN(CaffeNetTrunk):
    """CaffeNet with BatchNorm after every conv and fc layer (Owens et al. 2018).

    ``width`` scales every channel count and fc width (rounded to a multiple of 8, min 8);
    ``input_size`` sets the fc6 input size; ``multilabel`` only selects ``predict_proba``
    (sigmoid vs softmax) and is recorded for the training loss.
    """

    head_layers = ("fc6", "fc7", "head")

    def __init__(
        self,
        num_outputs: int,
        width: float = 1.0,
        input_size: int = 227,
        dropout: float = 0.5,
        multilabel: bool = False,
    ) -> None:
        super().__init__(num_outputs, width, input_size, multilabel)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.pool5_shape = self.feature_shapes()["pool5"]  # (C5, s, s)
        d_pool5 = self.feature_dims()["pool5"]
        self.fc6 = fc_bn_relu(d_pool5, self.channels["fc6"])
        self.drop6 = nn.Dropout(dropout)
        self.fc7 = fc_bn_relu(self.channels["fc6"], self.channels["fc7"])
        self.drop7 = nn.Dropout(dropout)
        self.head = nn.Linear(self.channels["fc7"], num_outputs)  # fc8
        init_module_(self)

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        return self._trunk_geometry()

    def _layer_channels(self) -> dict[str, int]:
        c5 = self.channels["conv5"]
        return {**self.channels, "max5": c5, "pool5": c5}

    def _vector_layers(self) -> frozenset[str]:
        return frozenset({"max5", "fc6", "fc7"})

    def _stages(self) -> dict[str, Stage]:
        return {
            **self._trunk_stages(),
            "fc6": lambda o: self.fc6(self._flat_pool5(o["pool5"])),  # (B, F6)
            "fc7": lambda o: self.fc7(self.drop6(o["fc6"])),  # (B, F7)
        }

    def _flat_pool5(self, pool5: Tensor) -> Tensor:
        """pool5 (B, C5, s, s) -> (B, C5*s*s); ValueError if not the built input size."""
        if tuple(pool5.shape[1:]) != self.pool5_shape:
            raise ValueError(
                f"fc6 was built for input_size={self.input_size} (pool5 {self.pool5_shape}), "
                f"got pool5 {tuple(pool5.shape[1:])}; build the model with the input size used"
            )
        return pool5.flatten(1)

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """conv5 map (B, C5, h, w) -> logits (B, num_outputs) (fc7 output if ``pre_logits``)."""
        h = self._flat_pool5(self.pool5(features))  # (B, C5*s*s)
        h = self.drop6(self.fc6(h))  # (B, F6)
        h = self.drop7(self.fc7(h))  # (B, F7)
        return h if pre_logits else self.head(h)


@register_model("caffenet_bn_cam")
class CaffeNetBNCAM(CaffeNetTrunk):
    """CaffeNet+BN whose fc layers are replaced by convolutions + global average pooling (CAM).

    conv5 (B, C5, h, w) -> conv6 3x3 p1 -> conv7 3x3 p1 (``cam_channels`` each, BN + ReLU)
    -> global average pool -> ``head`` (linear, equivalent to a 1x1 conv before the pool).
    pool5 is dropped from the classification path so the CAMs keep conv5's resolution (13x13
    at 227 px); it is still available, parameter-free, as the ``pool5`` intermediate.

    In ``forward_intermediates``, ``fc6`` and ``fc7`` name the conv6 and conv7 maps
    (B, cam_channels, h, w) that replace the fully connected layers.
    ``cam_channels`` defaults to 1024 x width (Zhou et al. 2016's AlexNet-GAP), rounded to 8.
    """

    head_layers = ("conv6", "conv7", "head")  # they replace fc6 and fc7

    def __init__(
        self,
        num_outputs: int,
        width: float = 1.0,
        input_size: int = 227,
        multilabel: bool = False,
        cam_channels: int | None = None,
    ) -> None:
        super().__init__(num_outputs, width, input_size, multilabel)
        c_cam = round_channels(CAM_BASE_CHANNELS, width) if cam_channels is None else cam_channels
        if c_cam < 1:
            raise ValueError(f"cam_channels must be >= 1, got {cam_channels}")
        self.channels["fc6"] = self.channels["fc7"] = int(c_cam)
        self.conv6 = conv_bn_relu(self.channels["conv5"], c_cam, 3, 1, 1)
        self.conv7 = conv_bn_relu(c_cam, c_cam, 3, 1, 1)
        self.head = nn.Linear(c_cam, num_outputs)  # = 1x1 conv applied before the GAP
        init_module_(self)

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        return (
            *self._trunk_geometry(),
            LayerGeometry("fc6", kernel=3, padding=1, source="conv5"),
            LayerGeometry("fc7", kernel=3, padding=1),
        )

    def _layer_channels(self) -> dict[str, int]:
        c5 = self.channels["conv5"]
        return {**self.channels, "max5": c5, "pool5": c5}

    def _vector_layers(self) -> frozenset[str]:
        return frozenset({"max5"})

    def _stages(self) -> dict[str, Stage]:
        return {
            **self._trunk_stages(),
            "fc6": lambda o: self.conv6(o["conv5"]),  # (B, C6, h, w)
            "fc7": lambda o: self.conv7(o["fc6"]),  # (B, C7, h, w)
        }

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """conv5 map (B, C5, h, w) -> logits (B, num_outputs) (pooled conv7 if ``pre_logits``)."""
        pooled = self.conv7(self.conv6(features)).mean(dim=(2, 3))  # (B, C7) GAP
        return pooled if pre_logits else self.head(pooled)

    def class_activation_maps(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> CAMs (B, num_outputs, h, w) at conv5 resolution.

        cam_c(x, y) = sum_k w_ck f_k(x, y), with f the conv7 maps and w the head's weights, so
        that ``cam.mean((2, 3)) + head.bias == logits`` (Zhou et al. 2016).
        """
        f = self.conv7(self.conv6(self.forward_features(x)))  # (B, C7, h, w)
        return torch.einsum("kc,bchw->bkhw", self.head.weight, f)  # (B, K, h, w)
