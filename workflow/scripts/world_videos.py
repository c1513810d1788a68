"""Render the AmbientWorld's raw videos, manifest and per-frame ground truth."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.world import WorldConfig, generate_videos

log = configure(snakemake.log[0])
p = snakemake.params
cfg = WorldConfig.from_dict({**p.world, "seed": p.seed, "audio_rate": p.audio_rate})
summary = generate_videos(cfg, Path(snakemake.output.manifest).parent)
log.info("world videos: %s", summary)
