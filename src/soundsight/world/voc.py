"""mini-VOC2007 in the devkit layout, rendered by the world renderer.

Layout under ``out_dir/VOC2007``: JPEGImages/, Annotations/ (VOC XML, 1-based boxes),
SegmentationClass/ (palette PNG, index = class index + 1, 0 background),
ImageSets/Main/{split}.txt, ImageSets/Main/{cls}_{split}.txt, ImageSets/Segmentation/{split}.txt.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from soundsight.world.categories import CATEGORY_NAMES, get_category
from soundsight.world.compose import make_rng
from soundsight.world.config import WorldConfig
from soundsight.world.scenes import get_scene
from soundsight.world.stills import StillImage, render_still, save_jpeg
from soundsight.world.videos import world_scenes

log = logging.getLogger(__name__)

STREAM_VOC = 3
SPLITS = ("train", "val", "test")
MIN_PIXELS = 4  # objects with fewer visible pixels are not annotated
SMALL_FRACTION = 0.08  # difficult if the box's shorter side is below this fraction of the image
OCCLUDED_FRACTION = 0.35  # difficult if less than this fraction of the object is visible


def voc_splits(cfg: WorldConfig) -> dict[int, tuple[str, int]]:
    """Map image id -> (split, index within split); ids are shuffled across splits."""
    sizes = {"train": cfg.voc_n_train, "val": cfg.voc_n_val, "test": cfg.voc_n_test}
    n_classes = len(CATEGORY_NAMES)
    for split, size in sizes.items():
        if size < n_classes:
            raise ValueError(
                f"voc_n_{split}={size} is too small: every one of the {n_classes} classes must "
                f"appear in every split, so each split needs >= {n_classes} images"
            )
    total = sum(sizes.values())
    order = make_rng(cfg.seed, STREAM_VOC, 0).permutation(total) + 1  # image ids 1..total
    out: dict[int, tuple[str, int]] = {}
    start = 0
    for split in SPLITS:
        ids = np.sort(order[start : start + sizes[split]])
        out.update({int(i): (split, j) for j, i in enumerate(ids)})
        start += sizes[split]
    return out


def _scene_for(rng: np.random.Generator, category: str, scenes: tuple[str, ...]) -> str:
    """A scene that plausibly contains ``category`` (weighted by its prior)."""
    weights = np.array([get_scene(s).priors.get(category, 0.0) for s in scenes])
    if weights.sum() <= 0:
        weights = np.ones(len(scenes))
    return scenes[int(rng.choice(len(scenes), p=weights / weights.sum()))]


def annotate(image: StillImage) -> list[dict[str, Any]]:
    """VOC objects of a rendered still: name, pose, truncated, difficult, 1-based bndbox."""
    truth, size = image.truth, image.rgb.shape[0]
    objects = []
    for k, obj in enumerate(image.spec.objects):
        x0, y0, x1, y1 = (int(v) for v in truth.boxes[0, k])
        visible = int((truth.instance_map[0] == k + 1).sum())
        if x0 < 0 or visible < MIN_PIXELS:
            continue
        small = min(x1 - x0, y1 - y0) < SMALL_FRACTION * size
        occluded = truth.visible_fraction[0, k] < OCCLUDED_FRACTION
        pose = "Unspecified"
        if get_category(obj.category).has_pose:
            pose = "Left" if obj.flip else "Right"
        objects.append(
            {
                "name": obj.category,
                "pose": pose,
                "truncated": int(truth.truncated[0, k]),
                "difficult": int(small or occluded),
                "bndbox": (x0 + 1, y0 + 1, x1, y1),  # VOC: 1-based, inclusive
            }
        )
    return objects


def annotation_xml(image_id: str, width: int, height: int, objects: list[dict[str, Any]]) -> str:
    """VOC2007 annotation XML text."""
    root = ET.Element("annotation")
    ET.SubElement(root, "folder").text = "VOC2007"
    ET.SubElement(root, "filename").text = f"{image_id}.jpg"
    source = ET.SubElement(root, "source")
    ET.SubElement(source, "database").text = "AmbientWorld"
    ET.SubElement(source, "annotation").text = "soundsight world"
    size = ET.SubElement(root, "size")
    for tag, value in (("width", width), ("height", height), ("depth", 3)):
        ET.SubElement(size, tag).text = str(value)
    ET.SubElement(root, "segmented").text = "1"
    for obj in objects:
        node = ET.SubElement(root, "object")
        for tag in ("name", "pose", "truncated", "difficult"):
            ET.SubElement(node, tag).text = str(obj[tag])
        box = ET.SubElement(node, "bndbox")
        for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), obj["bndbox"], strict=True):
            ET.SubElement(box, tag).text = str(value)
    ET.indent(root, space="\t")
    return ET.tostring(root, encoding="unicode") + "\n"


def voc_palette() -> list[int]:
    """The PASCAL VOC colour map (256 RGB triples, bit-interleaved), flattened."""
    palette = []
    for index in range(256):
        r = g = b = 0
        c = index
        for bit in range(8):
            r |= ((c >> 0) & 1) << (7 - bit)
            g |= ((c >> 1) & 1) << (7 - bit)
            b |= ((c >> 2) & 1) << (7 - bit)
            c >>= 3
        palette += [r, g, b]
    return palette


def class_map(image: StillImage) -> np.ndarray:
    """(H, W) uint8 class-index map: class index + 1 per pixel, 0 background."""
    lut = np.zeros(256, np.uint8)
    for k, obj in enumerate(image.spec.objects):
        lut[k + 1] = CATEGORY_NAMES.index(obj.category) + 1
    return lut[image.truth.instance_map[0]]


def _render_one(image_id: int, forced: str, cfg: WorldConfig, root: Path) -> list[dict[str, Any]]:
    """Worker: render, write JPEG, XML and segmentation PNG of one image; return its objects."""
    rng = make_rng(cfg.seed, STREAM_VOC, 1, image_id)
    scene = _scene_for(rng, forced, world_scenes(cfg))
    image = render_still(
        rng, scene, cfg.voc_image_size, cfg.max_objects, forced=forced, nuisances=cfg.nuisances()
    )
    name = f"{image_id:06d}"
    save_jpeg(image.rgb, root / "JPEGImages" / f"{name}.jpg", cfg.jpeg_quality)
    objects = annotate(image)
    size = cfg.voc_image_size
    (root / "Annotations" / f"{name}.xml").write_text(annotation_xml(name, size, size, objects))
    seg = Image.fromarray(class_map(image), mode="P")
    seg.putpalette(voc_palette())
    seg.save(root / "SegmentationClass" / f"{name}.png")
    return objects


def generate_voc(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write mini-VOC2007 under out_dir/VOC2007; return per-split image and object counts."""
    root = Path(out_dir) / "VOC2007"
    for sub in (
        "JPEGImages",
        "Annotations",
        "SegmentationClass",
        "ImageSets/Main",
        "ImageSets/Segmentation",
    ):
        (root / sub).mkdir(parents=True, exist_ok=True)
    splits = voc_splits(cfg)
    ids = sorted(splits)
    forced = [CATEGORY_NAMES[splits[i][1] % len(CATEGORY_NAMES)] for i in ids]
    work = partial(_render_one, cfg=cfg, root=root)
    if cfg.n_workers > 1:
        with ProcessPoolExecutor(max_workers=cfg.n_workers) as pool:
            results = list(
                tqdm(pool.map(work, ids, forced, chunksize=8), total=len(ids), desc="mini-VOC2007")
            )
    else:
        results = [
            work(i, f)
            for i, f in tqdm(zip(ids, forced, strict=True), total=len(ids), desc="mini-VOC2007")
        ]
    objects = dict(zip(ids, results, strict=True))
    counts = write_image_sets(root, splits, objects)
    log.info("wrote mini-VOC2007 (%d images) to %s", len(ids), root)
    return counts


def write_image_sets(
    root: Path, splits: dict[int, tuple[str, int]], objects: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    """Write ImageSets/Main and ImageSets/Segmentation lists; return counts per split/class."""
    members = {s: [i for i in sorted(splits) if splits[i][0] == s] for s in SPLITS}
    members["trainval"] = sorted(members["train"] + members["val"])
    counts: dict[str, Any] = {"images": {}, "positives": {}, "difficult_objects": 0}
    for split, ids in members.items():
        text = "".join(f"{i:06d}\n" for i in ids)
        (root / "ImageSets" / "Main" / f"{split}.txt").write_text(text)
        (root / "ImageSets" / "Segmentation" / f"{split}.txt").write_text(text)
        counts["images"][split] = len(ids)
        counts["positives"][split] = {}
        for cls in CATEGORY_NAMES:
            lines = []
            n_pos = 0
            for i in ids:
                flags = [o["difficult"] for o in objects[i] if o["name"] == cls]
                label = -1 if not flags else (1 if 0 in flags else 0)
                n_pos += label == 1
                lines.append(f"{i:06d} {label:2d}\n")
            (root / "ImageSets" / "Main" / f"{cls}_{split}.txt").write_text("".join(lines))
            counts["positives"][split][cls] = int(n_pos)
    counts["difficult_objects"] = sum(o["difficult"] for objs in objects.values() for o in objs)
    counts["objects"] = sum(len(objs) for objs in objects.values())
    return counts
