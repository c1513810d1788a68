"""Fig. 11: VOC mAP as the number of sound clusters varies (one pretext model per k)."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.owens2018.figures import cluster_sweep, plot_fig11

log = configure(snakemake.log[0])
p = snakemake.params
probe_dir = Path(snakemake.input[0]).parents[1]
sweep = cluster_sweep(probe_dir, p.k, p.layer)
sweep.to_csv(snakemake.output.csv, index=False)
plot_fig11(sweep, p.layer, Path(snakemake.output.png))
log.info("fig 11:\n%s", sweep)
