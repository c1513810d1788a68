"""Pool4 embeddings of a correspondence model's vision and audio streams on labelled clips."""

import time

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.avc_embeddings import clip_embeddings
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(snakemake.input.model)
summary, arrays, rejects = clip_embeddings(
    model, snakemake.input.manifest, p.clusters["batch_size"], str(device)
)
summary["model"] = w.model
inputs = [snakemake.input.model, snakemake.input.spec, snakemake.input.manifest]
summary["provenance"] = provenance(p.clusters, inputs, {"seed": p.seed}, started, str(device))
np.savez(snakemake.output.embeddings, **arrays)
rejects.to_csv(snakemake.output.rejects, index=False)
write_json(snakemake.output.summary, summary)
log.info(
    "%s: %d clips embedded, %d rejected", w.model, summary["n_embedded"], summary["n_rejected"]
)
