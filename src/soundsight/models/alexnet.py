"""AlexNet as torchvision builds it (``weights=None``: random init, never downloads).

The student reproduction (``../shared/papers/001_*``) trains "AlexNet in PyTorch" on sound
cluster labels; this is that network behind the registry API. Layout (torchvision's single-tower
AlexNet, no batch norm, no LRN)::

    conv1 64@11x11 s4 p2 -> max 3/2 -> conv2 192@5x5 p2 -> max 3/2 -> conv3 384@3x3 p1
    -> conv4 256@3x3 p1 -> conv5 256@3x3 p1 -> max 3/2 -> AdaptiveAvgPool2d(6, 6) = pool5
    -> dropout -> fc6 4096 -> dropout -> fc7 4096 -> head

Named layers (post-ReLU): ``conv1..conv5`` maps, ``max5`` (global spatial max of conv5, as for
CaffeNet), ``pool5`` (B, 256, 6, 6), ``fc6`` / ``fc7`` (B, 4096). ``forward_features`` returns
conv5; ``head`` is torchvision's last ``classifier`` Linear. The state dict keeps torchvision's
keys (``features.*``, ``classifier.1/4.*``) except ``classifier.6.*``, which is ``head.*``.
Weights keep torchvision's default (PyTorch) initialisation.

Input size: the max pools round down (``ceil_mode=False``), so the smallest input with non-empty
maps is 63 px (:data:`MIN_INPUT_SIZE`; the 48 px smoke preset is below it and raises a
ValueError). The adaptive pool makes pool5 6 x 6 at any input size, so fc6 always has
256 * 6 * 6 = 9216 inputs and one model runs at any input >= 63 px (``input_size`` only sets
its ``input_spec`` and the default of ``feature_shapes``). At 224 (and 227) px the max-pooled
conv5 map is already 6 x 6 and the adaptive pool is the identity, as in the original network;
at smaller inputs it is smaller (2 x 2 at 112 px) and the adaptive pool repeats its values into
the 6 x 6 grid; larger inputs are averaged down. pool5's windows therefore depend on the input
size and it has no entry in ``receptive_fields()``.
"""

from __future__ import annotations

from torch import Tensor
from torchvision.models import alexnet as tv_alexnet

from .base import FeatureModel, LayerGeometry, Stage, min_input_size, walk_geometry
from .registry import register_model

# (name, kernel, stride, padding) of the five convs; a 3x3 stride-2 max pool follows conv1,
# conv2 and conv5.
CONV_SPECS = (
    ("conv1", 11, 4, 2),
    ("conv2", 5, 1, 2),
    ("conv3", 3, 1, 1),
    ("conv4", 3, 1, 1),
    ("conv5", 3, 1, 1),
)
CHANNELS = {
    "conv1": 64,
    "conv2": 192,
    "conv3": 384,
    "conv4": 256,
    "conv5": 256,
    "max5": 256,
    "pool5": 256,
    "fc6": 4096,
    "fc7": 4096,
}
POOL5_SIDE = 6  # torchvision's AdaptiveAvgPool2d((6, 6))


def _alexnet_geometry() -> tuple[LayerGeometry, ...]:
    """conv1..conv5 and the three max pools (the adaptive pool has no fixed geometry)."""
    geo: list[LayerGeometry] = []
    for name, k, s, p in CONV_SPECS:
        geo.append(LayerGeometry(name, kernel=k, stride=s, padding=p))
        if name in ("conv1", "conv2", "conv5"):
            geo.append(LayerGeometry(f"{name}_maxpool", kernel=3, stride=2))
    return tuple(geo)


MIN_INPUT_SIZE = min_input_size(_alexnet_geometry())  # 63


@register_model("alexnet")
class AlexNet(FeatureModel):
    """torchvision AlexNet (weights=None) with the timm-style split and named intermediates.

    ``dropout`` is torchvision's (before fc6 and fc7); ``multilabel`` only selects
    ``predict_proba`` (sigmoid vs softmax).
    """

    layer_names = ("conv1", "conv2", "conv3", "conv4", "conv5", "max5", "pool5", "fc6", "fc7")
    default_layers = ("max5", "pool5", "fc6", "fc7")
    feature_layer = "conv5"
    head_layers = ("classifier", "head")  # fc6, fc7 (torchvision's classifier[:6]) and the head

    def __init__(
        self,
        num_outputs: int,
        input_size: int = 224,
        dropout: float = 0.5,
        multilabel: bool = False,
    ) -> None:
        super().__init__(num_outputs, input_size, multilabel)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        walk_geometry(_alexnet_geometry(), self.input_size)  # ValueError below 63 px
        net = tv_alexnet(weights=None, num_classes=num_outputs, dropout=dropout)
        # Registered in forward order (the data-dependent initialisations rely on it).
        self.features = net.features  # convs, ReLUs and the three max pools
        self.avgpool = net.avgpool  # AdaptiveAvgPool2d((6, 6))
        self.classifier = net.classifier[:6]  # dropout, fc6, ReLU, dropout, fc7, ReLU
        self.head = net.classifier[6]  # the final Linear(4096, num_outputs)
        self.channels = dict(CHANNELS)
        self.num_features = CHANNELS["conv5"]

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        return _alexnet_geometry()

    def _layer_channels(self) -> dict[str, int]:
        return dict(CHANNELS)

    def _vector_layers(self) -> frozenset[str]:
        return frozenset({"max5", "fc6", "fc7"})

    def _fixed_sides(self) -> dict[str, int]:
        return {"pool5": POOL5_SIDE}

    def _stages(self) -> dict[str, Stage]:
        f, c = self.features, self.classifier
        return {
            "conv1": lambda o: f[0:2](o["input"]),  # (B, 64, 55, 55) at 224 px
            "conv2": lambda o: f[2:5](o["conv1"]),  # (B, 192, 27, 27)
            "conv3": lambda o: f[5:8](o["conv2"]),  # (B, 384, 13, 13)
            "conv4": lambda o: f[8:10](o["conv3"]),  # (B, 256, 13, 13)
            "conv5": lambda o: f[10:12](o["conv4"]),  # (B, 256, 13, 13)
            "max5": lambda o: o["conv5"].amax(dim=(2, 3)),  # (B, 256) global spatial max
            "pool5": lambda o: self._pool5(o["conv5"]),  # (B, 256, 6, 6)
            "fc6": lambda o: c[0:3](o["pool5"].flatten(1)),  # (B, 4096)
            "fc7": lambda o: c[3:6](o["fc6"]),  # (B, 4096)
        }

    def _pool5(self, conv5: Tensor) -> Tensor:
        """conv5 map (B, 256, h, w) -> max pool 3/2 -> adaptive average pool (B, 256, 6, 6)."""
        return self.avgpool(self.features[12](conv5))

    def forward_features(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> conv5 map (B, 256, h, w), post-ReLU."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected images of shape (B, 3, H, W), got {tuple(x.shape)}")
        if min(x.shape[2:]) < MIN_INPUT_SIZE:
            raise ValueError(
                f"AlexNet needs inputs of at least {MIN_INPUT_SIZE} px, got {tuple(x.shape)}"
            )
        return self.features[:12](x)

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """conv5 map (B, 256, h, w) -> logits (B, num_outputs) (fc7 output if ``pre_logits``)."""
        h = self.classifier(self._pool5(features).flatten(1))  # (B, 4096)
        return h if pre_logits else self.head(h)
