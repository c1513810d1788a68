"""One audio-visual correspondence run (L3-Net, AVE-Net, AVOL-Net) through the training loop.

The frames of a corpus's train split pair with the tracks of the train videos, those of the test
split with the test videos (negatives never cross splits); the held-out set is the balanced,
fixed set of test pairs (:mod:`soundsight.train.pairs`). Task ``correspondence``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import torch

from soundsight.data.tracks import TRACKS_CSV
from soundsight.train.loop import TrainConfig, train
from soundsight.train.pairs import CorrespondenceDataset, PairConfig, PairSampler, TrackClips
from soundsight.train.targets import frame_paths

_TEXT = {"frame_id": str, "video_id": str, "jpg": str, "shard_dir": str, "error": str}


def _read(path: str | Path, required: list[str], what: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=_TEXT, keep_default_na=False)
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{what} {path} lacks column(s) {missing}; has {list(table.columns)}")
    return table


def correspondence_sets(
    split_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    model: torch.nn.Module,
    pairs: PairConfig,
) -> tuple[CorrespondenceDataset, CorrespondenceDataset]:
    """Training and held-out pair sets of a split table (frame_id, video_id, split), shaped as
    ``model.input_spec`` and ``model.front_end`` say; tracks from ``<index dir>/tracks.csv``."""
    split = _read(split_csv, ["frame_id", "split"], "split table")
    index = _read(index_csv, ["frame_id", "video_id", "jpg"], "ingest index").set_index(
        "frame_id", drop=False
    )
    tracks = _read(Path(index_csv).parent / TRACKS_CSV, ["video_id", "t0_s", "duration_s",
                   "shard_dir"], "tracks table")  # fmt: skip
    unknown = split.loc[~split["frame_id"].isin(index.index), "frame_id"]
    if len(unknown):
        raise ValueError(f"{len(unknown)} frame(s) of {split_csv} are not in {index_csv}")
    paths = frame_paths(index_csv, ingest_dir)
    clips = TrackClips(tracks, ingest_dir)
    sets = []
    for name in ("train", "test"):
        ids = split.loc[split["split"] == name, "frame_id"].to_numpy()
        if len(ids) == 0:
            raise ValueError(f"{split_csv} has no {name} frames")
        frames = index.loc[ids].reset_index(drop=True)
        sampler = PairSampler(frames, tracks, pairs)
        sets.append(
            CorrespondenceDataset(
                paths.loc[ids].tolist(),
                sampler,
                clips,
                model.input_spec,
                model.front_end,
                train=name == "train",
            )  # fmt: skip
        )
    return sets[0], sets[1]


def train_correspondence(
    split_csv: str | Path,
    index_csv: str | Path,
    ingest_dir: str | Path,
    cfg: TrainConfig,
    out_dir: str | Path,
    pairs: PairConfig | None = None,
) -> dict[str, Any]:
    """Train ``cfg.model`` (l3_net, ave_net, avol_net: its own number of outputs) on AVC pairs;
    returns the metrics that ``train`` writes (plus the pair settings)."""
    from soundsight.models import build_model

    pairs = pairs or PairConfig()
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, input_size=cfg.input_size, **cfg.model_kwargs)
    if not hasattr(model, "front_end"):
        raise ValueError(f"model {cfg.model!r} takes no audio stream: it cannot train on pairs")
    train_set, val_set = correspondence_sets(split_csv, index_csv, ingest_dir, model, pairs)
    metrics = train(model, train_set, val_set, "correspondence", cfg, Path(out_dir))
    return {**metrics, "pairs": pairs.to_dict()}
