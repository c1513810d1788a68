"""Linear image classification from a two-stream model's vision subnet (L3-Net Table 3)."""

import time

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.linear import sun_linear_probe
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(snakemake.input.model)
probe = p.probe
summary, arrays = sun_linear_probe(
    model, snakemake.input.sun, probe["layer"], probe["pool"], p.train_per_class, probe["cost"],
    p.seed, probe["batch_size"], str(device),
)  # fmt: skip
summary["model"] = w.model
inputs = [snakemake.input.model, snakemake.input.spec, snakemake.input.sun]
summary["provenance"] = provenance(probe, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.predictions, **arrays)
log.info("%s: SUN linear top-1 %.3f", w.model, summary["layers"][probe["layer"]]["mean_accuracy"])
