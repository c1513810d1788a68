"""Figs. 4, 6 and 7: detectors vs threshold, and per-category detector histograms."""

from pathlib import Path

import numpy as np
import pandas as pd

from soundsight.logs import configure
from soundsight.units.figures import plot_detector_histograms, plot_detectors_vs_threshold

log = configure(snakemake.log[0])
i, o, models = snakemake.input, snakemake.output, snakemake.params.models
curves = {}
for m, f in zip(models, i.top, strict=True):
    with np.load(f) as z:
        curves[m] = (z["thresholds"], z["n_detectors"])
plot_detectors_vs_threshold(curves, Path(o.fig4).with_suffix(""))


def detectors(paths):
    tables = {m: pd.read_csv(f) for m, f in zip(models, paths, strict=True)}
    return {m: list(t.loc[t["is_detector"], "category"]) for m, t in tables.items()}


plot_detector_histograms(detectors(i.labels), Path(o.fig6).with_suffix(""))
plot_detector_histograms(detectors(i.stills), Path(o.fig7).with_suffix(""))
log.info("unit figures for %s", models)
