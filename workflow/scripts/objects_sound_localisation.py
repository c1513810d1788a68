"""Objects that Sound Sect. 4.1: AVOL-Net's pointing accuracy beside the centre baseline."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.objects_sound.tables import build_localisation_table, localisation_table
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
files = list(snakemake.input.summary)  # <localisation>/<model>/localisation.json
localisation_dir = Path(files[0]).parents[1] if files else None
frame = build_localisation_table(localisation_dir)
localisation_table().write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("objects_sound localisation table: %d cells", len(frame))
