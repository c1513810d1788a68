"""Unit selectivity of one model on still images with masks (mini-VOC2007): Fig. 7's labels."""

from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.train.loop import resolve_device
from soundsight.units import PNGLabels
from soundsight.units.run import analyse_units, save_analysis, voc_pool

log = configure(snakemake.log[0])
i, o, u = snakemake.input, snakemake.output, snakemake.params.units
torch.set_num_threads(snakemake.threads)
device = str(resolve_device(snakemake.params.device))
model = load_trained(i.model).to(device)
pool = voc_pool(i.voc)
source = PNGLabels(list(pool["mask"]), model.input_size)
analysis = analyse_units(
    model, list(pool["path"]), source, u["top_k"], u["threshold"], u["min_fraction"],
    u["radius_at_227"], snakemake.params.batch_size, device,
)  # fmt: skip
save_analysis(analysis, pool, Path(o.labels), Path(o.top))
log.info(
    "%s stills: %d detectors", snakemake.wildcards.model, analysis.labels.table["is_detector"].sum()
)
