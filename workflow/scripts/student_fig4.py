"""Student Fig. 4: sound texture vs MFCC clusters, per-class AP after fine-tuning."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.student.figures import plot_fig4, texture_vs_mfcc

log = configure(snakemake.log[0])
p = snakemake.params
finetune_dir = Path(snakemake.input.runs[0]).parents[2]  # <dir>/<model>/<mode>/finetune.json
classes = texture_vs_mfcc(finetune_dir, p.k)
classes.to_csv(snakemake.output.csv, index=False)
plot_fig4(classes, Path(snakemake.output.png))
log.info("student fig 4:\n%s", classes)
