"""soundsight.data: video lists, sharding, ingest of raw videos into frames + audio windows + whole
audio tracks (``read_clip`` cuts any clip from them), and readers of the real datasets (VOC2007,
SUN397, ESC-50, DCASE 2013 scenes, AudioSet).

The opt-in downloader (``ARCHIVES``, ``Archive``, ``fetch``) is imported on first use only.
"""

from typing import Any

from soundsight.data.audioset import (
    Ontology,
    read_ontology,
    read_segments,
    segments_manifest,
    write_manifest,
)
from soundsight.data.dcase2013 import read_dcase2013
from soundsight.data.decode import REJECT_CODES, IngestParams, VideoRejectedError, decode_video
from soundsight.data.esc50 import esc10_subset, fold_splits, read_esc50
from soundsight.data.ingest import ShardResult, ingest_shard, load_shard_audio, merge_shards
from soundsight.data.localisation import read_localisation
from soundsight.data.manifest import (
    count_videos,
    list_videos,
    n_shards,
    select_shard,
    shard_slices,
)
from soundsight.data.sun import SunSplit, is_jpeg, read_sun
from soundsight.data.tracks import ShardTracks, read_clip, read_tracks_table
from soundsight.data.voc import VocSplit, read_voc

__all__ = [
    "ARCHIVES",
    "REJECT_CODES",
    "Archive",
    "IngestParams",
    "Ontology",
    "ShardResult",
    "ShardTracks",
    "SunSplit",
    "VideoRejectedError",
    "VocSplit",
    "count_videos",
    "decode_video",
    "esc10_subset",
    "fetch",
    "fold_splits",
    "ingest_shard",
    "is_jpeg",
    "list_videos",
    "load_shard_audio",
    "merge_shards",
    "n_shards",
    "read_clip",
    "read_dcase2013",
    "read_localisation",
    "read_esc50",
    "read_ontology",
    "read_segments",
    "read_sun",
    "read_tracks_table",
    "read_voc",
    "segments_manifest",
    "select_shard",
    "shard_slices",
    "write_manifest",
]


_LAZY = {"ARCHIVES", "Archive", "fetch"}  # soundsight.data.download (urllib, tarfile, zipfile)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from soundsight.data import download

        return getattr(download, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
