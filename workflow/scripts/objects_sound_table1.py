"""Objects that Sound Table 1: nDCG@30 of every retrieval method, beside the printed values."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.objects_sound.tables import build_table1, table1
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <retrieval>/<method>/ndcg.json (no methods: the published rows only)
retrieval_dir = Path(snakemake.input.ndcg[0]).parents[1] if p.methods else None
frame = build_table1(retrieval_dir, p.methods)
table1().write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.ndcg)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("objects_sound Table 1: %d cells", len(frame))
