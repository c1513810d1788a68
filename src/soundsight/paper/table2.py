"""Owens et al. 2018 Table 2: linear-probe VOC2007 mAP and SUN397 accuracy, replicated vs published.

The replicated numbers come from the probe outputs the workflow writes per model
(``<probe_dir>/<model>/voc.json`` and ``sun.json``); the published numbers are read only from
``paper/published/owens2018_table2.csv`` through :mod:`soundsight.paper.published_tables`.
Methods the pipeline does not re-implement (colorization, tracking, ...) appear as
*published only*; replicated models without a printed row (random init.) as *replicated only*.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.paper.published_tables import load_published

logger = logging.getLogger(__name__)

PAPER = "owens2018"
TABLE = "table2"
LAYERS: tuple[str, ...] = ("max5", "pool5", "fc6", "fc7")
DATASETS: tuple[str, ...] = ("VOC", "SUN")
COLUMNS: tuple[str, ...] = tuple(f"{d}/{layer}" for d in DATASETS for layer in LAYERS)
UNITS: dict[str, str] = {"VOC": "mAP %", "SUN": "accuracy %"}
SOURCES: tuple[str, ...] = ("replicated+published", "replicated only", "published only")
TABLE2_COLUMNS: tuple[str, ...] = (
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
    "Replicated: linear SVM probes on the layers of scaled-down CaffeNet models trained on the "
    "embedded world (AmbientWorld); mini-VOC2007 test 11-point mAP % and mini-SUN397 accuracy % "
    "(mean over partitions). Each cell reads *replicated (published)*; published values are "
    "Owens et al. 2018 Table 2 (full PASCAL VOC2007 / SUN397, full-size CaffeNet)."
)


@dataclass(frozen=True)
class Table2Row:
    """How one replicated model is shown and which published row it is compared with."""

    display: str
    published_row: str | None
    note: str


# The one place that maps replicated models onto the paper's Table 2 rows.
TABLE2_ROWS: dict[str, Table2Row] = {
    "sound_cluster": Table2Row(
        "Sound (cluster)", "Sound (cluster)", "predicts the k-means cluster of the sound texture"
    ),
    "sound_binary": Table2Row(
        "Sound (binary)", "Sound (binary)", "predicts PCA binary codes of the sound texture"
    ),
    "sound_spectrum": Table2Row(
        "Sound (spect.)", "Sound (spect.)", "predicts codes of the frequency spectrum only"
    ),
    "texton_cnn": Table2Row(
        "Texton-CNN", "Texton-CNN", "clusters of visual texton histograms instead of sound (§6)"
    ),
    "kmeans": Table2Row(
        "K-means (Krähenbühl et al 2016)",
        "K-means (Krähenbühl et al 2016)",
        "data-dependent k-means initialisation of Krähenbühl et al 2016, no training",
    ),
    "random": Table2Row(
        "Random init.",
        None,
        "random initialisation, no training; the paper's Table 2 has no such row",
    ),
    "object": Table2Row(
        "Object (supervised, world)",
        "ImageNet (Krizhevsky et al 2012)",
        "analogue of ImageNet supervision: trained on the embedded world's object labels",
    ),
    "scene": Table2Row(
        "Scene (supervised, world)",
        "Places (Zhou et al 2014)",
        "analogue of Places supervision: trained on the embedded world's scene labels",
    ),
}


def _read_json(path: Path) -> dict[str, Any]:
    """Load a JSON object, naming the file when it is missing or malformed."""
    if not path.is_file():
        raise FileNotFoundError(f"probe output not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict) or not isinstance(data.get("layers"), dict):
        raise ValueError(f"{path}: expected an object with a 'layers' mapping")
    return data


def _fraction(path: Path, layer: str, key: str, layers: dict[str, Any]) -> float:
    """Read ``layers[layer][key]`` as a fraction in [0, 1], naming what is wrong."""
    if layer not in layers:
        raise KeyError(f"{path}: layer {layer!r} missing; layers present: {sorted(layers)}")
    entry = layers[layer]
    if not isinstance(entry, dict) or key not in entry:
        raise KeyError(f"{path}: layer {layer!r} has no {key!r}")
    value = float(entry[key])
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{path}: layer {layer!r} {key}={value} is not a fraction in [0, 1]")
    return value


def replicated_values(probe_dir: Path, model: str) -> dict[str, float]:
    """One model's Table 2 cells in percent, keyed by column (``VOC/pool5``, ``SUN/fc7``, ...)."""
    voc_path = Path(probe_dir) / model / "voc.json"
    sun_path = Path(probe_dir) / model / "sun.json"
    voc, sun = _read_json(voc_path)["layers"], _read_json(sun_path)["layers"]
    out = {}
    for layer in LAYERS:
        out[f"VOC/{layer}"] = 100.0 * _fraction(voc_path, layer, "map11", voc)
        out[f"SUN/{layer}"] = 100.0 * _fraction(sun_path, layer, "mean_accuracy", sun)
    return out


def _published_cells() -> dict[str, dict[str, float]]:
    """Published Table 2 as {row: {column: value}}, rows in the paper's order."""
    frame = load_published(PAPER, TABLE)
    cells: dict[str, dict[str, float]] = {}
    for rec in frame.itertuples(index=False):
        cells.setdefault(str(rec.row), {})[str(rec.column)] = float(rec.value)
    return cells


def _check_models(models: list[str]) -> None:
    """Raise naming unknown or repeated model keys."""
    unknown = [m for m in models if m not in TABLE2_ROWS]
    if unknown:
        raise KeyError(f"unknown Table 2 models {unknown}; expected some of {list(TABLE2_ROWS)}")
    if len(set(models)) != len(models):
        raise ValueError(f"repeated models in {models}")


def _row_records(
    row: str,
    model: str,
    published_row: str | None,
    replicated: dict[str, float] | None,
    published: dict[str, float] | None,
) -> list[dict[str, Any]]:
    """Long-form records of one table row (one per column that has any value)."""
    if replicated is not None and published is not None:
        source = "replicated+published"
    else:
        source = "replicated only" if replicated is not None else "published only"
    records = []
    for column in COLUMNS:
        rep = replicated.get(column, math.nan) if replicated is not None else math.nan
        pub = published.get(column, math.nan) if published is not None else math.nan
        if math.isnan(rep) and math.isnan(pub):
            continue  # a cell printed '-' for a method we do not replicate
        records.append(
            {
                "row": row,
                "model": model,
                "published_row": published_row or "",
                "column": column,
                "replicated": rep,
                "published": pub,
                "unit": UNITS[column.split("/")[0]],
                "source": source,
            }
        )
    return records


def build_table2(probe_dir: Path, models: list[str]) -> pd.DataFrame:
    """Tidy Table 2: replicated models next to their published rows, plus published-only rows.

    Returns one line per (row, column) with TABLE2_COLUMNS; values in percent (unrounded),
    NaN where a side is absent. Rows follow the paper's order, each replicated model taking the
    place of its published row; replicated-only models (no published row) come last. A mapped
    published row whose model is not in ``models`` is kept as *published only*.
    """
    _check_models(models)
    published = _published_cells()
    mapped = {TABLE2_ROWS[m].published_row: m for m in models if TABLE2_ROWS[m].published_row}
    unknown_rows = [r for r in mapped if r not in published]
    if unknown_rows:
        raise KeyError(f"TABLE2_ROWS names rows absent from {PAPER} {TABLE}: {unknown_rows}")
    records: list[dict[str, Any]] = []
    for pub_row, cells in published.items():
        model = mapped.get(pub_row)
        if model is None:
            records += _row_records(pub_row, "", pub_row, None, cells)
            continue
        reps = replicated_values(Path(probe_dir), model)
        records += _row_records(TABLE2_ROWS[model].display, model, pub_row, reps, cells)
    for model in models:
        if TABLE2_ROWS[model].published_row is None:
            reps = replicated_values(Path(probe_dir), model)
            records += _row_records(TABLE2_ROWS[model].display, model, None, reps, None)
    logger.info("Table 2: %d rows, %d cells", len({r["row"] for r in records}), len(records))
    return pd.DataFrame.from_records(records, columns=list(TABLE2_COLUMNS))


def _fmt(value: float) -> str:
    """A percentage with one decimal, or an em dash when absent."""
    return "—" if value is None or math.isnan(value) else f"{value:.1f}"


def _cell(group: pd.DataFrame, column: str) -> str:
    """Markdown cell ``replicated (published)`` for one row and column."""
    hit = group[group["column"] == column]
    if hit.empty:
        return "—"
    rep, pub = float(hit["replicated"].iloc[0]), float(hit["published"].iloc[0])
    return f"{_fmt(rep)} ({_fmt(pub)})"


def row_label(row: str, source: str, published_row: str) -> str:
    """Row label with markers: † published only, ‡ replicated only, * an analogue row."""
    if source == "published only":
        return f"{row} †"
    if source == "replicated only":
        return f"{row} ‡"
    return row if row == published_row else f"{row} * (paper: {published_row})"


def marker_footnotes(table: str) -> list[str]:
    """What the markers of :func:`row_label` mean, for the paper's ``table`` ("Table 2")."""
    return [
        "† published only: a method soundsight does not re-implement (or did not run); "
        "value as printed in the paper, no replicated number.",
        f"‡ replicated only: no corresponding row in the paper's {table}.",
        "* analogue: our model stands in for the paper's row.",
        "",
        "Row analogues (replicated model → paper row):",
        "",
    ]


def _footnotes(df: pd.DataFrame) -> list[str]:
    """Footnote lines: markers, then the analogue notes of every replicated row shown."""
    lines = marker_footnotes("Table 2")
    shown = [m for m in dict.fromkeys(df["model"]) if m]
    for model in shown:
        spec = TABLE2_ROWS[model]
        target = spec.published_row or "no paper row"
        lines.append(f"- `{model}` — {spec.display} → {target}: {spec.note}.")
    return lines


def table2_markdown(
    df: pd.DataFrame,
    title: str = "Owens et al. 2018, Table 2: linear probes (VOC2007 mAP %, SUN397 accuracy %)",
    description: str = DEFAULT_DESCRIPTION,
) -> str:
    """Render the tidy table as Markdown: one line per method, cells ``replicated (published)``."""
    missing = [c for c in TABLE2_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not a Table 2 frame: columns {missing} missing")
    header = ["Method", *(c.replace("/", " ") for c in COLUMNS)]
    lines = [f"# {title}", "", description, ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * len(COLUMNS)) + "|")
    for row, group in df.groupby("row", sort=False):
        first = group.iloc[0]
        label = row_label(str(row), str(first["source"]), str(first["published_row"]))
        cells = [_cell(group, c) for c in COLUMNS]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    lines += ["", *_footnotes(df), ""]
    return "\n".join(lines)


def write_table2(df: pd.DataFrame, csv_path: Path, md_path: Path) -> None:
    """Write the tidy CSV (full precision) and the Markdown rendering."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    md_path.write_text(table2_markdown(df), encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)
