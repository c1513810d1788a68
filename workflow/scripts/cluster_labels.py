"""k-means sound-cluster labels for one k."""

import time

from soundsight.labels.build import build_cluster_labels
from soundsight.labels.io import load_frames_and_features
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
cfg, seed, k = snakemake.params.labels, snakemake.params.seed, int(snakemake.wildcards.k)
frames, feats = load_frames_and_features(snakemake.input.split, snakemake.input.features)
table, model, summary = build_cluster_labels(
    frames, feats["texture"], k, seed, cfg["group_scaling"], cfg["drop_far"]
)
table.to_csv(snakemake.output.table, index=False)
model.save(snakemake.output.model)
inputs = [snakemake.input.split, snakemake.input.features]
summary["provenance"] = provenance(cfg, inputs, {"seed": seed}, started)
write_json(snakemake.output.summary, summary)
log.info("k=%d: kept %d/%d train frames", k, summary["n_train_kept"], summary["n_train"])
