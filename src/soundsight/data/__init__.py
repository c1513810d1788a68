"""soundsight.data: video lists, sharding, ingest of raw videos into frames + audio windows + whole
audio tracks (``read_clip`` cuts any clip from them), and readers of the real datasets (VOC2007,
SUN397, ESC-50, DCASE 2013 scenes, AudioSet).

Every name is imported from its module on first use (PEP 562), so importing one reader does
not import the others (PyAV, scipy, the opt-in downloader).
"""

import importlib
from typing import Any

# Every public name and the module that defines it, imported on first use: a job that reads VOC
# must not pay for PyAV, scipy and pandas readers it never calls (~2 s of start-up per job).
_SOURCES = {
    "audioset": ("Ontology", "read_ontology", "read_segments", "segments_manifest",
                 "write_manifest"),
    "dcase2013": ("read_dcase2013",),
    "decode": ("REJECT_CODES", "IngestParams", "VideoRejectedError", "decode_video"),
    "download": ("ARCHIVES", "Archive", "fetch"),
    "esc50": ("esc10_subset", "fold_splits", "read_esc50"),
    "ingest": ("ShardResult", "ingest_shard", "load_shard_audio", "merge_shards"),
    "localisation": ("read_localisation",),
    "manifest": ("count_videos", "list_videos", "n_shards", "select_shard", "shard_slices"),
    "sun": ("SunSplit", "is_jpeg", "read_sun"),
    "tracks": ("ShardTracks", "read_clip", "read_tracks_table"),
    "voc": ("VocSplit", "read_voc"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
