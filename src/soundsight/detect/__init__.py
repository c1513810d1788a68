"""Fast R-CNN detection initialised from a trained trunk (Owens et al. 2018 Table 3).

- :mod:`.boxes`: VOC box reader (0-based continuous coordinates), IoU, regression encoding.
- :mod:`.proposals`: oracle-ish proposals for the world, proposal files for real VOC.
- :mod:`.model`: ``FastRCNN`` (trunk conv5 -> RoI pooling -> fc6/fc7 -> scores + box deltas).
- :mod:`.train`: ``finetune_detector`` and ``detect``.
- :mod:`.evaluate`: VOC2007 11-point detection AP at IoU 0.5.
- :mod:`.run`: ``run_detection``, the workflow entry point.
"""

from soundsight.detect.boxes import ImageBoxes, read_voc_boxes, read_voc_detection
from soundsight.detect.config import DetectConfig
from soundsight.detect.evaluate import evaluate_detections
from soundsight.detect.model import FastRCNN
from soundsight.detect.proposals import ProposalConfig, load_proposals, make_proposals
from soundsight.detect.run import detections_frame, run_detection
from soundsight.detect.train import Detections, detect, finetune_detector

__all__ = [
    "DetectConfig",
    "Detections",
    "FastRCNN",
    "ImageBoxes",
    "ProposalConfig",
    "detect",
    "detections_frame",
    "evaluate_detections",
    "finetune_detector",
    "load_proposals",
    "make_proposals",
    "read_voc_boxes",
    "read_voc_detection",
    "run_detection",
]
