"""Reader for the sound-source localisation set (frames, their audio, sounding-object points).

``root`` is the ``Localisation`` folder (a folder holding ``Localisation/`` is accepted too)::

    Localisation/
      frames.csv    image_id,image,audio,mask,width,height,scene,kind,offcentre
      objects.csv   image_id,instance_id,category,sounding,x0,y0,x1,y1,px,py
      images/{image_id}.jpg  audio/{image_id}.wav  masks/{image_id}.png

A frame's ``kind`` is ``one`` (one visible sound maker) or ``two`` (a second, silent one);
every frame has exactly one sounding object. Boxes are 0-based pixels with exclusive ends and
``(px, py)`` is a pixel inside the object. The embedded world writes it
(``soundsight.world.localisation``); a real set (e.g. Objects that Sound's annotated frames)
converted to these two CSVs reads the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FRAME_COLUMNS = ("image_id", "image", "audio", "mask", "width", "height", "scene", "kind")
OBJECT_COLUMNS = (
    "image_id",
    "instance_id",
    "category",
    "sounding",
    "x0",
    "y0",
    "x1",
    "y1",
    "px",
    "py",
)
LAYOUT = (
    "expected Localisation/frames.csv (image_id,image,audio,mask,width,height,scene,kind) and "
    "Localisation/objects.csv (image_id,instance_id,category,sounding,x0,y0,x1,y1,px,py)"
)


def localisation_dir(root: Path) -> Path:
    """The folder holding frames.csv at or under ``root``; FileNotFoundError naming the layout."""
    root = Path(root)
    for cand in (root, root / "Localisation"):
        if (cand / "frames.csv").is_file() and (cand / "objects.csv").is_file():
            return cand
    raise FileNotFoundError(
        f"no frames.csv + objects.csv in {root} or {root / 'Localisation'}; {LAYOUT}"
    )


def read_localisation(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames (image/audio/mask paths made absolute) and objects, validated.

    ValueError names the file and problem: missing columns, unknown image ids, boxes outside the
    image, points outside their box, a frame without exactly one sounding object, missing files.
    """
    base = localisation_dir(root)
    frames = _read(base / "frames.csv", FRAME_COLUMNS)
    objects = _read(base / "objects.csv", OBJECT_COLUMNS)
    objects["sounding"] = (
        objects["sounding"].astype(str).str.lower().map({"true": True, "false": False})
    )
    if objects["sounding"].isna().any():
        raise ValueError(f"{base / 'objects.csv'}: 'sounding' must be True or False")
    for col in ("image", "audio", "mask"):
        frames[col] = [str(base / p) for p in frames[col]]
        missing = [p for p in frames[col] if not Path(p).is_file()]
        if missing:
            raise ValueError(f"{len(missing)} {col} file(s) missing, e.g. {missing[0]}; {LAYOUT}")
    _check_objects(base, frames, objects)
    return frames, objects


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A CSV with the required columns (ValueError naming the missing ones)."""
    table = pd.read_csv(path, keep_default_na=False)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; {LAYOUT}")
    return table


def _check_objects(base: Path, frames: pd.DataFrame, objects: pd.DataFrame) -> None:
    """Objects name known frames, lie inside them, and each frame has one sounding object."""
    path = base / "objects.csv"
    unknown = sorted(set(objects["image_id"]) - set(frames["image_id"]))
    if unknown:
        raise ValueError(f"{path}: unknown image_id(s) {unknown[:5]}")
    size = frames.set_index("image_id").loc[objects["image_id"], ["width", "height"]].to_numpy()
    x0, y0, x1, y1, px, py = (objects[c].to_numpy() for c in ("x0", "y0", "x1", "y1", "px", "py"))
    bad_box = (x0 < 0) | (y0 < 0) | (x1 > size[:, 0]) | (y1 > size[:, 1]) | (x0 >= x1) | (y0 >= y1)
    bad_point = (px < x0) | (px >= x1) | (py < y0) | (py >= y1)
    for bad, what in (
        (bad_box, "box outside its image or empty"),
        (bad_point, "point outside box"),
    ):
        if bad.any():
            raise ValueError(f"{path}: {what} at line(s) {list(np.flatnonzero(bad)[:5] + 2)}")
    n_sounding = (
        objects.groupby("image_id")["sounding"].sum().reindex(frames["image_id"], fill_value=0)
    )
    if (n_sounding != 1).any():
        bad_ids = list(n_sounding.index[n_sounding != 1][:5])
        raise ValueError(f"{path}: frames without exactly one sounding object: {bad_ids}")


def sounding_objects(frames: pd.DataFrame, objects: pd.DataFrame) -> pd.DataFrame:
    """One row per frame (frames' order): its sounding object's box and point."""
    sounding = objects.loc[objects["sounding"]].set_index("image_id")
    return sounding.loc[frames["image_id"]].reset_index()


def pointing_hits(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(N,) whether each predicted point (N, 2) as (x, y) lies in its box (N, 4) x0,y0,x1,y1."""
    x, y = points[:, 0], points[:, 1]
    return (boxes[:, 0] <= x) & (x < boxes[:, 2]) & (boxes[:, 1] <= y) & (y < boxes[:, 3])


def centre_baseline_hits(frames: pd.DataFrame, objects: pd.DataFrame) -> np.ndarray:
    """(N,) pointing hits of the centre-of-image baseline on each frame's sounding box."""
    target = sounding_objects(frames, objects)
    centres = frames[["width", "height"]].to_numpy(dtype=float) / 2  # (N, 2)
    return pointing_hits(centres, target[["x0", "y0", "x1", "y1"]].to_numpy(dtype=float))
