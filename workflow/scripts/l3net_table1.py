"""L3-Net Table 1: AVC accuracy of the world's L3-Net beside the published numbers."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.tables import build_table1, table1
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <models>/<model>/metrics.json (no models: the published rows only)
models_dir = Path(snakemake.input.metrics[0]).parents[1] if p.models else None
frame = build_table1(models_dir, p.models)
table1().write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.metrics)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("l3net table 1: %d cells", len(frame))
