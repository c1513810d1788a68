"""Merge the ingest shards' frame tables and rejects; check that the counts reconcile."""

from pathlib import Path

from soundsight.data import merge_shards
from soundsight.logs import configure

log = configure(snakemake.log[0])
summary = merge_shards([Path(p) for p in snakemake.input], Path(snakemake.output.index).parent)
if summary["n_input"] != snakemake.params.n_input:
    raise RuntimeError(
        f"ingest saw {summary['n_input']} videos but the source lists {snakemake.params.n_input}"
    )
log.info("ingest: %s", summary)
