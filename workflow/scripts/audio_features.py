"""The audio features of every frame's window in a shard (``features.names``, by registry name)."""

import json
import time
from pathlib import Path

import pandas as pd
import torch

from soundsight.audio.registry import compute_features
from soundsight.audio.store import save_features
from soundsight.data import load_shard_audio
from soundsight.logs import configure

log = configure(snakemake.log[0])
cfg, shard = snakemake.params.features, Path(snakemake.input[0])
torch.set_num_threads(snakemake.threads)
frames = pd.read_csv(shard / "frames.csv", dtype={"frame_id": str})
sr = json.loads((shard / "summary.json").read_text())["audio_rate"]
audio = load_shard_audio(shard)  # (N, n) float32, rows aligned with frames.csv
t_start = time.perf_counter()
feats = compute_features(audio, sr, cfg["names"], cfg)  # {name: (N, D)}
wall_s = time.perf_counter() - t_start
save_features(snakemake.output[0], frames["frame_id"].tolist(), feats)
dims = {name: arr.shape[1] for name, arr in feats.items()}
log.info("features %s of %d frames in %.2f s", dims, len(frames), wall_s)
