"""L3-Net Table 4 (NMI) or the unit-preference counts, from the models' NMI summaries."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.tables import build_table4, build_units_table
from soundsight.provenance import provenance, write_json
from soundsight.report.results import read_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <nmi>/<model>/nmi.json (no models: the published rows only)
summaries = list(snakemake.input.summaries)
nmi_dir = Path(summaries[0]).parents[1] if p.models else None
if p.table == "table4":
    spec, frame = build_table4(nmi_dir, p.models, p.config["avc"]["clusters"]["k"])
else:
    n_classes = read_json(summaries[0], "NMI summary")["n_classes"] if summaries else None
    spec, frame = build_units_table(nmi_dir, p.models, n_classes)
spec.write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
write_json(snakemake.output.provenance, provenance(p.config, summaries, {"seed": p.seed}, started))
log.info("l3net %s: %d cells", p.table, len(frame))
