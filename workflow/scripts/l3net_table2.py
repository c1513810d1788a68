"""L3-Net Table 2: ESC-50 / DCASE 2013 accuracy of the L3 audio subnet, trained and untrained."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.tables import build_table2
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
# <probes>/<model>/<dataset>_avc_audio.json (no models: the published rows only)
summaries = list(snakemake.input.summaries)
probes_dir = Path(summaries[0]).parents[1] if p.models else None
spec, frame = build_table2(probes_dir, p.models, p.probe["layer"], p.probe["pool"])
spec.write(frame, Path(snakemake.output.csv), Path(snakemake.output.md))
write_json(snakemake.output.provenance, provenance(p.config, summaries, {"seed": p.seed}, started))
log.info("l3net table 2: %d cells", len(frame))
