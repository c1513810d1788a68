"""k-means sound-cluster labels for one k, of the texture or of another feature (``{feature}``)."""

import time

from soundsight.labels.build import TEXTURE, build_cluster_labels, cluster_input
from soundsight.labels.io import load_frames_and_features
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
cfg, seed, k = snakemake.params.labels, snakemake.params.seed, int(snakemake.wildcards.k)
feature = snakemake.wildcards.get("feature", TEXTURE)  # clusters_k{k}: the sound texture
frames, feats = load_frames_and_features(snakemake.input.split, snakemake.input.features)
X, scaling = cluster_input(feats, feature, cfg["group_scaling"])
table, model, summary = build_cluster_labels(frames, X, k, seed, scaling, cfg["drop_far"])
table.to_csv(snakemake.output.table, index=False)
model.save(snakemake.output.model)
inputs = [snakemake.input.split, snakemake.input.features]
summary["feature"] = feature
summary["provenance"] = provenance(cfg, inputs, {"seed": seed}, started)
write_json(snakemake.output.summary, summary)
log.info(
    "%s k=%d: kept %d/%d train frames", feature, k, summary["n_train_kept"], summary["n_train"]
)
