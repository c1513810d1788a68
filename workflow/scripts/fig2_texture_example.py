"""Fig. 2: cochleagrams and texture statistics of two contrasting clips."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.provenance import write_json
from soundsight.viz.cochleagram import texture_example_from_files

log = configure(snakemake.log[0])
ingest_dir = Path(snakemake.input.index).parent
summary = texture_example_from_files(
    ingest_dir, snakemake.input.features, Path(snakemake.output.png), seed=snakemake.params.seed
)
write_json(snakemake.output.summary, summary)
log.info("fig 2: %s", summary)
