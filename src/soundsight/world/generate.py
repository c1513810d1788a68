"""Generate the whole embedded world: videos, mini-VOC2007, mini-SUN397 and world.json."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from soundsight import __version__
from soundsight.world.categories import CATEGORIES, LABEL_VOCAB
from soundsight.world.config import WorldConfig
from soundsight.world.sun import generate_sun
from soundsight.world.videos import generate_videos, world_scenes
from soundsight.world.voc import generate_voc

log = logging.getLogger(__name__)


def generate_world(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write every part of the world under out_dir and return the summary saved in world.json."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    counts: dict[str, Any] = {}
    for part, fn in (("videos", generate_videos), ("voc", generate_voc), ("sun", generate_sun)):
        start = time.perf_counter()
        counts[part] = fn(cfg, out)
        timings[part] = round(time.perf_counter() - start, 3)
        log.info("world part %s took %.1f s", part, timings[part])
    summary = world_summary(cfg, counts)
    summary["wall_time_s"] = timings
    (out / "world.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


def world_summary(cfg: WorldConfig, counts: dict[str, Any]) -> dict[str, Any]:
    """Config, registries and counts of a generated world."""
    return {
        "package_version": __version__,
        "config": cfg.to_dict(),
        "categories": [{"name": c.name, "makes_sound": c.makes_sound} for c in CATEGORIES],
        "scenes": list(world_scenes(cfg)),
        "label_vocabulary": list(LABEL_VOCAB),
        "counts": counts,
    }
