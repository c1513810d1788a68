"""SoundNet Fig. 4: t-SNE of the distilled student's conv7 features of the ESC-50 recordings."""

import time
from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.papers.soundnet.figures import probe_root, tsne_figure
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p, i, o = snakemake.params, snakemake.input, snakemake.output
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
model = load_trained(i.model, i.spec)  # weights_only=True
stats = tsne_figure(
    model, probe_root(i.root), p.layer, p.seed, p.perplexity, p.points,
    Path(o.png), Path(o.csv), str(device),
)  # fmt: skip
extra = {"layer": p.layer, "perplexity": p.perplexity, "neighbours": stats}
inputs = [i.model, i.spec, i.root]
record = provenance(p.config, inputs, {"seed": p.seed}, started, str(device), extra)
write_json(o.provenance, record)
log.info("soundnet fig 4 (%s): %s", p.layer, stats)
