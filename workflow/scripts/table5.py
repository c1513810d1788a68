"""Table 5 of Owens et al. 2018: a model trained on sound annotations vs the sound-label models."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.tables import build_table5, table5_markdown
from soundsight.provenance import provenance, write_json
from soundsight.report.table import write_table

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
probe_dir = Path(snakemake.input[0]).parents[1]
table = build_table5(probe_dir, p.rows)
sweep, pretext = p.config["figure11"], p.config["pretext"]
note = (
    "Replicated on the embedded world (VOC 11-point mAP %, published in parentheses). The "
    "annotation model predicts the manifest's sound labels (the world's audible sources, the "
    f"analogue of AudioSet). Trained for {pretext['iterations']} iterations, except the "
    f"`sweep_k*` cluster model ({sweep['iterations']}, shared with Fig. 11)."
)
write_table(table, table5_markdown(table, note), snakemake.output.csv, snakemake.output.md)
prov = provenance(p.config, snakemake.input, {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 5:\n%s", table)
