"""Render the AmbientWorld's labelled still images: mini-VOC2007 or mini-SUN397."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.world import WorldConfig, generate_sun, generate_voc

log = configure(snakemake.log[0])
p = snakemake.params
cfg = WorldConfig.from_dict({**p.world, "seed": p.seed, "audio_rate": p.audio_rate})
make = generate_voc if p.part == "voc" else generate_sun
summary = make(cfg, Path(snakemake.output[0]).parent)
log.info("world %s: %s", p.part, summary)
