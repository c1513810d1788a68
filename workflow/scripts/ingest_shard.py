"""Ingest one shard of videos: sampled frames as JPEG, the audio window around each, the tracks."""

from pathlib import Path

from soundsight.data import ingest_shard, list_videos, select_shard
from soundsight.logs import configure

log = configure(snakemake.log[0])
cfg = snakemake.params.ingest
videos = select_shard(
    list_videos(snakemake.input.source), int(snakemake.wildcards.shard), cfg["shard_size"]
)
result = ingest_shard(
    videos,
    Path(snakemake.output[0]),
    frames_per_video=cfg["frames_per_video"],
    short_side=cfg["short_side"],
    window_s=cfg["window_s"],
    audio_rate=cfg["audio_rate"],
    jpeg_quality=cfg["jpeg_quality"],
    track_rate=cfg["track_rate"],
    seed=snakemake.params.seed,
)
log.info("shard %s: %s", snakemake.wildcards.shard, result)
