"""Random or k-means data-dependent initialisation (Krähenbühl et al. 2016) of the pretext CNN."""

from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.train.run import model_kwargs, run_init, sample_train_images

log = configure(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
images = sample_train_images(
    snakemake.input.split,
    snakemake.input.index,
    Path(snakemake.input.index).parent,
    p.pretext["init_images"],
    p.pretext["input_size"],
    p.seed,
)  # (n, 3, S, S)
metrics = run_init(
    snakemake.wildcards.model,
    images,
    p.pretext["model"],
    p.num_outputs,
    model_kwargs(p.pretext),
    p.seed,
    Path(snakemake.output.model).parent,
)
log.info("%s init: %s", snakemake.wildcards.model, metrics)
