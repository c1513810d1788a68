"""SoundNet Table 3 or 4: the distilled student's layer probes beside the published numbers."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.soundnet.tables import build_table
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <probes>/<model>/<dataset>_layers.json (no models: the published rows only)
probes_dir = Path(snakemake.input.summaries[0]).parents[1] if p.models else None
table, frame = build_table(snakemake.wildcards.table, probes_dir, p.models, p.layer)
table.write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.summaries)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("soundnet %s: %d cells", snakemake.wildcards.table, len(frame))
