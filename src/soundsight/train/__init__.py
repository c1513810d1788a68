"""soundsight.train: training of the networks on sound-derived labels.

One resumable loop (:mod:`.loop`) for every task (:mod:`.tasks`: ``softmax``, ``multilabel``) and
optimiser/schedule (:mod:`.optim`: ``sgd`` + ``step``, ``adamw`` + ``onecycle``).
"""

from soundsight.train.checkpoint import load_checkpoint
from soundsight.train.dataset import FrameDataset, IterationBatchSampler, resize_side
from soundsight.train.evaluate import evaluate
from soundsight.train.loop import TrainConfig, lr_at, resolve_device, train
from soundsight.train.pretext import train_pretext
from soundsight.train.targets import frame_paths, load_task
from soundsight.train.tasks import Task, get_task, list_tasks, register_task

__all__ = [
    "FrameDataset",
    "IterationBatchSampler",
    "Task",
    "TrainConfig",
    "evaluate",
    "frame_paths",
    "get_task",
    "list_tasks",
    "load_checkpoint",
    "load_task",
    "lr_at",
    "register_task",
    "resize_side",
    "resolve_device",
    "train",
    "train_pretext",
]
