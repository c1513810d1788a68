"""Settings of the Fast R-CNN fine-tuning and evaluation (Owens et al. 2018 Table 3).

The paper follows Krähenbühl et al. 2016: 150k SGD iterations, initial learning rate 0.002,
2 images x 64 RoIs per batch (Girshick 2015), 25% foreground RoIs (IoU >= 0.5), background
IoU in [0.1, 0.5), horizontal flips, NMS at IoU 0.3 at test time. The defaults below keep all of
that except the number of iterations, which is tiny for the laptop.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from soundsight.detect.proposals import ProposalConfig

ROI_POOLS = ("max", "align")


@dataclass(frozen=True)
class DetectConfig:
    """Every knob of one detection fine-tuning + evaluation run."""

    iterations: int = 200
    lr: float = 0.002
    momentum: float = 0.9
    weight_decay: float = 0.0005
    lr_steps: tuple[float, ...] = (0.75,)  # fractions of ``iterations`` where lr *= gamma
    gamma: float = 0.1
    images_per_batch: int = 2
    rois_per_image: int = 64
    fg_fraction: float = 0.25
    fg_iou: float = 0.5
    bg_iou_lo: float = 0.1
    flip: bool = True
    image_size: int | None = None  # square side images are resized to; None: trunk input size
    roi_pool: str = "max"  # "max": Fast R-CNN's RoI max pooling; "align": RoIAlign
    freeze_bn: bool = False  # keep the trunk's conv BatchNorm statistics fixed while training
    nms_iou: float = 0.3
    score_thresh: float = 0.001
    max_per_image: int = 100
    test_images_per_batch: int = 8
    train_split: str = "trainval"
    test_split: str = "test"
    proposals: str = "oracle"  # "oracle" or a CSV/NPZ proposal file (see detect.proposals)
    proposal: ProposalConfig = field(default_factory=ProposalConfig)
    progress: bool = True

    def __post_init__(self) -> None:
        checks = {
            "iterations >= 1": self.iterations >= 1,
            "lr > 0": self.lr > 0,
            "images_per_batch >= 1": self.images_per_batch >= 1,
            "rois_per_image >= 1": self.rois_per_image >= 1,
            "0 <= fg_fraction <= 1": 0.0 <= self.fg_fraction <= 1.0,
            "0 <= bg_iou_lo < fg_iou <= 1": 0.0 <= self.bg_iou_lo < self.fg_iou <= 1.0,
            "lr_steps in (0, 1]": all(0.0 < s <= 1.0 for s in self.lr_steps),
            "0 < nms_iou <= 1": 0.0 < self.nms_iou <= 1.0,
            "max_per_image >= 1": self.max_per_image >= 1,
            "test_images_per_batch >= 1": self.test_images_per_batch >= 1,
            "image_size is None or >= 16": self.image_size is None or self.image_size >= 16,
            f"roi_pool in {ROI_POOLS}": self.roi_pool in ROI_POOLS,
        }
        failed = [k for k, ok in checks.items() if not ok]
        if failed:
            raise ValueError(f"invalid detection config: need {', '.join(failed)}")

    @classmethod
    def from_dict(cls, cfg: dict[str, Any] | None) -> DetectConfig:
        """Build from a plain dict (e.g. a YAML section); KeyError names unknown keys."""
        cfg = dict(cfg or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(cfg) - known)
        if unknown:
            raise KeyError(f"unknown detection config keys {unknown}; known: {sorted(known)}")
        prop = cfg.pop("proposal", None)
        if isinstance(prop, dict):
            pknown = {f.name for f in dataclasses.fields(ProposalConfig)}
            punknown = sorted(set(prop) - pknown)
            if punknown:
                raise KeyError(f"unknown proposal config keys {punknown}; known: {sorted(pknown)}")
            prop = ProposalConfig(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in prop.items()}
            )
        if "lr_steps" in cfg:
            cfg["lr_steps"] = tuple(cfg["lr_steps"])
        return cls(**cfg, **({"proposal": prop} if prop is not None else {}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every setting (nested proposal settings included)."""
        return dataclasses.asdict(self)
