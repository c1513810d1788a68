"""Claims audit of Owens et al. 2018 with bootstrap intervals (test images; units for §4)."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.checks import owens2018_checks
from soundsight.papers.owens2018.claims import AUDIT_TITLE, CLAIMS, UNIT_CLAIMS
from soundsight.provenance import provenance, write_json
from soundsight.report.audit import audit_summary, run_audit, write_audit
from soundsight.world import INSTRUMENT_CATEGORIES, SOUND_CATEGORIES

started = time.time()
log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
probe_dir = Path(i.voc[0]).parents[1]
inputs = {
    "probe_dir": probe_dir,
    "cluster_dir": Path(i.cluster).parent,
    "unit_labels": {Path(f).parent.name: Path(f) for f in i.unit_labels},
    "unit_groups": {"sound": SOUND_CATEGORIES, "instrument": INSTRUMENT_CATEGORIES},
    "models_dir": Path(i.heldout[0]).parents[1] if i.heldout else None,
}
checks = owens2018_checks(p.pretext_models)
audit = run_audit(CLAIMS + UNIT_CLAIMS, inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE)
files = [*i.voc, *i.sun, i.cluster, *i.unit_labels, *i.heldout, *i.metrics]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("audit: %s", audit_summary(audit))
