"""Table 3 of Owens et al. 2018: detection mAP of Fast R-CNN initialised from each model."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.tables import TABLE3, build_table3
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
det_dir = Path(snakemake.input[0]).parents[1]
table = build_table3(det_dir, p.models)
TABLE3.write(table, Path(snakemake.output.csv), Path(snakemake.output.md))
prov = provenance(p.config, snakemake.input, {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 3:\n%s", table)
