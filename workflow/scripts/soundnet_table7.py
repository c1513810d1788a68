"""SoundNet Table 7: linear SVMs on sound, vision and both for the held-out videos' scenes,
beside the published numbers."""

import time

import numpy as np

from soundsight.logs import configure
from soundsight.papers.soundnet.multimodal import FEATURES, Table7Config, evaluate
from soundsight.papers.soundnet.table7 import write_table7
from soundsight.provenance import provenance, write_json
from soundsight.report.results import read_npz
from soundsight.world import SCENE_NAMES

started = time.time()
log = configure(snakemake.log[0])
p, out = snakemake.params, snakemake.output
data = read_npz(snakemake.input.features)  # video_id (N,), label (N,), conv7/conv8/vision (N, D)
features = {k: data[k] for k in FEATURES}
cfg = Table7Config.from_config(p.table7)
summary, arrays = evaluate(features, data["video_id"], data["label"], cfg, p.seed, SCENE_NAMES)
record = provenance(p.config, [snakemake.input.features], {"seed": p.seed}, started)
write_json(out.summary, summary | {"provenance": record})
np.savez(out.clips, **arrays)
frame = write_table7(summary, out.csv, out.md)
write_json(out.provenance, record)
log.info("soundnet table7: %d cells, %s", len(frame), summary["status"])
