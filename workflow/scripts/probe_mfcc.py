"""The SVM-MFCC baseline on ESC-50 / ESC-10 or DCASE 2013 (SoundNet Tables 3 and 4)."""

import time
from pathlib import Path

import numpy as np

from soundsight.logs import configure
from soundsight.probes.mfcc_baseline import MfccBaselineConfig, mfcc_baseline
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
cfg = MfccBaselineConfig(**p.mfcc)
root = Path(snakemake.input.root)  # the world's DCASE: its world.json, beside dev and test
root = root.parent if root.is_file() else root
summary, arrays = mfcc_baseline(w.dataset, root, cfg, p.seed)
prov = provenance(cfg.to_dict(), [snakemake.input.root], {"seed": p.seed}, started)
summary["provenance"] = prov
write_json(snakemake.output.summary, summary)
write_json(snakemake.output.provenance, prov)
np.savez(snakemake.output.clips, **arrays)
