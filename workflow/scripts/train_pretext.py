"""Train one pretext CNN on its label table (resumes from its checkpoint after a kill)."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.train.run import run_pretext, train_config

log = configure(snakemake.log[0])
p = snakemake.params
# the sheet's row over `pretext` (blank cells are None: the config's value stays)
keys = ("model", "iterations", "optimizer", "schedule", "input_size", "batch_size", "lr")
overrides = {k: p.task[k] for k in keys if p.task[k] is not None}
gpus = int(snakemake.resources.get("gpu", 0))  # gpu=N in a profile: data-parallel over N GPUs
cfg = train_config({**p.pretext, **overrides}, p.seed, threads=snakemake.threads, gpus=gpus)
metrics = run_pretext(
    snakemake.input.labels,
    snakemake.input.index,
    Path(snakemake.input.index).parent,
    p.task["kind"],
    cfg,
    Path(snakemake.output.model).parent,
    n_classes=p.task["n_classes"],
)
log.info("%s: held-out %s", snakemake.wildcards.model, metrics.get("val"))
