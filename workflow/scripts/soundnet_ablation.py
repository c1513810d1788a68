"""SoundNet Table 5 (ablations) or 6 (layer x teacher) from the students' layer probes."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.soundnet.ablations import build_ablation
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, i = snakemake.params, snakemake.input
probes_dir = Path(p.config["results"]) / "probes" if i.summaries else None  # <results>/probes
table, frame = build_ablation(
    snakemake.wildcards.table, probes_dir, p.models, p.layer, p.scratch, p.teachers
)
table.write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = [*i.summaries, *i.teachers]
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("soundnet %s: %d cells", snakemake.wildcards.table, len(frame))
