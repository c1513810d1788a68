"""L3-Net Figs. 3-8: pool4 units' top clips with the unit's conv4_2 heat map, both subnets."""

import time
from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.papers.l3net.figures import unit_maps_figures
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
i, o, p = snakemake.input, snakemake.output, snakemake.params
torch.set_num_threads(snakemake.threads)
model = load_trained(i.model)
pngs = {"vision": Path(o.vision), "audio": Path(o.audio)}
shown = unit_maps_figures(
    model, i.embeddings, i.manifest, p.clusters["figure_units"], pngs, Path(o.csv)
)
inputs = [i.model, i.spec, i.embeddings, i.manifest]
record = provenance(p.config, inputs, {"seed": p.seed}, started, extra={"units": shown})
write_json(o.provenance, record)
log.info("l3net unit maps: %s", shown)
