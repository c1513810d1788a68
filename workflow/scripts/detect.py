"""Fine-tune Fast R-CNN from one model's trunk on the VOC boxes and evaluate mAP at IoU 0.5."""

import time

import torch

from soundsight.detect.run import detections_frame, run_detection
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
torch.set_num_threads(snakemake.threads)
device = str(resolve_device(p.device))
cfg = {k: p.detection[k] for k in ("iterations", "lr", "proposals")}
summary, dets = run_detection(snakemake.input.model, snakemake.input.voc, cfg, p.seed, device)
inputs = [snakemake.input.model, snakemake.input.voc]
summary["provenance"] = provenance(p.detection, inputs, {"seed": p.seed}, started, device)
write_json(snakemake.output.summary, summary)
detections_frame(dets, summary["classes"]).to_csv(snakemake.output.detections, index=False)
log.info("%s detection mAP %.4f", snakemake.wildcards.model, summary["map"])
