"""soundsight.data: video lists, sharding, ingest of raw videos into frames + audio windows."""

from soundsight.data.decode import REJECT_CODES, IngestParams, VideoRejectedError, decode_video
from soundsight.data.ingest import ShardResult, ingest_shard, load_shard_audio, merge_shards
from soundsight.data.manifest import (
    count_videos,
    list_videos,
    n_shards,
    select_shard,
    shard_slices,
)

__all__ = [
    "REJECT_CODES",
    "IngestParams",
    "ShardResult",
    "VideoRejectedError",
    "count_videos",
    "decode_video",
    "ingest_shard",
    "list_videos",
    "load_shard_audio",
    "merge_shards",
    "n_shards",
    "select_shard",
    "shard_slices",
]
