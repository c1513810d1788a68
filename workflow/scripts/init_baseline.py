"""Random or k-means data-dependent initialisation (Krähenbühl et al. 2016) of the pretext CNN,
or an untrained network (its architecture's own seeded initialisation)."""

from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.train.run import model_kwargs, run_init, sample_train_images

log = configure(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
method = p.method  # the sheet row's targets: random, kmeans or untrained (no images)
images = None
if method != "untrained":
    images = sample_train_images(
        snakemake.input.split,
        snakemake.input.index,
        Path(snakemake.input.index).parent,
        p.pretext["init_images"],
        p.pretext["input_size"],
        p.seed,
    )  # (n, 3, S, S)
metrics = run_init(
    method,
    images,
    p.pretext["model"],
    p.num_outputs,
    model_kwargs(p.pretext),
    p.seed,
    Path(snakemake.output.model).parent,
)
log.info("%s init: %s", snakemake.wildcards.model, metrics)
