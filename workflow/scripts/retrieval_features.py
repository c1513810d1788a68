"""Per-item retrieval features of one sheet model on an AudioSet-style clip manifest."""

import time

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.retrieval import retrieval_features
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(snakemake.input.model)
r = p.retrieval
summary, arrays, rejects = retrieval_features(
    model, snakemake.input.manifest, r["image_layer"], p.seed, r["batch_size"], str(device)
)
summary |= {"model": w.model, "split": w.split}
inputs = [snakemake.input.model, snakemake.input.spec, snakemake.input.manifest]
summary["provenance"] = provenance(r, inputs, {"seed": p.seed}, started, str(device))
np.savez(snakemake.output.features, **arrays)
rejects.to_csv(snakemake.output.rejects, index=False)
write_json(snakemake.output.summary, summary)
log.info("%s %s: %d items, %d rejected", w.model, w.split, summary["n_items"], len(rejects))
