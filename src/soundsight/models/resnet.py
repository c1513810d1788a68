"""ResNet-18 (torchvision, randomly initialised; never downloads weights) behind the registry API.

Used by the student reproduction. Named layers: ``layer1..layer4`` (post-block maps) and
``avgpool`` (B, 512) global average pool of layer4. ``forward_features`` returns layer4.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models import resnet18 as tv_resnet18

from .base import FeatureModel, LayerGeometry, Stage, walk_geometry
from .registry import register_model

RESNET_LAYERS = ("layer1", "layer2", "layer3", "layer4")
RESNET_CHANNELS = {"layer1": 64, "layer2": 128, "layer3": 256, "layer4": 512, "avgpool": 512}


def _resnet18_geometry() -> tuple[LayerGeometry, ...]:
    """Main-path geometry (the 1x1 downsample shortcuts have smaller receptive fields)."""
    geo = [
        LayerGeometry("stem_conv", kernel=7, stride=2, padding=3),
        LayerGeometry("stem_pool", kernel=3, stride=2, padding=1),
    ]
    for i, name in enumerate(RESNET_LAYERS):
        for j in range(4):  # 2 BasicBlocks x 2 convs; the first conv of layer2..4 has stride 2
            stride = 2 if (i > 0 and j == 0) else 1
            geo.append(LayerGeometry(name if j == 3 else f"{name}.{j}", 3, stride, 1))
    return tuple(geo)


@register_model("resnet18")
class ResNet18(FeatureModel):
    """torchvision ResNet-18 (weights=None) with the timm-style split and named intermediates."""

    layer_names = (*RESNET_LAYERS, "avgpool")
    default_layers = ("layer4", "avgpool")
    feature_layer = "layer4"
    head_layers = ("head",)

    def __init__(self, num_outputs: int, input_size: int = 224, multilabel: bool = False) -> None:
        super().__init__(num_outputs, input_size, multilabel)
        walk_geometry(_resnet18_geometry(), self.input_size)  # ValueError if input too small
        net = tv_resnet18(weights=None, num_classes=num_outputs)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2 = net.layer1, net.layer2
        self.layer3, self.layer4 = net.layer3, net.layer4
        self.head = net.fc
        self.num_features = RESNET_CHANNELS["layer4"]

    def _geometry(self) -> tuple[LayerGeometry, ...]:
        return _resnet18_geometry()

    def _layer_channels(self) -> dict[str, int]:
        return dict(RESNET_CHANNELS)

    def _vector_layers(self) -> frozenset[str]:
        return frozenset({"avgpool"})

    def _stages(self) -> dict[str, Stage]:
        return {
            "layer1": lambda o: self.layer1(self.stem(o["input"])),  # (B, 64, H/4, W/4)
            "layer2": lambda o: self.layer2(o["layer1"]),  # (B, 128, H/8, W/8)
            "layer3": lambda o: self.layer3(o["layer2"]),  # (B, 256, H/16, W/16)
            "layer4": lambda o: self.layer4(o["layer3"]),  # (B, 512, H/32, W/32)
            "avgpool": lambda o: o["layer4"].mean(dim=(2, 3)),  # (B, 512)
        }

    def forward_features(self, x: Tensor) -> Tensor:
        """Images (B, 3, H, W) -> layer4 map (B, 512, h, w)."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected images of shape (B, 3, H, W), got {tuple(x.shape)}")
        h = self.layer2(self.layer1(self.stem(x)))
        return self.layer4(self.layer3(h))

    def forward_head(self, features: Tensor, pre_logits: bool = False) -> Tensor:
        """layer4 map (B, 512, h, w) -> logits (B, num_outputs) (pooled map if ``pre_logits``)."""
        pooled = features.mean(dim=(2, 3))  # (B, 512)
        return pooled if pre_logits else self.head(pooled)
