"""Texton-CNN control (§6): texton histograms of the frames, clustered like the sound textures."""

import time
from pathlib import Path

import pandas as pd

from soundsight.labels.build import build_cluster_labels
from soundsight.labels.textons import texton_histograms
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, k = snakemake.params, int(snakemake.wildcards.k)
split = pd.read_csv(snakemake.input.split, dtype={"frame_id": str, "video_id": str})
index = pd.read_csv(snakemake.input.index, dtype={"frame_id": str}).set_index("frame_id")
rows = index.loc[split["frame_id"]]
ingest_dir = Path(snakemake.input.index).parent
paths = [ingest_dir / d / j for d, j in zip(rows["shard_dir"], rows["jpg"], strict=True)]
is_train = (split["split"] == "train").to_numpy()
hist = texton_histograms(paths, is_train, n_textons=p.n_textons, seed=p.seed)
table, model, summary = build_cluster_labels(split, hist, k, p.seed, scaling=None)
table.to_csv(snakemake.output.table, index=False)
model.save(snakemake.output.model)
summary["provenance"] = provenance(
    {"n_textons": p.n_textons, "k": k}, [snakemake.input.split], {"seed": p.seed}, started
)
write_json(snakemake.output.summary, summary)
log.info("texton labels k=%d: kept %d/%d", k, summary["n_train_kept"], summary["n_train"])
