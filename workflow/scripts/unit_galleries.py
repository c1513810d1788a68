"""HTML galleries and blank CSV sheets of every unit's top images, for human labelling."""

from pathlib import Path

import numpy as np

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.units import top_unit_maps
from soundsight.units.run import export_galleries, world_pool

log = configure(snakemake.log[0])
i, u = snakemake.input, snakemake.params.units
model = load_trained(i.model)
pool = world_pool(i.index, i.split, u["pool"])
top = np.load(i.top)["top_indices"]  # (C, K)
paths = list(pool["path"])
maps = top_unit_maps(model, paths, top, model.input_size, snakemake.params.batch_size)
index = export_galleries(
    top, maps, paths, model.input_size, model.receptive_field, Path(snakemake.output[0]),
    u["radius_at_227"],
)  # fmt: skip
log.info("galleries of %d units: %s", len(top), index)
