"""Figs. 4, 6 and 7: detectors vs threshold, and per-category detector histograms."""

from pathlib import Path

import numpy as np

from soundsight.logs import configure
from soundsight.units.figures import (
    plot_detector_histograms,
    plot_detectors_vs_threshold,
    read_detectors,
)

log = configure(snakemake.log[0])
i, o, models = snakemake.input, snakemake.output, snakemake.params.models
curves = {}
for m, f in zip(models, i.top, strict=True):
    with np.load(f) as z:
        curves[m] = (z["thresholds"], z["n_detectors"])
plot_detectors_vs_threshold(curves, Path(o.fig4).with_suffix(""))


def detectors(paths):
    return read_detectors(dict(zip(models, paths, strict=True)))


plot_detector_histograms(detectors(i.labels), Path(o.fig6).with_suffix(""))
plot_detector_histograms(detectors(i.stills), Path(o.fig7).with_suffix(""))
log.info("unit figures for %s", models)
