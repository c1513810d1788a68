"""Cache the visual teachers' posteriors at fixed steps through every video of a corpus."""

import time

import torch

from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device
from soundsight.train.teachers import build_teacher_cache, load_teachers

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
heads = list(p.teachers)  # the teachers' inputs come in this order (head -> model name)
teachers = load_teachers(p.teachers, snakemake.input.teachers, p.local_teachers)
summary = build_teacher_cache(
    snakemake.input.source, snakemake.input.tracks, teachers, p.soundnet["teacher_step_s"],
    p.short_side, snakemake.output.cache, snakemake.output.rejects,
    p.soundnet["teacher_batch_size"], str(device), p.jpeg_quality,
)  # fmt: skip
summary["teachers"] = dict(zip(heads, map(str, snakemake.input.teachers), strict=True))
summary["teacher_models"] = dict(p.teachers)
summary["local_teachers"] = sorted(set(p.teachers.values()) & set(p.local_teachers))
inputs = [snakemake.input.tracks, *snakemake.input.teachers]
summary["provenance"] = provenance(p.soundnet, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, summary)
log.info("teacher cache: %s", {k: summary[k] for k in ("n_cached", "n_rejected", "n_steps")})
