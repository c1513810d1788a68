"""Claims audit of Owens et al. 2018 with paired bootstrap intervals over test images."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.paper.audit import audit_summary, run_audit, write_audit
from soundsight.paper.claims_owens2018 import CLAIMS
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
probe_dir = Path(snakemake.input.voc[0]).parents[1]
cluster_dir = Path(snakemake.input.cluster).parent
audit = run_audit(CLAIMS, probe_dir, cluster_dir, n_boot=p.n_boot, seed=p.seed)
out = Path(snakemake.output.md)
write_audit(audit, Path(snakemake.output.csv), out, "Owens et al. 2018: claims audit")
inputs = [*snakemake.input.voc, *snakemake.input.sun, snakemake.input.cluster]
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("audit: %s", audit_summary(audit))
