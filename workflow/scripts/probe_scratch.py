"""SoundNet-8 / SoundNet-5 trained from scratch per ESC-50 fold, then probed (Table 5)."""

import time
from pathlib import Path

import numpy as np
import torch

from soundsight.logs import configure
from soundsight.probes.scratch import ScratchConfig, probe_scratch_esc50
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
s = p.scratch
cfg = ScratchConfig(
    model=w.arch, width=p.width, iterations=s["iterations"], batch_size=s["batch_size"],
    lr=p.lr, shift=s["shift"],
)  # fmt: skip
summary, arrays = probe_scratch_esc50(Path(snakemake.input.root), cfg, p.cost, p.seed, str(device))
settings = {"scratch": cfg.to_dict(), "cost": p.cost}
prov = provenance(settings, [snakemake.input.root], {"seed": p.seed}, started, str(device))
summary["provenance"] = prov
write_json(snakemake.output.summary, summary)
write_json(snakemake.output.provenance, prov)
np.savez(snakemake.output.clips, **arrays)
