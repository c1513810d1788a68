"""L3-Net Fig. 10: t-SNE of the trained and untrained networks' pool4 embeddings."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.figures import fig10
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p, o = snakemake.params, snakemake.output
files = list(snakemake.input.embeddings)  # <embeddings>/<model>/kinetics_sounds.npz
titles = {"l3": "trained", "l3_untrained": "untrained"}
models = {Path(f).parent.name: f for f in files}
c = p.clusters
stats = fig10(
    models, {m: titles.get(m, m) for m in models}, p.seed, c["tsne_perplexity"],
    c["tsne_max_points"], Path(o.png), Path(o.csv),
)  # fmt: skip
record = provenance(p.config, files, {"seed": p.seed}, started, extra={"neighbours": stats})
write_json(o.provenance, record)
log.info("l3net fig 10: %s", stats)
