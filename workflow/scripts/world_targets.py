"""Object (multi-label) and scene labels of ingested world frames, for the supervised baselines."""

import pandas as pd

from soundsight.labels.world_targets import world_frame_targets
from soundsight.logs import configure

log = configure(snakemake.log[0])
split = pd.read_csv(snakemake.input.split, dtype={"frame_id": str, "video_id": str})
index = pd.read_csv(snakemake.input.index, dtype={"frame_id": str})
frames = split.merge(
    index[["frame_id", "time_s", "frame_time_s"]], on="frame_id", how="left", validate="1:1"
)
objects, scene = world_frame_targets(frames, snakemake.input.groundtruth)
objects.to_csv(snakemake.output.objects, index=False)
scene.to_csv(snakemake.output.scene, index=False)
log.info("world targets for %d frames", len(frames))
