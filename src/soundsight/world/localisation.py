"""Localisation set: frames + their second of audio + the sounding objects' points and boxes.

Each item is a 1 s world clip reduced to its one frame: exactly one visible object sounds; a
``loc_p_two_sources`` share of the frames show a second visible sound maker that stays silent
(the "two instruments, one plays" case), and a ``loc_p_offcentre`` share must have the sounding
object's box away from the image centre (so the centre-of-image baseline cannot win by
construction). Layout (read by ``soundsight.data.localisation``)::

    Localisation/
      images/{image_id}.jpg     the frame (loc_image_size square)
      audio/{image_id}.wav      the 1 s around it, mono 16-bit, cfg.audio_rate
      masks/{image_id}.png      instance map (0 = background, k = instance_id)
      frames.csv                image_id,image,audio,mask,width,height,scene,kind,offcentre
      objects.csv               image_id,instance_id,category,sounding,x0,y0,x1,y1,px,py
      world.json                seed, config and counts

``objects.csv`` lists every visible sound-making object; ``(px, py)`` is its most interior
pixel (the maximum of the mask's distance transform), boxes are 0-based with exclusive ends.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image
from scipy import ndimage

from soundsight.data.localisation import OBJECT_COLUMNS  # the layout the reader reads
from soundsight.world.categories import get_category
from soundsight.world.compose import make_rng
from soundsight.world.config import WorldConfig
from soundsight.world.soundsets import write_wav
from soundsight.world.stills import save_jpeg
from soundsight.world.videos import RenderedVideo, render_video, sample_video_spec

STREAM_LOC = 9
MIN_PIXELS = 16  # a sound maker counts as visible with at least this many pixels
MAX_ATTEMPTS = 200
FRAME_COLUMNS = (
    "image_id",
    "image",
    "audio",
    "mask",
    "width",
    "height",
    "scene",
    "kind",
    "offcentre",
)


def _clean_config(cfg: WorldConfig) -> WorldConfig:
    """The world config of the items: square frames, no off-screen sources, music or silences."""
    size = cfg.loc_image_size
    return dataclasses.replace(
        cfg, width=size, height=size, fps=1, duration_s=1.0, p_offscreen=0.0, p_music=0.0,
        p_silent_video=0.0, p_silent_interval=0.0, p_onscreen_silent=0.0,
    )  # fmt: skip


def _visible_makers(video: RenderedVideo) -> list[int]:
    """0-based indices of the objects that make sound and show >= MIN_PIXELS in the frame."""
    inst = video.frame_truth.instance_map[0]  # (H, W)
    counts = np.bincount(inst.ravel(), minlength=len(video.spec.visual.objects) + 1)
    return [
        k
        for k, o in enumerate(video.spec.visual.objects)
        if get_category(o.category).makes_sound and counts[k + 1] >= MIN_PIXELS
    ]


def _covers_centre(box: np.ndarray, size: int) -> bool:
    """Whether box (x0, y0, x1, y1) contains the image centre."""
    c = size / 2
    return bool(box[0] <= c < box[2] and box[1] <= c < box[3])


def sample_item(cfg: WorldConfig, index: int) -> tuple[RenderedVideo, int, str, bool]:
    """Render item ``index``: (video, sounding object index, kind 'one'/'two', offcentre).

    The kind and the off-centre demand are drawn first from (seed, stream, index); layouts are
    then redrawn (attempt 0, 1, ...) until one satisfies them; the chosen object alone sounds.
    """
    base = _clean_config(cfg)
    rng = make_rng(cfg.seed, STREAM_LOC, index)
    kind = "two" if rng.random() < cfg.loc_p_two_sources else "one"
    offcentre = bool(rng.random() < cfg.loc_p_offcentre)
    for attempt in range(MAX_ATTEMPTS):
        spec = sample_video_spec(base, index * MAX_ATTEMPTS + attempt, stream=STREAM_LOC)
        video = render_video(_silence_all(spec))  # cheap visual check before the audio
        makers = _visible_makers(video)
        if len(makers) != (2 if kind == "two" else 1):
            continue
        choice = makers[int(make_rng(cfg.seed, STREAM_LOC, index, attempt).integers(len(makers)))]
        box = video.frame_truth.boxes[0, choice]
        if offcentre and _covers_centre(box, base.width):
            continue
        video = render_video(_only_sounding(spec, choice))
        active = video.audio_truth.source_active[0]
        sounding = [
            i - 1 for i, a in zip(video.audio_truth.source_instance, active, strict=True) if a
        ]
        if sounding == [choice]:
            return video, choice, kind, offcentre
    raise RuntimeError(f"localisation item {index}: no layout in {MAX_ATTEMPTS} attempts")


def _silence_all(spec):
    """The spec with every object silent (renders no source: a fast visual-only pass)."""
    objects = tuple(dataclasses.replace(o, audible=False) for o in spec.visual.objects)
    return dataclasses.replace(spec, visual=dataclasses.replace(spec.visual, objects=objects))


def _only_sounding(spec, choice: int):
    """The spec with object ``choice`` audible and every other object silent."""
    objects = tuple(
        dataclasses.replace(o, audible=k == choice) for k, o in enumerate(spec.visual.objects)
    )
    return dataclasses.replace(spec, visual=dataclasses.replace(spec.visual, objects=objects))


def interior_point(mask: np.ndarray) -> tuple[int, int]:
    """(x, y) of the pixel of a boolean (H, W) mask farthest from its edge."""
    dist = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]  # (H, W)
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return int(x), int(y)


def annotate_item(video: RenderedVideo, choice: int, image_id: str) -> list[tuple]:
    """``objects.csv`` rows of the visible sound makers of an item's frame."""
    inst = video.frame_truth.instance_map[0]
    rows = []
    for k in _visible_makers(video):
        x0, y0, x1, y1 = (int(v) for v in video.frame_truth.boxes[0, k])
        px, py = interior_point(inst == k + 1)
        category = video.spec.visual.objects[k].category
        rows.append((image_id, k + 1, category, k == choice, x0, y0, x1, y1, px, py))
    return rows


def generate_localisation(cfg: WorldConfig, out_dir: str | Path) -> dict[str, Any]:
    """Write ``Localisation/`` under out_dir (layout in the module docstring); return counts."""
    root = Path(out_dir) / "Localisation"
    for sub in ("images", "audio", "masks"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    frames, objects = [], []
    for index in range(cfg.loc_n_frames):
        video, choice, kind, offcentre = sample_item(cfg, index)
        image_id = f"loc_{index:05d}"
        paths = {
            s: f"{s}/{image_id}.{e}"
            for s, e in (("images", "jpg"), ("audio", "wav"), ("masks", "png"))
        }
        save_jpeg(video.frames[0], root / paths["images"], cfg.jpeg_quality)
        write_wav(root / paths["audio"], video.audio_truth.audio, video.spec.audio.rate)
        Image.fromarray(video.frame_truth.instance_map[0]).save(root / paths["masks"])
        size = video.spec.visual.width
        frames.append(
            (image_id, paths["images"], paths["audio"], paths["masks"], size, size,
             video.spec.visual.scene, kind, offcentre)
        )  # fmt: skip
        objects += annotate_item(video, choice, image_id)
    pd.DataFrame(frames, columns=FRAME_COLUMNS).to_csv(root / "frames.csv", index=False)
    pd.DataFrame(objects, columns=OBJECT_COLUMNS).to_csv(root / "objects.csv", index=False)
    summary = {
        "seed": cfg.seed,
        "n_frames": len(frames),
        "n_two_sources": sum(f[7] == "two" for f in frames),
        "n_offcentre_required": sum(f[8] for f in frames),
        "audio_rate": cfg.audio_rate,
        "config": cfg.to_dict(),
    }
    (root / "world.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return {k: v for k, v in summary.items() if k != "config"}
