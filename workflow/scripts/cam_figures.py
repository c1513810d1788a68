"""Figs. 9 and 10: class activation maps of the CAM sound model on held-out frames."""

from pathlib import Path

import torch

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.provenance import write_json
from soundsight.train.loop import resolve_device
from soundsight.units.run import world_pool
from soundsight.viz.cam import plot_fig9, plot_fig10, predict_cams

log = configure(snakemake.log[0])
i, o, p = snakemake.input, snakemake.output, snakemake.params
torch.set_num_threads(snakemake.threads)
device = str(resolve_device(p.device))
model = load_trained(i.model)
pool = world_pool(i.index, i.split, "test")
paths, videos = list(pool["path"]), list(pool["video_id"])
pred = predict_cams(model, paths, p.batch_size, device)
summary = {
    "fig10": plot_fig10(pred, paths, videos, model.input_size, Path(o.fig10)),
    "fig9": plot_fig9(pred, paths, videos, model.input_size, Path(o.fig9)),
}
write_json(o.summary, summary)
log.info("CAM figures: %s", summary["fig10"]["categories"])
