"""Sound texture (502-d) and spectrum (32-d) features of every frame's audio window in a shard."""

import json
from pathlib import Path

import pandas as pd
import torch

from soundsight.audio.features import clip_features
from soundsight.audio.store import save_features
from soundsight.data import load_shard_audio
from soundsight.logs import configure

log = configure(snakemake.log[0])
cfg, shard = snakemake.params.features, Path(snakemake.input[0])
torch.set_num_threads(snakemake.threads)
frames = pd.read_csv(shard / "frames.csv", dtype={"frame_id": str})
sr = json.loads((shard / "summary.json").read_text())["audio_rate"]
audio = load_shard_audio(shard)  # (N, n) float32, rows aligned with frames.csv
feats = clip_features(
    audio,
    sr,
    batch_size=cfg["batch_size"],
    device=cfg["device"],
    dtype=getattr(torch, cfg["dtype"]),
    window_s=cfg["spectrum_window_s"],
)
save_features(snakemake.output[0], frames["frame_id"].tolist(), feats)
log.info("features of %d frames", len(frames))
