"""Table 1 of Owens et al. 2018: detectors, sound-making detectors, videos with object sound."""

import json
import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.tables import table1_markdown, table1_with_published
from soundsight.provenance import provenance, write_json
from soundsight.report.table import write_table

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
rows = {
    m: json.loads(Path(f).read_text()) for m, f in zip(p.models, snakemake.input.rows, strict=True)
}
table = table1_with_published(rows)
units = p.config["units"]
out = snakemake.output
md = table1_markdown(table, units["top_k"], units["threshold"])
write_table(table, md, Path(out.csv), Path(out.md))
prov = provenance(p.config, snakemake.input.rows, {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 1:\n%s", table)
