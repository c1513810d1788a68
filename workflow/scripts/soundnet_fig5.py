"""SoundNet Fig. 5: the distilled student's conv1 filters as waveforms and spectra."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.papers.soundnet.figures import filters_figure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, i, o = snakemake.params, snakemake.input, snakemake.output
model = load_trained(i.model, i.spec)  # weights_only=True
frame = filters_figure(model, p.fft_size, Path(o.png), Path(o.csv))
write_json(o.provenance, provenance(p.config, [i.model, i.spec], {"seed": p.seed}, started))
log.info("soundnet fig 5: conv1 filters by peak frequency:\n%s", frame.to_string(index=False))
