"""Table 2 of Owens et al. 2018: replicated VOC mAP / SUN accuracy next to the published values."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.tables import TABLE2, build_table2
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
probe_dir = Path(snakemake.input.voc[0]).parents[1]
table = build_table2(probe_dir, p.models)
TABLE2.write(table, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = [*snakemake.input.voc, *snakemake.input.sun]
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("table 2: %d cells", len(table))
