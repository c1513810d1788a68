"""Linear SVM probes of a waveform net's layers on ESC-50 / ESC-10 or DCASE 2013."""

import time
from pathlib import Path

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.waveform import probe_layers
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(snakemake.input.model)
root = Path(snakemake.input.root)  # the world's DCASE: its world.json, beside dev and test
root = root.parent if root.is_file() else root
summary, arrays = probe_layers(model, w.dataset, root, p.layers, p.cost, p.seed, str(device))
summary["model"] = w.model
inputs = [snakemake.input.model, snakemake.input.spec]
settings = {"layers": p.layers, "cost": p.cost}
summary["provenance"] = provenance(settings, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.clips, **arrays)
