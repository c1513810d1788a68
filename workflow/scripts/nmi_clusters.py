"""k-means NMI (and unit preference) of a model's embeddings, or the random-assignment baseline."""

import time

import numpy as np

from soundsight.eval.clusters import embedding_clusters, random_assignment_clusters
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.report.results import read_npz

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
c = p.clusters
arrays = read_npz(snakemake.input.embeddings)
if p.random:
    summary, out = random_assignment_clusters(arrays, c["k"], p.seed)
else:
    summary, out = embedding_clusters(arrays, c["k"], p.seed, c["n_init"])
inputs = [snakemake.input.embeddings]
summary["provenance"] = provenance(c, inputs, {"seed": p.seed}, started)
np.savez(snakemake.output.clusters, **out)
write_json(snakemake.output.summary, summary)
log.info("NMI %s", summary["nmi"])
