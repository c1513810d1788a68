"""Fine-tune one model on VOC2007 classification, the head only or all layers (test VOC07 mAP)."""

import time
from pathlib import Path

import torch

from soundsight.eval.finetune import FinetuneConfig, finetune
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
cfg = FinetuneConfig.from_dict({**p.finetune, "seed": p.seed, "num_threads": snakemake.threads})
summary = finetune(
    snakemake.input.model, snakemake.input.spec, snakemake.input.voc, snakemake.wildcards.mode,
    cfg, Path(snakemake.output.summary).parent,
)  # fmt: skip
summary["model_name"] = snakemake.wildcards.model
inputs = [snakemake.input.model, snakemake.input.spec, snakemake.input.voc]
device = summary["train"]["device"]
summary["provenance"] = provenance(p.finetune, inputs, {"seed": p.seed}, started, device)
write_json(snakemake.output.summary, summary)
log.info(
    "%s %s: VOC07 mAP %.4f", snakemake.wildcards.model, snakemake.wildcards.mode, summary["map11"]
)
