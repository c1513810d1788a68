"""Student per-class table: texture vs MFCC per-class AP, beside the printed rows."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.student.tables import build_table2, table2
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
finetune_dir = Path(snakemake.input.runs[0]).parents[2]  # <dir>/<model>/<mode>/finetune.json
frame = build_table2(finetune_dir, p.k)
table2().write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.runs)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("student per-class table: %d records", len(frame))
