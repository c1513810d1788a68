"""Effect of the per-group texture scaling on the clusters (pairwise adjusted Rand index)."""

import time

from soundsight.labels.build import scaling_effect
from soundsight.labels.io import load_frames_and_features
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
cfg, seed = snakemake.params.labels, snakemake.params.seed
frames, feats = load_frames_and_features(snakemake.input.split, snakemake.input.features)
result = scaling_effect(frames, feats["texture"], cfg["k"][0], seed, cfg["scaling_modes"])
inputs = [snakemake.input.split, snakemake.input.features]
result["provenance"] = provenance(cfg, inputs, {"seed": seed}, started)
write_json(snakemake.output[0], result)
log.info("adjusted Rand index: %s", result["adjusted_rand_index"])
