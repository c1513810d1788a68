"""Fig. 3: audio clusters — nearest held-out frames, centroid statistics, a cochleagram."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.provenance import write_json
from soundsight.viz.clusters import audio_clusters_from_files

log = configure(snakemake.log[0])
i = snakemake.input
summary = audio_clusters_from_files(
    Path(i.index).parent, i.features, i.table, i.model, Path(snakemake.output.png),
    n_clusters=snakemake.params.n_clusters, seed=snakemake.params.seed,
)  # fmt: skip
write_json(snakemake.output.summary, summary)
log.info("fig 3: %s", summary)
