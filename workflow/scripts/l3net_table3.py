"""L3-Net Table 3: linear image classification from the L3 vision subnet, trained and untrained."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.tables import build_table3
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <linear>/<model>/sun.json (no models: the published rows only)
summaries = list(snakemake.input.summaries)
linear_dir = Path(summaries[0]).parents[1] if p.models else None
spec, frame = build_table3(linear_dir, p.models, p.probe["layer"], p.probe["pool"])
spec.write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
write_json(snakemake.output.provenance, provenance(p.config, summaries, {"seed": p.seed}, started))
log.info("l3net table 3: %d cells", len(frame))
