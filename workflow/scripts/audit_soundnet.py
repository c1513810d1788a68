"""Claims audit of SoundNet: per-clip accuracy of each audited line, paired over test clips."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.soundnet.checks import soundnet_checks, unchecked_teacher_notes
from soundsight.papers.soundnet.claims import AUDIT_TITLE, audit_inputs, soundnet_claims
from soundsight.provenance import provenance, write_json
from soundsight.report.audit import audit_summary, run_audit, write_audit

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
claims = soundnet_claims(p.layer)
results = Path(p.config["results"])
# clip_accuracy reads each key's npz under <results>/probes; pretext_heldout <models>/<m>/heldout
inputs, present = audit_inputs(results / "probes", results / "models", claims)
checks = soundnet_checks(p.students, p.taught, present)
audit = run_audit(claims, inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
notes = unchecked_teacher_notes(p.local_taught, p.config["soundnet"]["local_teachers"])
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE, notes)
files = [*snakemake.input.clips, *snakemake.input.heldout]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("soundnet audit: %s", audit_summary(audit))
