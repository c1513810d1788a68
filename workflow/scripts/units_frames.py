"""Unit selectivity of one model on held-out world frames: labels, Table 1 row, top-5 figure."""

import time
from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device
from soundsight.units import WorldFrameLabels, load_audible, table1_row
from soundsight.units.figures import plot_unit_responses
from soundsight.units.run import analyse_units, response_panels, save_analysis, world_pool

started = time.time()
log = configure(snakemake.log[0])
i, o, p = snakemake.input, snakemake.output, snakemake.params
u = p.units
torch.set_num_threads(snakemake.threads)
device = str(resolve_device(p.device))
model = load_trained(i.model).to(device)
pool = world_pool(i.index, i.split, u["pool"])
source = WorldFrameLabels(pool, i.groundtruth, model.input_size)
analysis = analyse_units(
    model, list(pool["path"]), source, u["top_k"], u["threshold"], u["min_fraction"],
    u["radius_at_227"], p.batch_size, device,
)  # fmt: skip
save_analysis(analysis, pool, Path(o.labels), Path(o.top))
audible = load_audible(i.groundtruth, pool["video_id"])
videos = pool["video_id"].to_numpy()
row = table1_row(
    analysis.labels.table, analysis.top_indices, videos, audible, n_videos=u["n_videos"]
)
row["provenance"] = provenance(u, [i.model, i.index], {"seed": p.seed}, started, device)
write_json(o.table1_row, row)
plot_unit_responses(response_panels(analysis, pool, model), Path(o.png).with_suffix(""))
log.info(
    "%s: %d detectors of %d units", snakemake.wildcards.model, row["n_detectors"], row["n_units"]
)
