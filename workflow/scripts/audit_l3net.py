"""Claims audit of l3net: per-pair AVC accuracy (paired bootstrap over held-out pairs), per-clip
sound classification accuracy (paired over test recordings, fold by fold), per-image linear
classification accuracy (within each SUN partition) and NMI (recomputed per resample of clips)."""

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
# sun_accuracy reads <linear>/<model>/sun_predictions.npz (Table 3), nmi <nmi>/<model>/nmi.npz
linear_dir = Path(i.images[0]).parents[1] if i.images else None
nmi_dir = Path(i.nmi[0]).parents[1] if i.nmi else None
# unit_preference reads <embeddings>/<model>/kinetics_sounds.npz
embeddings_dir = Path(i.embeddings[0]).parents[1] if i.embeddings else None
inputs = {
    "avc_dir": models_dir, "models_dir": models_dir, "clip_sources": sources,
    "probe_dir": linear_dir, "nmi_dir": nmi_dir, "embeddings_dir": embeddings_dir,
}  # fmt: skip
checks = l3net_checks(p.models, present_models(sources))
claims = l3net_claims(p.config["avc"]["image_probe"]["layer"])
audit = run_audit(claims, inputs, n_boot=p.n_boot, seed=p.seed, checks=checks)
write_audit(audit, Path(snakemake.output.csv), Path(snakemake.output.md), AUDIT_TITLE)
files = [*i.pairs, *i.heldout, *i.metrics, *i.clips, *i.images, *i.nmi, *i.embeddings]
write_json(snakemake.output.provenance, provenance(p.config, files, {"seed": p.seed}, started))
log.info("l3net audit: %s", audit_summary(audit))
