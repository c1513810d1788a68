"""Objects that Sound's AVC comparison: AVE / L3 x shortcut prevention, beside the printed."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.objects_sound.tables import avc_table, build_avc_table
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <models>/<model>/metrics.json (no models: the published rows only)
models_dir = Path(snakemake.input.metrics[0]).parents[1] if p.models else None
frame = build_avc_table(models_dir, p.models)
avc_table().write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
inputs = list(snakemake.input.metrics)
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("objects_sound AVC table: %d cells", len(frame))
