"""soundsight.train: pretext training of the image networks on sound-derived labels."""

from soundsight.train.checkpoint import load_checkpoint
from soundsight.train.dataset import FrameDataset, IterationBatchSampler, resize_side
from soundsight.train.evaluate import evaluate
from soundsight.train.loop import TrainConfig, lr_at, resolve_device, train
from soundsight.train.pretext import train_pretext
from soundsight.train.targets import frame_paths, load_task

__all__ = [
    "FrameDataset",
    "IterationBatchSampler",
    "TrainConfig",
    "evaluate",
    "frame_paths",
    "load_checkpoint",
    "load_task",
    "lr_at",
    "resize_side",
    "resolve_device",
    "train",
    "train_pretext",
]
