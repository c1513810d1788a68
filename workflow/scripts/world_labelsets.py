"""Write a labelled set over a rendered world corpus: AudioSet-style ontology + segments, or a
Kinetics-Sounds-style one-label manifest (soundsight.world.labelsets)."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.world import WorldConfig
from soundsight.world.labelsets import write_audioset, write_kinetics_sounds

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
cfg = WorldConfig.from_dict({**p.world, "seed": p.seed})
world_dir = Path(snakemake.input.manifest).parent
if p.part == "audioset":
    out = Path(snakemake.output.ontology).parent
    summary = write_audioset(world_dir, out, p.seed, cfg.audioset_eval_fraction)
else:
    out = Path(snakemake.output.manifest)
    summary = write_kinetics_sounds(world_dir, out, p.seed, cfg.kinetics_val_fraction)
summary["corpus"] = p.corpus
record = {"summary": summary}
record["provenance"] = provenance(
    cfg.to_dict(), [snakemake.input.manifest], {"seed": p.seed}, started
)
write_json(snakemake.output.summary, record)
log.info("world %s set: %s", p.part, summary)
