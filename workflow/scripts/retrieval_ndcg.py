"""nDCG@30 of one retrieval method (a Table 1 row) in its directions."""

import time
from pathlib import Path

import numpy as np

from soundsight.data.audioset import read_ontology
from soundsight.eval.retrieval import method_ndcg
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
i, p, w = snakemake.input, snakemake.params, snakemake.wildcards
m, r = p.method, p.retrieval


def load(paths):
    """model -> its features npz arrays (the model is the features file's folder name)."""
    return {Path(f).parent.name: dict(np.load(f)) for f in paths}


summary, arrays = method_ndcg(
    m["image"], m["audio"], m["cca"], load(i.test), load(i.train), read_ontology(Path(i.ontology)),
    p.seed, r["cca_components"], r["cca_method"],
)  # fmt: skip
summary |= {"method": w.method, **m}
files = [*i.test, *i.train, i.ontology]
summary["provenance"] = provenance(r, files, {"seed": p.seed}, started)
np.savez(snakemake.output.ndcg, **arrays)
write_json(snakemake.output.summary, summary)
log.info("%s: %s", w.method, {d: round(v, 3) for d, v in summary["ndcg"].items()})
