"""Table 4 of Owens et al. 2018: per-class AP with pool5 features, replicated and published."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.tables import TABLE4, build_table4
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
probe_dir = Path(snakemake.input.voc[0]).parents[1]
audio = Path(snakemake.input.audio_class)
table = build_table4(probe_dir, p.models, audio, audio_class_layer="log_probs")
TABLE4.write(table, Path(snakemake.output.csv), Path(snakemake.output.md))
prov = provenance(p.config, [*snakemake.input.voc, audio], {"seed": p.seed}, started)
write_json(snakemake.output.provenance, prov)
log.info("table 4: %d cells", len(table))
