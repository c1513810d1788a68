"""Owens et al. 2018 Table 4: per-class AP of pool5 linear probes, replicated vs published.

The replicated models are probed on the embedded world's image classes, the paper's on the 20
PASCAL VOC2007 classes, so the two class sets differ: the table is shown as two blocks (replicated
per-class AP on world classes; published per-class AP on VOC classes) plus the mAP of each row
side by side. Replicated numbers come from ``<probe_dir>/<model>/voc.json``; published numbers
are read only through :func:`soundsight.paper.published_tables.load_published`. Which paper row
a model stands for is taken from :data:`soundsight.paper.table2.TABLE2_ROWS`.

The *Audio class probability* row is the probe on the CAM model's 30-d log class posteriors
(paper §5.2); when that probe was not run the row is marked ``not run``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.paper.published_tables import load_published
from soundsight.paper.table2 import TABLE2_ROWS

logger = logging.getLogger(__name__)

PAPER = "owens2018"
TABLE = "table4"
LAYER = "pool5"
MAP_COLUMN = "mAP"
AUDIO_CLASS_MODEL = "audio_class"
AUDIO_CLASS_ROW = "Audio class probability"
AUDIO_CLASS_DISPLAY = "Audio class probability (CAM model)"
NOT_RUN = "not run"
BLOCKS: tuple[str, ...] = ("replicated", "published")
TABLE4_COLUMNS: tuple[str, ...] = (
    "block",
    "row",
    "model",
    "published_row",
    "column",
    "value",
    "unit",
    "status",
    "note",
)
REPLICATED_MAP_NOTE = "mean of the per-class 11-point AP"
PUBLISHED_MAP_NOTE = "mean of the printed (rounded) per-class AP"
DEFAULT_DESCRIPTION = (
    "Per-class 11-point AP % of linear SVM probes on pool5 features. Replicated: scaled-down "
    "CaffeNet models trained on the embedded world (AmbientWorld), probed on the world's image "
    "classes (mini-VOC2007 protocol). Published: Owens et al. 2018 Table 4, full PASCAL VOC2007 "
    "classes and full-size CaffeNet. The class sets differ, so per-class values are compared "
    "only through each row's mAP."
)
_CITATION = re.compile(r"\s*\([^()]*\d{4}[^()]*\)\s*$")  # trailing "(Author et al 2016)"


# ----------------------------------------------------------------------------- reading
def _read_probe(path: Path) -> dict[str, Any]:
    """Load a probe JSON object with a ``layers`` mapping, naming the file when it is bad."""
    if not path.is_file():
        raise FileNotFoundError(f"probe output not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict) or not isinstance(data.get("layers"), dict):
        raise ValueError(f"{path}: expected an object with a 'layers' mapping")
    return data


def _pick_layer(path: Path, layers: dict[str, Any], layer: str | None) -> dict[str, Any]:
    """The entry of ``layer`` (or of the only layer when ``layer`` is None)."""
    if layer is None:
        if len(layers) != 1:
            raise ValueError(f"{path}: name the layer to use; layers present: {sorted(layers)}")
        layer = next(iter(layers))
    if layer not in layers:
        raise KeyError(f"{path}: layer {layer!r} missing; layers present: {sorted(layers)}")
    entry = layers[layer]
    if not isinstance(entry, dict) or not isinstance(entry.get("ap11"), dict):
        raise KeyError(f"{path}: layer {layer!r} has no per-class 'ap11' mapping")
    return entry


def read_class_ap(path: str | Path, layer: str | None = LAYER) -> dict[str, float]:
    """Per-class AP in percent of one probe output, in the file's class order.

    ``layer`` None means the file's only layer (e.g. the 30-d audio-class probe). Raises when
    an AP is not a fraction in [0, 1].
    """
    path = Path(path)
    data = _read_probe(path)
    entry = _pick_layer(path, data["layers"], layer)
    ap = entry["ap11"]
    order = [c for c in data.get("classes", []) if c in ap] or list(ap)
    if set(order) != set(ap):
        raise ValueError(f"{path}: 'classes' and the ap11 keys disagree")
    out = {}
    for cls in order:
        value = float(ap[cls])
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{path}: AP of class {cls!r} is {value}, not a fraction in [0, 1]")
        out[str(cls)] = 100.0 * value
    map11 = entry.get("map11")
    mean = sum(out.values()) / len(out)
    if map11 is not None and abs(100.0 * float(map11) - mean) > 1e-6:
        logger.warning("%s: map11 %.4f differs from the mean class AP %.4f", path, map11, mean)
    return out


def _published_cells() -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Published Table 4 as ``({row: {class: AP}}, {row: note})`` in the paper's order."""
    frame = load_published(PAPER, TABLE)
    cells: dict[str, dict[str, float]] = {}
    notes: dict[str, str] = {}
    for rec in frame.itertuples(index=False):
        cells.setdefault(str(rec.row), {})[str(rec.column)] = float(rec.value)
        notes.setdefault(str(rec.row), "" if pd.isna(rec.note) else str(rec.note))
    return cells, notes


# ----------------------------------------------------------------------------- mapping
def table4_published_row(model: str, published_rows: Sequence[str]) -> str | None:
    """The Table 4 row a replicated model stands for, from ``TABLE2_ROWS``.

    Exact match of the Table 2 row name first, else the same name without a trailing citation
    (Table 2 ``K-means (Krähenbühl et al 2016)`` is Table 4 ``K-means``); None when the model
    has no paper row.
    """
    if model not in TABLE2_ROWS:
        raise KeyError(f"unknown model {model!r}; expected some of {list(TABLE2_ROWS)}")
    target = TABLE2_ROWS[model].published_row
    if target is None:
        return None
    if target in published_rows:
        return target
    short = _CITATION.sub("", target)
    if short in published_rows:
        return short
    raise KeyError(f"paper row {target!r} of model {model!r} is not in {PAPER} {TABLE}")


# ----------------------------------------------------------------------------- records
def _record(
    block: str,
    row: str,
    model: str,
    pub_row: str,
    column: str,
    value: float,
    status: str,
    note: str,
) -> dict[str, Any]:
    """One long-form Table 4 record."""
    unit = "mAP %" if column == MAP_COLUMN else "AP %"
    return {
        "block": block,
        "row": row,
        "model": model,
        "published_row": pub_row,
        "column": column,
        "value": value,
        "unit": unit,
        "status": status,
        "note": note,
    }


def _row_records(
    block: str, row: str, model: str, pub_row: str, ap: dict[str, float], notes: tuple[str, str]
) -> list[dict[str, Any]]:
    """Per-class records of one row plus its mAP (mean of the per-class values)."""
    class_note, map_note = notes
    status = "ok" if block == "replicated" else "published"
    recs = [_record(block, row, model, pub_row, c, v, status, class_note) for c, v in ap.items()]
    mean = sum(ap.values()) / len(ap)
    return [*recs, _record(block, row, model, pub_row, MAP_COLUMN, mean, status, map_note)]


def _check_models(models: list[str]) -> None:
    """Raise naming unknown or repeated model keys."""
    unknown = [m for m in models if m not in TABLE2_ROWS]
    if unknown:
        raise KeyError(f"unknown Table 4 models {unknown}; expected some of {list(TABLE2_ROWS)}")
    if len(set(models)) != len(models):
        raise ValueError(f"repeated models in {models}")


def _check_classes(per_model: dict[str, dict[str, float]]) -> None:
    """All replicated rows must be probed on the same class set."""
    sets = {m: frozenset(ap) for m, ap in per_model.items()}
    if len(set(sets.values())) > 1:
        detail = "; ".join(f"{m}: {sorted(s)}" for m, s in sets.items())
        raise ValueError(f"probe outputs disagree on the class set: {detail}")


def _audio_class_ap(path: Path | None, layer: str | None) -> dict[str, float] | None:
    """Per-class AP of the audio-class probe, or None when it was not run."""
    if path is None:
        return None
    if not Path(path).is_file():
        logger.warning("audio-class probe %s not found: row marked %r", path, NOT_RUN)
        return None
    return read_class_ap(path, layer)


def build_table4(
    probe_dir: Path,
    models: list[str],
    audio_class_probe: Path | None,
    *,
    layer: str = LAYER,
    audio_class_layer: str | None = None,
) -> pd.DataFrame:
    """Tidy Table 4 with TABLE4_COLUMNS: a *replicated* and a *published* block.

    Replicated block: for each model, per-class AP % on the world's classes read from
    ``<probe_dir>/<model>/voc.json`` (``layer``), then ``mAP`` (their mean), then the audio
    class probability row (``audio_class_probe``, its only layer unless ``audio_class_layer``;
    one ``mAP`` record with NaN and status ``not run`` when None or missing). Published block:
    every row of the paper's Table 4 (VOC classes) with ``mAP`` = mean of the printed values;
    ``model`` names the replicated model standing for it, if any.
    """
    _check_models(models)
    published, pub_notes = _published_cells()
    rows_map = {m: table4_published_row(m, list(published)) or "" for m in models}
    per_model = {m: read_class_ap(Path(probe_dir) / m / "voc.json", layer) for m in models}
    audio = _audio_class_ap(audio_class_probe, audio_class_layer)
    _check_classes({**per_model, **({AUDIO_CLASS_MODEL: audio} if audio else {})})
    records: list[dict[str, Any]] = []
    rep_notes = (f"{layer} features, linear SVM, world classes", REPLICATED_MAP_NOTE)
    for m in models:
        display = TABLE2_ROWS[m].display
        records += _row_records("replicated", display, m, rows_map[m], per_model[m], rep_notes)
    if audio is None:
        records.append(
            _record(
                "replicated",
                AUDIO_CLASS_DISPLAY,
                AUDIO_CLASS_MODEL,
                AUDIO_CLASS_ROW,
                MAP_COLUMN,
                math.nan,
                NOT_RUN,
                "probe on the CAM model's 30-d log class posteriors not run",
            )
        )
    else:
        notes = ("CAM model's 30-d log class posteriors, linear SVM", REPLICATED_MAP_NOTE)
        records += _row_records(
            "replicated", AUDIO_CLASS_DISPLAY, AUDIO_CLASS_MODEL, AUDIO_CLASS_ROW, audio, notes
        )
    by_row = {r: m for m, r in rows_map.items() if r} | {AUDIO_CLASS_ROW: AUDIO_CLASS_MODEL}
    for row, ap in published.items():
        notes = (pub_notes[row], PUBLISHED_MAP_NOTE)
        records += _row_records("published", row, by_row.get(row, ""), row, ap, notes)
    logger.info("Table 4: %d records", len(records))
    return pd.DataFrame.from_records(records, columns=list(TABLE4_COLUMNS))


# ----------------------------------------------------------------------------- markdown
def _fmt(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or an em dash when absent."""
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _block_lines(block: pd.DataFrame, digits: int) -> list[str]:
    """Markdown table of one block: a line per row, a column per class, then mAP."""
    classes = [c for c in dict.fromkeys(block["column"]) if c != MAP_COLUMN]
    columns = [*classes, MAP_COLUMN]
    lines = ["| Method | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for row, group in block.groupby("row", sort=False):
        values = dict(zip(group["column"], group["value"], strict=True))
        if (group["status"] == NOT_RUN).any():
            cells = ["—"] * len(classes) + [NOT_RUN]
        else:
            cells = [
                _fmt(values.get(c, math.nan), digits if c != MAP_COLUMN else 1) for c in columns
            ]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return lines


def _map_lines(df: pd.DataFrame) -> list[str]:
    """Side-by-side mAP of each replicated row and the paper row it stands for."""
    rep = df[(df["block"] == "replicated") & (df["column"] == MAP_COLUMN)]
    pub = df[(df["block"] == "published") & (df["column"] == MAP_COLUMN)]
    pub_map = dict(zip(pub["row"], pub["value"], strict=True))
    lines = [
        "| Replicated row | Paper row | replicated mAP % (world) | published mAP % (VOC) |",
        "|---|---|---:|---:|",
    ]
    for rec in rep.itertuples(index=False):
        rep_cell = NOT_RUN if rec.status == NOT_RUN else _fmt(rec.value)
        paper_row = rec.published_row or "—"
        pub_cell = _fmt(pub_map.get(rec.published_row, math.nan))
        lines.append(f"| {rec.row} | {paper_row} | {rep_cell} | {pub_cell} |")
    return lines


def table4_markdown(
    df: pd.DataFrame,
    title: str = "Owens et al. 2018, Table 4: per-class AP % with pool5 features",
    description: str = DEFAULT_DESCRIPTION,
) -> str:
    """Render the tidy table: replicated block, published block, then mAP side by side."""
    missing = [c for c in TABLE4_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not a Table 4 frame: columns {missing} missing")
    lines = [f"# {title}", "", description, ""]
    lines += ["## Replicated (world classes, AP %)", ""]
    lines += [*_block_lines(df[df["block"] == "replicated"], 1), ""]
    lines += ["## Published (PASCAL VOC2007 classes, AP % as printed)", ""]
    lines += [*_block_lines(df[df["block"] == "published"], 0), ""]
    lines += ["## mAP side by side", "", *_map_lines(df), ""]
    lines += [
        "Notes:",
        "",
        "- The two blocks use different class sets (world categories vs VOC2007), so per-class "
        "values are not comparable column by column.",
        f"- Replicated mAP: {REPLICATED_MAP_NOTE}. Published mAP: {PUBLISHED_MAP_NOTE}; it can "
        "differ by a few tenths from the mAP the paper prints (Table 2 pool5; §5.2 for the "
        "audio class row).",
        f"- `{NOT_RUN}`: the probe on the CAM model's 30-d log class posteriors was not run.",
        "- Paper rows without a replicated model are methods soundsight does not re-implement.",
        "",
    ]
    return "\n".join(lines)


def write_table4(df: pd.DataFrame, csv_path: Path, md_path: Path) -> None:
    """Write the tidy CSV (full precision) and the Markdown rendering."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    md_path.write_text(table4_markdown(df), encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)
