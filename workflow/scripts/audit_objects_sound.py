"""Claims audit of objects_sound: per-pair AVC accuracy and per-query nDCG@30, paired bootstrap
over held-out pairs and queries."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.objects_sound.checks import objects_sound_checks
from soundsight.papers.objects_sound.claims import (
    AUDIT_TITLE,
    localisation_claims,
    objects_sound_claims,
    table1_claims,
)
from soundsight.provenance import provenance, write_json
from soundsight.report.audit import audit_summary, run_audit, write_audit

started = time.time()
log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
# avc_accuracy reads <models>/<model>/avc.npz, pretext_heldout <models>/<model>/heldout.npz
models_dir = Path(i.pairs[0]).parents[1] if i.pairs else None  # <models>/<model>/avc.npz
# ndcg reads <retrieval>/<method>/ndcg.npz
retrieval_dir = Path(i.ndcg[0]).parents[1] if i.ndcg else None
# pointing / map_peak read <localisation>/<model>/pointing.npz
localisation_dir = Path(i.pointing[0]).parents[1] if i.pointing else None
inputs = {
    "avc_dir": models_dir,
    "models_dir": models_dir,
    "retrieval_dir": retrieval_dir,
    "localisation_dir": localisation_dir,
}
claims = [*objects_sound_claims(), *table1_claims(p.methods)]
claims += localisation_claims() if i.pointing else []
checks = objects_sound_checks(p.models)
audit = run_audit(claims, inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE)
files = [*i.pairs, *i.heldout, *i.metrics, *i.ndcg, *i.pointing]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("objects_sound audit: %s", audit_summary(audit))
