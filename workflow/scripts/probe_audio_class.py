"""Table 4's "audio class probability" row: VOC probe of the CAM model's log class posteriors."""

import time

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.run import LogPosteriors, voc_probe
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params.probes
torch.set_num_threads(snakemake.threads)
device = resolve_device(p["device"])
model = LogPosteriors(load_trained(snakemake.input.model))
summary, arrays = voc_probe(
    model, snakemake.input.voc, ["log_probs"], model.input_size, p["batch_size"], str(device),
    n_jobs=p["n_jobs"], select=p["cost_selection"],
)  # fmt: skip
summary["model"] = "sound_cluster_cam (log class posteriors)"
inputs = [snakemake.input.model, snakemake.input.voc]
seeds = {"seed": snakemake.params.seed}
summary["provenance"] = provenance(p, inputs, seeds, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.scores, **arrays)
log.info("audio class probability: mAP %.4f", summary["layers"]["log_probs"]["map11"])
