"""Table 3 of Owens et al. 2018: detection mAP of Fast R-CNN initialised from each model."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.paper.table3 import build_table3, write_table3
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
det_dir = Path(snakemake.input[0]).parents[1]
table = build_table3(det_dir, p.models)
write_table3(table, Path(snakemake.output.csv), Path(snakemake.output.md))
prov = provenance(p.config, snakemake.input, {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 3:\n%s", table)
