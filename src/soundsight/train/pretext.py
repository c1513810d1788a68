"""One pretext run from the label tables: targets -> datasets -> registry model -> ``train``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torch

from soundsight.train.dataset import FrameDataset
from soundsight.train.loop import TrainConfig, train
from soundsight.train.targets import load_task

if TYPE_CHECKING:
    from soundsight.train.distill import DistillConfig
    from soundsight.train.pairs import PairConfig

# label kind -> name of the registered task (soundsight.train.tasks) that trains on it
TASK_OF_KIND = {
    "cluster": "softmax", "code": "multilabel", "correspondence": "correspondence",
    "distillation": "distillation",
}  # fmt: skip
Kind = Literal["cluster", "code", "correspondence", "distillation"]
SPLIT_CSV = "split.csv"  # a distillation cache's split table: beside it, in the labels folder


def train_pretext(
    labels_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    kind: Kind,
    cfg: TrainConfig,
    out_dir: str | Path,
    n_classes: int | None = None,
    pairs: PairConfig | None = None,
    distill: DistillConfig | None = None,
) -> dict[str, Any]:
    """Train ``cfg.model`` (built by ``soundsight.models.build_model``) on a sound-label table.

    The model is initialised under ``torch.manual_seed(cfg.seed)``; the test split is the
    held-out set; the task is ``TASK_OF_KIND[kind]`` and the optimiser/schedule
    ``cfg.optimizer``/``cfg.schedule``. Returns the metrics that ``train`` writes to
    ``out_dir/metrics.json``. Kind ``correspondence`` trains an audio-visual model on pairs
    drawn as ``pairs`` says, with ``labels_csv`` the split table
    (:func:`soundsight.train.correspondence.train_correspondence`). Kind ``distillation``
    trains a waveform student on a teacher cache (``labels_csv``: the ``.npz``; its split table
    ``split.csv`` beside it; the tracks ``tracks.csv`` beside ``index_csv``) as ``distill``
    says (:func:`soundsight.train.distill.train_distillation`).
    """
    if kind == "correspondence":  # labels_csv: the split table; pairs: how pairs are drawn
        from soundsight.train.correspondence import train_correspondence

        return train_correspondence(labels_csv, index_csv, ingest_dir, cfg, out_dir, pairs)
    if kind == "distillation":
        from soundsight.data.tracks import TRACKS_CSV
        from soundsight.train.distill import DistillConfig, train_distillation

        split = Path(labels_csv).with_name(SPLIT_CSV)
        tracks = Path(index_csv).with_name(TRACKS_CSV)
        distill = distill or DistillConfig()
        return train_distillation(labels_csv, split, tracks, ingest_dir, cfg, out_dir, distill)
    from soundsight.models import build_model  # the registry is only needed here

    (train_paths, train_y), (test_paths, test_y), n_outputs = load_task(
        labels_csv, index_csv, ingest_dir, kind, n_classes
    )
    torch.manual_seed(cfg.seed)
    model = build_model(
        cfg.model, num_outputs=n_outputs, input_size=cfg.input_size, **cfg.model_kwargs
    )
    # both sets are cropped and normalised as the model's input spec says
    train_set = FrameDataset(train_paths, train_y, model.input_spec, train=True)
    val_set = FrameDataset(test_paths, test_y, model.input_spec, train=False)
    return train(model, train_set, val_set, TASK_OF_KIND[kind], cfg, Path(out_dir))
