"""Owens et al. 2018 Table 3: Fast R-CNN detection mAP from each initialisation, replicated vs
published.

The replicated numbers come from the detection outputs the workflow writes per model
(``<det_dir>/<model>/detection.json`` = ``{"map": 0..1, "ap": {class: 0..1}, ...}``); the
published numbers are read only from ``paper/published/owens2018_table3.csv`` through
:mod:`soundsight.paper.published_tables`. Which paper row a model stands for is taken from
:data:`soundsight.paper.table2.TABLE2_ROWS`, with :data:`TABLE3_OVERRIDES` where Table 3 names the
row differently (random init.). Each row also shows its difference to the random initialisation
(the paper's claim: sound-pretrained models beat random init.).
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.paper.published_tables import load_published
from soundsight.paper.table2 import TABLE2_ROWS, Table2Row, marker_footnotes, row_label

logger = logging.getLogger(__name__)

PAPER = "owens2018"
TABLE = "table3"
MAP_COLUMN = "mAP"
DELTA_COLUMN = "vs random"
COLUMNS: tuple[str, ...] = (MAP_COLUMN, DELTA_COLUMN)
UNIT = "mAP %"
RANDOM_MODEL = "random"
TABLE3_COLUMNS: tuple[str, ...] = (
    "row",
    "model",
    "published_row",
    "column",
    "replicated",
    "published",
    "unit",
    "source",
)
DEFAULT_DESCRIPTION = (
    "Replicated: Fast R-CNN (RoI pooling on conv5, fc6/fc7 reused) fine-tuned from scaled-down "
    "CaffeNet models trained on the embedded world (AmbientWorld), mini-VOC2007 test 11-point "
    "detection mAP % at IoU 0.5, with oracle-ish proposals (jittered ground truth + sliding "
    "windows + random boxes) standing in for Selective Search and far fewer SGD iterations. "
    "Each cell reads *replicated (published)*; published values are Owens et al. 2018 Table 3 "
    "(full PASCAL VOC2007, full-size CaffeNet, 150k iterations; most numbers as reported by "
    "Krähenbühl et al 2016). *vs random* is the difference to the random-init. row."
)

# Table 3 rows that Table 2 names differently (or lacks).
TABLE3_OVERRIDES: dict[str, Table2Row] = {
    RANDOM_MODEL: Table2Row(
        "Random init.",
        "Random init. (Krähenbühl et al 2016)",
        "random initialisation, no pretraining; the paper's row is Krähenbühl et al 2016's",
    ),
}


def table3_row(model: str) -> Table2Row:
    """Display name, published row and note of a replicated model in Table 3."""
    if model in TABLE3_OVERRIDES:
        return TABLE3_OVERRIDES[model]
    if model not in TABLE2_ROWS:
        known = sorted(set(TABLE2_ROWS) | set(TABLE3_OVERRIDES))
        raise KeyError(f"unknown Table 3 model {model!r}; expected some of {known}")
    return TABLE2_ROWS[model]


def read_detection_map(path: str | Path) -> float:
    """The mAP (percent) of one ``detection.json``, checking it is a fraction in [0, 1]."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"detection output not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict) or "map" not in data:
        raise ValueError(f"{path}: expected an object with a 'map' entry")
    value = float(data["map"]) if data["map"] is not None else math.nan
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{path}: map={data['map']} is not a fraction in [0, 1]")
    return 100.0 * value


def _published_maps() -> dict[str, float]:
    """Published Table 3 as {row: mAP %}, rows in the paper's order."""
    frame = load_published(PAPER, TABLE)
    return {str(r.row): float(r.value) for r in frame.itertuples() if r.column == MAP_COLUMN}


def _check_models(models: list[str], published: dict[str, float]) -> dict[str, str]:
    """Validate model keys; return {published row: model} for the models that have one."""
    for m in models:
        table3_row(m)  # KeyError for unknown models
    if len(set(models)) != len(models):
        raise ValueError(f"repeated models in {models}")
    mapped = {}
    for m in models:
        row = table3_row(m).published_row
        if row is not None and row in published:
            mapped[row] = m
    return mapped


def _records(
    row: str, model: str, pub_row: str, rep: float, pub: float, ref: tuple[float, float]
) -> list[dict[str, Any]]:
    """The mAP and vs-random records of one table row (``ref`` = random's (rep, pub))."""
    if not math.isnan(rep) and not math.isnan(pub):
        source = "replicated+published"
    else:
        source = "replicated only" if not math.isnan(rep) else "published only"
    base = {"row": row, "model": model, "published_row": pub_row, "unit": UNIT, "source": source}
    return [
        {**base, "column": MAP_COLUMN, "replicated": rep, "published": pub},
        {**base, "column": DELTA_COLUMN, "replicated": rep - ref[0], "published": pub - ref[1]},
    ]


def build_table3(det_dir: str | Path, models: list[str]) -> pd.DataFrame:
    """Tidy Table 3: replicated models next to their published rows, plus published-only rows.

    One line per (row, column) with TABLE3_COLUMNS; values in percent (unrounded), NaN where a
    side is absent (vs-random is NaN on the replicated side when ``random`` was not run).
    Rows follow the paper's order, each replicated model taking the place of its published row;
    replicated-only models (no Table 3 row, e.g. Texton-CNN) come last.
    """
    published = _published_maps()
    mapped = _check_models(list(models), published)
    reps = {m: read_detection_map(Path(det_dir) / m / "detection.json") for m in models}
    random_row = TABLE3_OVERRIDES[RANDOM_MODEL].published_row or ""
    ref = (reps.get(RANDOM_MODEL, math.nan), published.get(random_row, math.nan))
    records: list[dict[str, Any]] = []
    for pub_row, pub in published.items():
        model = mapped.get(pub_row)
        if model is None:
            records += _records(pub_row, "", pub_row, math.nan, pub, ref)
        else:
            records += _records(table3_row(model).display, model, pub_row, reps[model], pub, ref)
    for model in models:
        if model not in mapped.values():
            records += _records(table3_row(model).display, model, "", reps[model], math.nan, ref)
    logger.info("Table 3: %d rows", len(records) // len(COLUMNS))
    return pd.DataFrame.from_records(records, columns=list(TABLE3_COLUMNS))


def _fmt(value: float, signed: bool = False) -> str:
    """A percentage with one decimal (sign shown for differences), or an em dash."""
    if value is None or math.isnan(value):
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _footnotes(df: pd.DataFrame) -> list[str]:
    """Footnote lines: markers, then the analogue notes of every replicated row shown."""
    lines = marker_footnotes("Table 3")
    for model in [m for m in dict.fromkeys(df["model"]) if m]:
        spec = table3_row(model)
        shown = df[df["model"] == model]["published_row"].iloc[0] or "no Table 3 row"
        lines.append(f"- `{model}` — {spec.display} → {shown}: {spec.note}.")
    return lines


def table3_markdown(
    df: pd.DataFrame,
    title: str = "Owens et al. 2018, Table 3: Fast R-CNN detection, VOC2007 mAP %",
    description: str = DEFAULT_DESCRIPTION,
) -> str:
    """Render the tidy table as Markdown: one line per method, cells ``replicated (published)``."""
    missing = [c for c in TABLE3_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not a Table 3 frame: columns {missing} missing")
    lines = [f"# {title}", "", description, ""]
    lines += ["| Method | mAP | vs random |", "|---|---:|---:|"]
    for row, group in df.groupby("row", sort=False):
        first = group.iloc[0]
        cells = []
        for column in COLUMNS:
            hit = group[group["column"] == column]
            rep, pub = float(hit["replicated"].iloc[0]), float(hit["published"].iloc[0])
            signed = column == DELTA_COLUMN
            cells.append(f"{_fmt(rep, signed)} ({_fmt(pub, signed)})")
        label = row_label(str(row), str(first["source"]), str(first["published_row"]))
        lines.append("| " + " | ".join([label, *cells]) + " |")
    lines += ["", *_footnotes(df), ""]
    return "\n".join(lines)


def write_table3(df: pd.DataFrame, csv_path: str | Path, md_path: str | Path) -> None:
    """Write the tidy CSV (full precision) and the Markdown rendering."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    md_path.write_text(table3_markdown(df), encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)
