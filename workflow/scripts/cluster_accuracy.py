"""Sound-cluster prediction accuracy on held-out frames vs chance and the majority label (§5.2)."""

import time
from pathlib import Path

import numpy as np

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device
from soundsight.train.run import cluster_accuracy

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
device = resolve_device(p.pretext["device"])
model = load_trained(snakemake.input.model).to(device)
ingest_dir = Path(snakemake.input.index).parent
summary, arrays = cluster_accuracy(
    model, snakemake.input.labels, snakemake.input.index, ingest_dir, p.k,
    p.pretext["input_size"], device=str(device),
)  # fmt: skip
inputs = [snakemake.input.model, snakemake.input.labels]
summary["provenance"] = provenance(p.pretext, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.predictions, **arrays)
log.info(
    "cluster accuracy %.3f (chance %.3f, majority %.3f)",
    summary["accuracy"],
    summary["chance"],
    summary["majority"],
)
