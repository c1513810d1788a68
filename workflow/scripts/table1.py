"""Table 1 of Owens et al. 2018: detectors, sound-making detectors, videos with object sound."""

import json
import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.paper.table1 import table1_with_published, write_table1
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
rows = {
    m: json.loads(Path(f).read_text()) for m, f in zip(p.models, snakemake.input.rows, strict=True)
}
table = table1_with_published(rows)
units = p.config["units"]
out = snakemake.output
write_table1(table, Path(out.csv), Path(out.md), units["top_k"], units["threshold"])
prov = provenance(p.config, snakemake.input.rows, {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 1:\n%s", table)
