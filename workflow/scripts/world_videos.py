"""Render the AmbientWorld's raw videos, manifest and per-frame ground truth."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.world import WorldConfig, generate_videos

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
cfg = WorldConfig.from_dict({**p.world, "seed": p.seed, "audio_rate": p.audio_rate})
summary = generate_videos(cfg, Path(snakemake.output.manifest).parent)
record = {"summary": summary, "world_config": cfg.to_dict()}
record["provenance"] = provenance(cfg.to_dict(), [], {"seed": p.seed}, started)
write_json(snakemake.output.summary, record)
log.info("world videos: %s", summary)
