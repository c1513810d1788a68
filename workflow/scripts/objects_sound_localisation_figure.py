"""Objects that Sound Fig. 6-style examples: frames, maps with own and mismatched audio."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.objects_sound.figures import localisation_figure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, o = snakemake.params, snakemake.output
(pointing,) = snakemake.input.pointing  # the localising model's <localisation>/<model>/pointing.npz
n = localisation_figure(snakemake.input.root, pointing, p.rows, Path(o.png))
inputs = [pointing, Path(snakemake.input.root) / "frames.csv"]
write_json(o.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("objects_sound localisation figure: %d rows", n)
