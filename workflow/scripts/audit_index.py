"""The audit overview: every registered paper's verdict counts and the scale of the run."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.report.index import write_index

log = configure(snakemake.log[0])
i, p = snakemake.input, snakemake.params
audits = {paper: (Path(c), Path(m)) for paper, c, m in zip(p.papers, i.csv, i.md, strict=True)}
frame = write_index(audits, p.config, Path(snakemake.output.csv), Path(snakemake.output.md))
log.info("audit overview: %s", frame[["paper", "held", "failed", "no_power"]].to_dict("records"))
