"""SoundNet Table 7's features: the held-out videos' sound (student conv7, conv8) and vision
(the teachers' fc7 over the teacher-step frames), one row per video."""

import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from soundsight.config import local_teachers
from soundsight.data.manifest import list_videos
from soundsight.logs import configure
from soundsight.models.spec import load_trained
from soundsight.papers.soundnet.multimodal import (
    Table7Config,
    held_out_videos,
    multimodal_features,
)
from soundsight.provenance import provenance, write_json
from soundsight.train.loop import resolve_device
from soundsight.train.teachers import load_teachers

started = time.time()
log = configure(snakemake.log[0])
p, i = snakemake.params, snakemake.input
torch.set_num_threads(snakemake.threads)
device = resolve_device(p.device)
sn = p.soundnet
cfg = Table7Config.from_config(sn["table7"])
heads = list(sn["teachers"])  # the teachers' inputs come in this order
teachers = load_teachers(sn["teachers"], i.teachers, local_teachers(sn))
held_out = held_out_videos(i.split, i.scene)
tracks = pd.read_csv(i.tracks, dtype={"video_id": str}, keep_default_na=False)
arrays, counts = multimodal_features(
    load_trained(i.student, i.spec), teachers, held_out, tracks, list_videos(i.source),
    Path(i.tracks).parent, sn["teacher_step_s"], p.short_side, cfg, p.jpeg_quality,
    sn["teacher_batch_size"], str(device),
)  # fmt: skip
np.savez(snakemake.output.features, **arrays)
inputs = [i.student, i.spec, *i.teachers, i.tracks, i.split, i.scene]
counts["teachers"] = dict(zip(heads, map(str, i.teachers), strict=True))
counts["provenance"] = provenance(p.config, inputs, {"seed": p.seed}, started, str(device))
write_json(snakemake.output.summary, counts)
log.info("table 7 features: %d of %d held-out videos", counts["n_videos"], counts["n_held_out"])
