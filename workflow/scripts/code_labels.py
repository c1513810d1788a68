"""Binary codes from PCA projections: `binary` (sound texture) or `spectrum` (cochlear means)."""

import time

from soundsight.labels.build import build_code_labels
from soundsight.labels.io import load_frames_and_features
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
cfg, target = snakemake.params.labels, snakemake.wildcards.target
frames, feats = load_frames_and_features(snakemake.input.split, snakemake.input.features)
features = feats["texture"] if target == "binary" else feats["spectrum"]
scaling = cfg["group_scaling"] if target == "binary" else None
table, model, summary = build_code_labels(
    frames, features, cfg["n_projections"], cfg["binary_threshold"], scaling
)
table.to_csv(snakemake.output.table, index=False)
model.save(snakemake.output.model)
inputs = [snakemake.input.split, snakemake.input.features]
summary["provenance"] = provenance(cfg, inputs, {"seed": snakemake.params.seed}, started)
write_json(snakemake.output.summary, summary)
log.info("%s codes: %d distinct", target, summary["n_distinct_codes"])
