"""Merge the per-shard audio features into one file, rows in ingest index order."""

import numpy as np
import pandas as pd

from soundsight.audio.store import merge_features
from soundsight.logs import configure

log = configure(snakemake.log[0])
index = pd.read_csv(snakemake.input.index, dtype={"frame_id": str})
merged = merge_features(snakemake.input.shards, index["frame_id"].tolist())
np.savez(snakemake.output[0], **merged)
log.info("merged features of %d frames: %s", len(index), sorted(merged))
