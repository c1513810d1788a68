"""Linear SVM probe of each layer of one model on SUN397 (accuracy over partitions)."""

import time

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.run import sun_probe
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, seed = snakemake.params.probes, snakemake.params.seed
torch.set_num_threads(snakemake.threads)
device = resolve_device(p["device"])
model = load_trained(snakemake.input.model)
summary, arrays = sun_probe(
    model, snakemake.input.sun, p["layers"], model.input_size, p["sun_train_per_class"], seed,
    p["batch_size"], str(device), n_jobs=p["n_jobs"],
)  # fmt: skip
summary["model"] = snakemake.wildcards.model
inputs = [snakemake.input.model, snakemake.input.sun]
summary["provenance"] = provenance(p, inputs, {"seed": seed}, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.predictions, **arrays)
log.info("SUN acc: %s", {k: round(v["mean_accuracy"], 4) for k, v in summary["layers"].items()})
