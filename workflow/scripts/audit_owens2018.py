"""Claims audit of Owens et al. 2018 with bootstrap intervals (test images; units for §4)."""

import time
from pathlib import Path

import pandas as pd

from soundsight.logs import configure
from soundsight.paper.audit import audit_summary, run_audit, write_audit
from soundsight.paper.audit_units import UNIT_CLAIMS, evaluate_unit_claims
from soundsight.paper.claims_owens2018 import CLAIMS
from soundsight.provenance import provenance, write_json
from soundsight.world import INSTRUMENT_CATEGORIES, SOUND_CATEGORIES

started = time.time()
log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
probe_dir = Path(i.voc[0]).parents[1]
audit = run_audit(CLAIMS, probe_dir, Path(i.cluster).parent, n_boot=p.n_boot, seed=p.seed)
labels = {Path(f).parent.name: Path(f) for f in i.unit_labels}
groups = {"sound": SOUND_CATEGORIES, "instrument": INSTRUMENT_CATEGORIES}
units = evaluate_unit_claims(UNIT_CLAIMS, labels, groups, p.n_boot, p.seed)
audit = pd.concat([audit, units], ignore_index=True)
write_audit(
    audit, Path(snakemake.output.csv), Path(snakemake.output.md), "Owens et al. 2018: claims audit"
)
inputs = [*i.voc, *i.sun, i.cluster, *i.unit_labels]
write_json(snakemake.output.provenance, provenance(p.config, inputs, {"seed": p.seed}, started))
log.info("audit: %s", audit_summary(audit))
