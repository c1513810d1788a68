"""mini-SUN397 in its layout: SUN397/<letter>/<scene>/sun_<id>.jpg + ClassName.txt + partitions.

Partition files ``Training_0k.txt`` / ``Testing_0k.txt`` (k = 1..K) sit next to ClassName.txt in
``SUN397/``; each draws, per class, disjoint train and test images from the same image pool (as
the real SUN397 partitions do).
"""

from __future__ import annotations

import logging
import string
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from soundsight.world.compose import make_rng
from soundsight.world.config import WorldConfig
from soundsight.world.scenes import SCENE_NAMES
from soundsight.world.stills import render_still, save_jpeg
from soundsight.world.videos import world_scenes

log = logging.getLogger(__name__)

STREAM_SUN = 4
PARTITION_KEY = 1_000_003  # key separating partition draws from image draws


def class_path(scene: str) -> str:
    """SUN397 class path, e.g. '/b/beach'."""
    return f"/{scene[0]}/{scene}"


def _image_name(rng: np.random.Generator) -> str:
    """Random SUN-style file name, e.g. 'sun_aqswjsnjlrfzzhiz.jpg'."""
    letters = np.array(list(string.ascii_lowercase))
    return "sun_" + "".join(letters[rng.integers(0, 26, size=16)]) + ".jpg"


def _render_one(job: tuple[str, int], cfg: WorldConfig, root: Path) -> str:
    """Worker: render and write image k of a scene class; return its path relative to root."""
    scene, k = job
    rng = make_rng(cfg.seed, STREAM_SUN, SCENE_NAMES.index(scene), k)
    name = _image_name(rng)
    nuisances = cfg.nuisances(zoom=cfg.sun_camera_zoom)
    image = render_still(rng, scene, cfg.sun_image_size, cfg.max_objects, nuisances=nuisances)
    rel = f"{class_path(scene)}/{name}"
    save_jpeg(image.rgb, root / rel.lstrip("/"), cfg.jpeg_quality)
    return rel


def generate_sun(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write mini-SUN397 under out_dir/SUN397; return counts."""
    root = Path(out_dir) / "SUN397"
    root.mkdir(parents=True, exist_ok=True)
    scenes = tuple(sorted(world_scenes(cfg)))
    pool_size = cfg.sun_per_class_train + cfg.sun_per_class_test + cfg.sun_per_class_extra
    jobs = [(s, k) for s in scenes for k in range(pool_size)]
    work = partial(_render_one, cfg=cfg, root=root)
    if cfg.n_workers > 1:
        with ProcessPoolExecutor(max_workers=cfg.n_workers) as pool:
            paths = list(
                tqdm(pool.map(work, jobs, chunksize=8), total=len(jobs), desc="mini-SUN397")
            )
    else:
        paths = [work(j) for j in tqdm(jobs, desc="mini-SUN397")]
    by_class = {s: paths[i * pool_size : (i + 1) * pool_size] for i, s in enumerate(scenes)}
    for s, rels in by_class.items():
        if len(set(rels)) != len(rels):
            raise RuntimeError(f"SUN397 file-name collision in class {s}; change the seed")
    (root / "ClassName.txt").write_text("".join(f"{class_path(s)}\n" for s in scenes))
    write_partitions(cfg, root, by_class)
    log.info("wrote mini-SUN397 (%d classes, %d images) to %s", len(scenes), len(paths), root)
    return {
        "classes": len(scenes),
        "images": len(paths),
        "partitions": cfg.sun_n_partitions,
        "per_class_train": cfg.sun_per_class_train,
        "per_class_test": cfg.sun_per_class_test,
    }


def write_partitions(cfg: WorldConfig, root: Path, by_class: dict[str, list[str]]) -> None:
    """Write Training_0k.txt / Testing_0k.txt for k = 1..K (disjoint per partition)."""
    n_train, n_test = cfg.sun_per_class_train, cfg.sun_per_class_test
    for p in range(1, cfg.sun_n_partitions + 1):
        rng = make_rng(cfg.seed, STREAM_SUN, PARTITION_KEY, p)
        train, test = [], []
        for scene in sorted(by_class):
            rels = by_class[scene]
            order = rng.permutation(len(rels))
            train += [rels[i] for i in order[:n_train]]
            test += [rels[i] for i in order[n_train : n_train + n_test]]
        (root / f"Training_{p:02d}.txt").write_text("".join(f"{r}\n" for r in train))
        (root / f"Testing_{p:02d}.txt").write_text("".join(f"{r}\n" for r in test))
