"""Human unit labelling: HTML galleries with CSV answer sheets, and ingestion of filled sheets.

Layout written under ``out_dir``::

    index.html                          links to every unit's gallery
    unit_0012/index.html                the unit's top-K masked images (dimmed outside the mask)
    unit_0012/rank_01.jpg ...           thumbnails, rank 1 = strongest activation
    unit_0012/sheet_unit_0012.csv       template: unit, annotator, object_name, image_rank, contains

Each annotator copies the unit's sheet, writes their id in ``annotator`` on every row, the object
seen in many of the regions in ``object_name`` (the same on every row; blank or ``none`` when
there is none) and ``contains`` = 1/0 per image. ``ingest_sheets`` reads the filled copies:
per unit, the object name is the majority vote over annotators (more than half; otherwise no
label), each image counts as containing the object when more than half of all the unit's
annotators marked it 1, and the unit is a detector when that holds for >= ``threshold`` of its
images and the majority name is an object.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from soundsight.units.masks import apply_mask

log = logging.getLogger(__name__)

SHEET_COLUMNS = ["unit", "annotator", "object_name", "image_rank", "contains"]
NO_OBJECT = {"", "none", "no", "-", "n/a", "na"}
QUESTIONS = (
    "Is one object present in many of these highlighted regions? If so, what is it? "
    "Write its name in <code>object_name</code> on every row (blank if none).",
    "Mark each image whose highlighted region contains that object: <code>contains</code> = 1, "
    "otherwise 0.",
)


class SheetError(ValueError):
    """A filled annotation sheet is malformed or incomplete."""


@dataclass
class GalleryPaths:
    """Files written by ``export_unit_gallery``."""

    html: Path
    sheet: Path
    thumbnails: list[Path]


def unit_dirname(unit: int) -> str:
    """Folder name of a unit's gallery."""
    return f"unit_{unit:04d}"


def sheet_template(unit: int, n_images: int) -> pd.DataFrame:
    """Blank answer sheet of one unit: one row per image rank 1..n_images."""
    return pd.DataFrame(
        {
            "unit": [unit] * n_images,
            "annotator": [""] * n_images,
            "object_name": [""] * n_images,
            "image_rank": np.arange(1, n_images + 1),
            "contains": [""] * n_images,
        },
        columns=SHEET_COLUMNS,
    )


def _thumbnail(image: np.ndarray, mask: np.ndarray, dim: float, size: int | None) -> Image.Image:
    """Masked image as PIL, optionally resized to ``size`` x ``size``."""
    thumb = Image.fromarray(apply_mask(image, mask, dim))
    if size is not None and size != thumb.width:
        thumb = thumb.resize((size, size), Image.Resampling.BILINEAR)
    return thumb


def _gallery_html(unit: int, names: list[str], captions: list[str], sheet: str) -> str:
    """HTML text of one unit's gallery."""
    cells = "\n".join(
        f'<figure><img src="{html.escape(n)}" alt="rank {r}"><figcaption>{html.escape(c)}'
        "</figcaption></figure>"
        for r, (n, c) in enumerate(zip(names, captions, strict=True), start=1)
    )
    questions = "".join(f"<li>{q}</li>" for q in QUESTIONS)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>unit {unit}</title><style>figure{{display:inline-block;margin:4px}}"
        "figcaption{font:12px sans-serif}</style></head><body>"
        f"<h1>Unit {unit}</h1><ol>{questions}</ol>"
        f'<p>Answer sheet: <a href="{html.escape(sheet)}">{html.escape(sheet)}</a></p>\n'
        f"{cells}\n</body></html>\n"
    )


def export_unit_gallery(
    unit: int,
    images: Sequence[np.ndarray],
    masks: np.ndarray,
    out_dir: str | Path,
    image_ids: Sequence[str] | None = None,
    dim: float = 0.2,
    thumb_size: int | None = None,
    jpeg_quality: int = 90,
) -> GalleryPaths:
    """Write one unit's gallery (masked JPEG thumbnails + HTML) and its blank CSV sheet.

    ``images``: K (S, S, 3) uint8 views in rank order; ``masks``: (K, S, S) bool.
    """
    if len(images) != len(masks):
        raise ValueError(f"{len(images)} images but {len(masks)} masks for unit {unit}")
    if image_ids is not None and len(image_ids) != len(images):
        raise ValueError(f"{len(image_ids)} image ids for {len(images)} images of unit {unit}")
    folder = Path(out_dir) / unit_dirname(unit)
    folder.mkdir(parents=True, exist_ok=True)
    thumbs, captions = [], []
    for r, (image, mask) in enumerate(zip(images, masks, strict=True), start=1):
        path = folder / f"rank_{r:02d}.jpg"
        _thumbnail(image, mask, dim, thumb_size).save(path, format="JPEG", quality=jpeg_quality)
        thumbs.append(path)
        captions.append(f"#{r}" + (f" {image_ids[r - 1]}" if image_ids is not None else ""))
    sheet = folder / f"sheet_{unit_dirname(unit)}.csv"
    sheet_template(unit, len(images)).to_csv(sheet, index=False)
    page = folder / "index.html"
    page.write_text(_gallery_html(unit, [p.name for p in thumbs], captions, sheet.name))
    return GalleryPaths(html=page, sheet=sheet, thumbnails=thumbs)


def write_gallery_index(
    out_dir: str | Path, units: Sequence[int], captions: Mapping[int, str] | None = None
) -> Path:
    """Write ``out_dir/index.html`` linking every unit's gallery (with an optional caption)."""
    rows = "\n".join(
        f'<li><a href="{unit_dirname(u)}/index.html">unit {u}</a>'
        + (f" {html.escape(captions[u])}" if captions and u in captions else "")
        + "</li>"
        for u in units
    )
    path = Path(out_dir) / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>unit galleries</title></head>"
        f"<body><h1>Unit galleries ({len(units)} units)</h1><ul>\n{rows}\n</ul></body></html>\n"
    )
    return path


# ---------------------------------------------------------------------------- ingestion
def _read_sheet(path: Path) -> pd.DataFrame:
    """One filled sheet with validated, typed columns plus ``file`` and ``line``."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SheetError(f"{path}: cannot read sheet: {err}") from err
    missing = [c for c in SHEET_COLUMNS if c not in raw.columns]
    if missing:
        raise SheetError(f"{path}: missing columns {missing} (need {SHEET_COLUMNS})")
    rows = []
    for i, row in enumerate(raw.itertuples(index=False), start=2):  # line 1 is the header
        rows.append(_parse_row(row._asdict(), path, i))
    return pd.DataFrame(rows, columns=[*SHEET_COLUMNS, "file", "line"])


def _parse_row(row: dict[str, str], path: Path, line: int) -> dict:
    """Typed sheet row; SheetError naming file and line for a bad value."""
    where = f"{path}, line {line}"

    def integer(name: str) -> int:
        text = row[name].strip()
        try:
            return int(text)
        except ValueError:
            raise SheetError(f"{where}: {name} {text!r} is not an integer") from None

    unit, rank = integer("unit"), integer("image_rank")
    if unit < 0 or rank < 1:
        raise SheetError(f"{where}: need unit >= 0 and image_rank >= 1, got {unit}, {rank}")
    annotator = row["annotator"].strip()
    if not annotator:
        raise SheetError(f"{where}: annotator is blank")
    contains = row["contains"].strip()
    if contains not in ("0", "1"):
        raise SheetError(f"{where}: contains must be 0 or 1, got {contains!r}")
    name = " ".join(row["object_name"].strip().lower().split())
    return {
        "unit": unit,
        "annotator": annotator,
        "object_name": "" if name in NO_OBJECT else name,
        "image_rank": rank,
        "contains": int(contains),
        "file": str(path),
        "line": line,
    }


def _check_unit(unit: int, rows: pd.DataFrame, n_annotators: int) -> dict[str, str]:
    """Validate one unit's rows; return {annotator: object name}."""
    dup = rows[rows.duplicated(["annotator", "image_rank"], keep=False)]
    if len(dup):
        first = dup.iloc[0]
        places = ", ".join(f"{f} line {ln}" for f, ln in zip(dup.file, dup.line, strict=True))
        raise SheetError(
            f"unit {unit}: annotator {first.annotator!r} answered image_rank {first.image_rank} "
            f"more than once ({places})"
        )
    annotators = sorted(rows.annotator.unique())
    if len(annotators) < n_annotators:
        raise SheetError(
            f"unit {unit}: {len(annotators)} annotator(s) {annotators} in "
            f"{sorted(rows.file.unique())}, need {n_annotators}"
        )
    ranks = sorted(rows.image_rank.unique())
    names: dict[str, str] = {}
    for a, sub in rows.groupby("annotator"):
        if sorted(sub.image_rank) != ranks:
            lacking = sorted(set(ranks) - set(sub.image_rank))
            raise SheetError(f"unit {unit}: annotator {a!r} has no answer for ranks {lacking}")
        given = sorted(set(sub.object_name) - {""})
        if len(given) > 1:
            raise SheetError(
                f"unit {unit}: annotator {a!r} gave several object names {given} "
                f"({sorted(sub.file.unique())})"
            )
        names[str(a)] = given[0] if given else ""
    return names


def majority(votes: Sequence[str]) -> str:
    """The value more than half of ``votes`` agree on, else "" (no majority)."""
    if not votes:
        return ""
    value, count = Counter(votes).most_common(1)[0]
    return value if count * 2 > len(votes) else ""


def ingest_sheets(
    paths: Sequence[str | Path], n_annotators: int = 3, threshold: float = 0.6
) -> pd.DataFrame:
    """Per-unit human labels from filled sheets (any mix of units/annotators per file).

    Returns one row per unit: unit, object_name ("" = no majority object), n_annotators,
    name_votes (how many annotators gave that name), n_images, fraction (images that a
    majority marked as containing it), is_detector. Raises SheetError on malformed sheets,
    duplicate answers, inconsistent names or fewer than ``n_annotators`` annotators.
    """
    if not paths:
        raise SheetError("no sheets given")
    rows = pd.concat([_read_sheet(Path(p)) for p in paths], ignore_index=True)
    out = []
    for unit, sub in rows.groupby("unit", sort=True):
        names = _check_unit(int(unit), sub, n_annotators)
        name = majority(list(names.values()))
        votes = sub.groupby("image_rank").contains.mean()  # share of annotators marking 1
        fraction = float((votes > 0.5).mean())
        out.append(
            {
                "unit": int(unit),
                "object_name": name,
                "n_annotators": len(names),
                "name_votes": sum(v == name for v in names.values()) if name else 0,
                "n_images": len(votes),
                "fraction": fraction,
                "is_detector": bool(name) and fraction >= threshold,
            }
        )
    table = pd.DataFrame(out)
    log.info(
        "ingested %d sheets: %d units, %d detectors",
        len(paths),
        len(table),
        table.is_detector.sum(),
    )
    return table
