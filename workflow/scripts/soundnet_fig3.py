"""SoundNet Fig. 3: confusions of the ESC-50 and DCASE 2013 probes from their own predictions."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.soundnet.figures import confusion_figure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, i, o = snakemake.params, snakemake.input, snakemake.output
frame = confusion_figure(
    p.datasets, i.clips, i.summaries, i.roots, p.layer, Path(o.png), Path(o.csv)
)
inputs = [*i.clips, *i.summaries, *i.roots]
write_json(o.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("soundnet fig 3 (%s):\n%s", p.layer, frame.to_string(index=False))
