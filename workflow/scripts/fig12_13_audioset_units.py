"""Figs. 12/13: detector histograms of the AudioSet-analogue Cluster model, its instrument units."""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.provenance import provenance, write_json
from soundsight.units.figures import (
    plot_detector_histograms,
    plot_unit_responses,
    read_detectors,
)
from soundsight.units.focus import detector_counts, group_panels, group_units, load_saved_units
from soundsight.units.run import world_pool
from soundsight.world import INSTRUMENT_CATEGORIES

started = time.time()
log = configure(snakemake.log[0])
i, o, p = snakemake.input, snakemake.output, snakemake.params
saved = load_saved_units(i.labels[p.models.index("audioset_cluster")], i.top)
pool = world_pool(i.index, i.split, p.units["pool"])
if not np.array_equal(saved.pool_ids, pool["frame_id"].to_numpy(dtype=str)):
    raise ValueError(f"{i.top} was made on another pool of frames: rerun units_frames")
model = load_trained(i.model)
units = group_units(saved, INSTRUMENT_CATEGORIES, n=6)
panels = group_panels(
    saved, units, list(pool["path"]), model.input_size, model.receptive_field,
    p.units["radius_at_227"],
)  # fmt: skip
plot_unit_responses(panels, Path(o.fig13).with_suffix(""))
label_files = dict(zip(p.models, i.labels, strict=True))
plot_detector_histograms(read_detectors(label_files), Path(o.fig12).with_suffix(""))
tables = {m: pd.read_csv(f, keep_default_na=False) for m, f in label_files.items()}
summary = {m: detector_counts(t, INSTRUMENT_CATEGORIES) for m, t in tables.items()}
summary["fig13_units"] = units.to_dict(orient="records")
summary["instrument_categories"] = list(INSTRUMENT_CATEGORIES)
summary["provenance"] = provenance(p.units, [*i.labels, i.top], {"seed": p.seed}, started)
write_json(o.summary, summary)
log.info("Figs. 12/13: %s", {m: summary[m]["n_group_detectors"] for m in p.models})
