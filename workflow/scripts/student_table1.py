"""Student Table 1: VOC mAP after fine-tuning the head only vs all layers, beside the published."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.student.tables import build_table1, table1
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
finetune_dir = Path(snakemake.input.runs[0]).parents[2]  # <dir>/<model>/<mode>/finetune.json
frame = build_table1(finetune_dir, p.k, p.models)
table1(p.k).write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.runs)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("student table 1: %d cells", len(frame))
