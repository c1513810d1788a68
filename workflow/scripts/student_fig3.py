"""Student Fig. 3: fine-tuned VOC mAP vs the number of clusters, AlexNet and ResNet-18."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.papers.student.figures import plot_fig3, sweep_frame

log = configure(snakemake.log[0])
p = snakemake.params
finetune_dir = Path(snakemake.input.runs[0]).parents[2]  # <dir>/<model>/<mode>/finetune.json
sweep = sweep_frame(finetune_dir, p.sweep_k)
sweep.to_csv(snakemake.output.csv, index=False)
plot_fig3(sweep, Path(snakemake.output.png))
log.info("student fig 3:\n%s", sweep)
