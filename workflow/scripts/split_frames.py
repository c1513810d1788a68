"""Split ingested frames into train/test by video."""

import pandas as pd

from soundsight.labels.split import split_by_video
from soundsight.logs import configure

log = configure(snakemake.log[0])
index = pd.read_csv(snakemake.input[0], dtype={"frame_id": str, "video_id": str})
index["split"] = split_by_video(index, snakemake.params.test_fraction, snakemake.params.seed)
index[["frame_id", "video_id", "split"]].to_csv(snakemake.output[0], index=False)
log.info("split: %s", index["split"].value_counts().to_dict())
