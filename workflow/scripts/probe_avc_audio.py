"""Clip probe of a multi-stream model's audio layer on ESC-50 (5 folds) or DCASE 2013."""

import time
from pathlib import Path

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.probes.avc_audio import probe_audio_stream
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
probe = p.probe
summary, arrays = probe_audio_stream(
    model, w.dataset, root, probe["layer"], probe["pool"], probe["cost"], p.seed, str(device),
    probe["batch_size"],
)  # fmt: skip
summary["model"] = w.model
inputs = [snakemake.input.model, snakemake.input.spec]
summary["provenance"] = provenance(probe, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, summary)
np.savez(snakemake.output.clips, **arrays)
log.info("%s %s: accuracy %.3f", w.model, w.dataset, summary["accuracy"])
