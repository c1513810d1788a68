"""Claims audit of the student reproduction: fine-tuned VOC mAP, paired bootstrap over images."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.student.checks import student_checks
from soundsight.papers.student.claims import AUDIT_TITLE, student_claims
from soundsight.provenance import provenance, write_json
from soundsight.report.audit import audit_summary, run_audit, write_audit

started = time.time()
log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
claims = student_claims(p.k, p.sweep_k, p.head_models)
inputs = {
    "finetune_dir": Path(i.scores[0]).parents[2],  # <dir>/<model>/<mode>/voc_scores.npz
    "models_dir": Path(i.heldout[0]).parents[1] if i.heldout else None,  # <dir>/<model>/...
}
checks = student_checks(p.head_models, p.pretext_models)
audit = run_audit(claims, inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE)
files = [*i.scores, *i.summaries, *i.heldout, *i.metrics]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("student audit: %s", audit_summary(audit))
