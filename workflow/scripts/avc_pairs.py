"""A correspondence model's held-out pairs as avc.npz (pair ids, correctness) for the audit."""

from soundsight.logs import configure
from soundsight.train.avc import write_avc_pairs

log = configure(snakemake.log[0])
accuracy = write_avc_pairs(snakemake.input.heldout, snakemake.input.split, snakemake.output.pairs)
log.info("%s: AVC accuracy %.3f on held-out pairs", snakemake.wildcards.model, accuracy)
