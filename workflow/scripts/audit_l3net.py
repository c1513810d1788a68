"""Claims audit of l3net: per-pair AVC accuracy (paired bootstrap over held-out pairs) and per-clip
sound classification accuracy (paired over test recordings, fold by fold)."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.l3net.checks import l3net_checks
from soundsight.papers.l3net.claims import (
    AUDIT_TITLE,
    clip_sources,
    l3net_claims,
    present_models,
)
from soundsight.provenance import provenance, write_json
from soundsight.report.audit import audit_summary, run_audit, write_audit

started = time.time()
log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
# avc_accuracy reads <models>/<model>/avc.npz, pretext_heldout <models>/<model>/heldout.npz
models_dir = Path(i.pairs[0]).parents[1] if i.pairs else None  # <models>/<model>/avc.npz
# clip_accuracy reads <probes>/<model>/<dataset>_avc_audio.npz (Table 2's models)
probes_dir = Path(i.clips[0]).parents[1] if i.clips else Path(p.config["results"]) / "probes"
sources = clip_sources(probes_dir, p.table2_models)
inputs = {"avc_dir": models_dir, "models_dir": models_dir, "clip_sources": sources}
checks = l3net_checks(p.models, present_models(sources))
audit = run_audit(l3net_claims(), inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE)
files = [*i.pairs, *i.heldout, *i.metrics, *i.clips]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("l3net audit: %s", audit_summary(audit))
