"""Fast R-CNN (Girshick 2015) on a registry trunk, initialised from a trained model.

images (B, 3, S, S) -> trunk conv1..conv5 (B, C5, h, w), stride 16 for CaffeNet
-> RoI pooling of every proposal to (C5, r, r) -> fc6 -> fc7 -> class scores (K + 1, index 0 =
background) and class-specific box deltas (K + 1, 4).

``r`` defaults to the trunk's pool5 side (6 for CaffeNet at 227 px, 3 at 112 px) so fc6/fc7 are
reused with their trained weights, as in Fast R-CNN's initialisation from an ImageNet model; when
the shapes do not fit (or the trunk has no fc layers) new fc layers are built and initialised.
The new layers follow Fast R-CNN: classifier N(0, 0.01), box regressor N(0, 0.001), zero biases.

RoI coordinates are shifted by the trunk's receptive-field offset before pooling, so that
feature cell i is read for the image region centred on the true centre of its receptive field
(``offset + stride * i``) rather than on ``stride * (i + 1/2)``.
"""

from __future__ import annotations

import copy
import logging

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.ops import roi_align, roi_pool

from soundsight.models.base import init_module_

log = logging.getLogger(__name__)

DEFAULT_HIDDEN = 1024  # fc width when the trunk has no fc6/fc7 to reuse
DEFAULT_ROI_SIZE = 6


def _fc_bn_relu(d_in: int, d_out: int) -> nn.Sequential:
    """Linear -> BatchNorm -> ReLU (the CaffeNet+BN fc block)."""
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out), nn.ReLU(inplace=True))


def _first_linear(block: nn.Module | None) -> nn.Linear | None:
    """The first ``nn.Linear`` inside ``block`` (None if there is none)."""
    if block is None:
        return None
    return next((m for m in block.modules() if isinstance(m, nn.Linear)), None)


class FastRCNN(nn.Module):
    """Fast R-CNN detector on a copy of ``trunk`` (any registry model with forward_features).

    ``num_classes`` object classes (background is added); ``roi_size`` the pooled RoI side
    (default: the trunk's pool5 side); ``pool`` "max" (RoI max pooling, Fast R-CNN) or "align"
    (RoIAlign); ``seed`` fixes the initialisation of the new layers; ``freeze_bn`` keeps the
    trunk's BatchNorm layers in eval mode during training; ``image_size`` is the side images are
    square-resized to (default: the trunk's input size). The trunk passed in is left untouched.
    """

    def __init__(
        self,
        trunk: nn.Module,
        num_classes: int,
        roi_size: int | None = None,
        pool: str = "max",
        dropout: float = 0.5,
        seed: int | None = None,
        freeze_bn: bool = False,
        image_size: int | None = None,
    ) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if pool not in ("max", "align"):
            raise ValueError(f"pool must be 'max' or 'align', got {pool!r}")
        if not hasattr(trunk, "forward_features") or not hasattr(trunk, "receptive_field"):
            raise TypeError(f"{type(trunk).__name__} is not a registry FeatureModel")
        backbone = copy.deepcopy(trunk)
        rf = backbone.receptive_field
        self.num_classes = int(num_classes)
        self.stride = int(rf.stride)
        self.rf_shift = float(rf.offset) - rf.stride / 2.0  # pixels; 9 for CaffeNet conv5
        self.pool = pool
        self.input_size = int(backbone.input_size)
        self.image_size = int(image_size or self.input_size)  # square side of detector inputs
        self.channels = int(backbone.feature_shapes()[backbone.feature_layer][0])
        pool5 = getattr(backbone, "pool5_shape", None)
        self.roi_size = int(roi_size or (pool5[-1] if pool5 else DEFAULT_ROI_SIZE))
        d_in = self.channels * self.roi_size**2
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            self.fc6, self.fc7, self.reused_fc = self._fc_layers(backbone, d_in)
            self.cls_score = nn.Linear(self.fc7[0].out_features, self.num_classes + 1)
            self.bbox_pred = nn.Linear(self.fc7[0].out_features, 4 * (self.num_classes + 1))
            nn.init.normal_(self.cls_score.weight, 0.0, 0.01)
            nn.init.normal_(self.bbox_pred.weight, 0.0, 0.001)
        nn.init.zeros_(self.cls_score.bias)
        nn.init.zeros_(self.bbox_pred.bias)
        for name in ("fc6", "fc7", "head", "drop6", "drop7"):  # the detector owns its fc layers
            if name in dict(backbone.named_children()):
                delattr(backbone, name)
        self.backbone = backbone
        self.drop = nn.Dropout(dropout)
        self.freeze_bn = bool(freeze_bn)
        log.info(
            "FastRCNN: %d classes, RoI %dx%d on %d-channel stride-%d maps, fc6/fc7 %s",
            self.num_classes,
            self.roi_size,
            self.roi_size,
            self.channels,
            self.stride,
            "reused from the trunk" if self.reused_fc else "newly initialised",
        )

    def _fc_layers(self, backbone: nn.Module, d_in: int) -> tuple[nn.Module, nn.Module, bool]:
        """(fc6, fc7, reused): the trunk's own fc6/fc7 when fc6 takes ``d_in`` inputs, else new."""
        fc6, fc7 = getattr(backbone, "fc6", None), getattr(backbone, "fc7", None)
        lin6, lin7 = _first_linear(fc6), _first_linear(fc7)
        if lin6 is not None and lin7 is not None and lin6.in_features == d_in:
            return fc6, fc7, True
        hidden = lin6.out_features if lin6 is not None else DEFAULT_HIDDEN
        if lin6 is not None:
            log.warning(
                "trunk fc6 takes %d inputs but RoI pooling gives %d: fc6/fc7 are re-initialised",
                lin6.in_features,
                d_in,
            )
        new6, new7 = _fc_bn_relu(d_in, hidden), _fc_bn_relu(hidden, hidden)
        init_module_(new6)
        init_module_(new7)
        return new6, new7, False

    def train(self, mode: bool = True) -> FastRCNN:
        """Train/eval mode; with ``freeze_bn`` the trunk's BatchNorm layers always stay in eval."""
        super().train(mode)
        if mode and self.freeze_bn:
            for m in self.backbone.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self

    def pool_rois(self, features: Tensor, rois: Tensor) -> Tensor:
        """Features (B, C5, h, w) and rois (R, 5) = (image index, x1, y1, x2, y2) in input pixels
        -> pooled (R, C5, r, r)."""
        if rois.ndim != 2 or rois.shape[1] != 5:
            raise ValueError(
                f"rois must be (R, 5) = (batch index, x1, y1, x2, y2), got {rois.shape}"
            )
        shifted = rois.clone()
        shifted[:, 1:] -= self.rf_shift
        size, scale = (self.roi_size, self.roi_size), 1.0 / self.stride
        if self.pool == "max":
            return roi_pool(features, shifted, size, scale)
        return roi_align(features, shifted, size, scale, sampling_ratio=2, aligned=True)

    def forward(self, images: Tensor, rois: Tensor) -> tuple[Tensor, Tensor]:
        """images (B, 3, S, S), rois (R, 5) -> class logits (R, K+1), box deltas (R, K+1, 4)."""
        feats = self.backbone.forward_features(images)  # (B, C5, h, w)
        pooled = self.pool_rois(feats, rois).flatten(1)  # (R, C5 * r * r)
        h = self.drop(self.fc6(pooled))  # (R, F6)
        h = self.drop(self.fc7(h))  # (R, F7)
        deltas = self.bbox_pred(h).view(-1, self.num_classes + 1, 4)  # (R, K+1, 4)
        return self.cls_score(h), deltas


def fast_rcnn_loss(
    logits: Tensor, deltas: Tensor, labels: Tensor, targets: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """Softmax cross-entropy over all RoIs + smooth L1 (beta 1) on foreground RoIs' own-class
    deltas, both averaged over the R RoIs (Girshick 2015). Returns (total, cls, box).

    logits (R, K+1), deltas (R, K+1, 4), labels (R,) in 0..K (0 = background), targets (R, 4).
    """
    if len(labels) == 0:
        raise ValueError("fast_rcnn_loss got no RoIs")
    cls = F.cross_entropy(logits, labels)
    fg = labels > 0
    own = deltas[fg, labels[fg]]  # (R_fg, 4)
    box = F.smooth_l1_loss(own, targets[fg], beta=1.0, reduction="sum") / len(labels)
    return cls + box, cls, box
