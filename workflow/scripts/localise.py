"""A localisation model's maps of the localisation frames, pointing accuracy vs the centre."""

import time
from pathlib import Path

import numpy as np
import torch

from soundsight.data.localisation import read_localisation
from soundsight.eval.localisation import localise_frames
from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(snakemake.input.model)
frames, objects = read_localisation(Path(snakemake.input.root))
loc = p.localisation
summary, arrays = localise_frames(model, frames, objects, p.seed, loc["batch_size"], str(device))
summary["model"] = w.model
inputs = [snakemake.input.model, snakemake.input.spec, Path(snakemake.input.root) / "frames.csv"]
summary["provenance"] = provenance(loc, inputs, {"seed": p.seed}, started, str(device))
np.savez(snakemake.output.pointing, **arrays)
write_json(snakemake.output.summary, summary)
log.info(
    "%s: pointing %.1f%%, centre %.1f%% on %d frames",
    w.model, 100 * summary["pointing_accuracy"], 100 * summary["centre_accuracy"],
    summary["n_frames"],
)  # fmt: skip
