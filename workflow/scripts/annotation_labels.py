"""Multi-label targets from the manifest's sound annotations (AudioSet-style), per frame."""

import pandas as pd

from soundsight.labels.annotations import annotation_codes
from soundsight.logs import configure
from soundsight.provenance import write_json

log = configure(snakemake.log[0])
split = pd.read_csv(snakemake.input.split, dtype={"frame_id": str, "video_id": str})
index = pd.read_csv(snakemake.input.index, dtype={"frame_id": str, "labels": str})
frames = split.merge(index[["frame_id", "labels"]], on="frame_id", how="left", validate="1:1")
table, vocab = annotation_codes(frames)
table.to_csv(snakemake.output.table, index=False)
write_json(snakemake.output.vocab, {"vocabulary": vocab})
log.info("annotation codes over %d labels: %s", len(vocab), vocab)
