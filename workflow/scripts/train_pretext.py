"""Train one pretext CNN on its label table (resumes from its checkpoint after a kill)."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.train.avc import pair_config
from soundsight.train.distill import DistillConfig
from soundsight.train.run import run_pretext, train_config

log = configure(snakemake.log[0])
p = snakemake.params
# the sheet's row over `avc` (correspondence models) over `pretext` (blank cells are None)
keys = ("model", "iterations", "optimizer", "schedule", "input_size", "batch_size", "lr")
overrides = {k: p.task[k] for k in keys if p.task[k] is not None}
settings = {**p.pretext, **p.task.get("settings", {}), **overrides}
gpus = int(snakemake.resources.get("gpu", 0))  # gpu=N in a profile: data-parallel over N GPUs
cfg = train_config(settings, p.seed, threads=snakemake.threads, gpus=gpus)
pairs = None
if p.task["kind"] == "correspondence":
    pairs = pair_config(p.task["pairs"], p.task["sampler"], p.task["world_fps"])
    log.info("%s: pairs %s", snakemake.wildcards.model, pairs)
distill = None
if p.task["kind"] == "distillation":  # which teachers' heads, the loss, the crops
    d = p.task["distill"]
    distill = DistillConfig(tuple(d["heads"]), d["divergence"], d["steps"], d["step_s"])
    log.info("%s: %s", snakemake.wildcards.model, distill)
metrics = run_pretext(
    snakemake.input.labels,
    snakemake.input.index,
    Path(snakemake.input.index).parent,
    p.task["kind"],
    cfg,
    Path(snakemake.output.model).parent,
    n_classes=p.task["n_classes"],
    pairs=pairs,
    distill=distill,
)
log.info("%s: held-out %s", snakemake.wildcards.model, metrics.get("val"))
