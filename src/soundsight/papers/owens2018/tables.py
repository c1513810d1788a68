"""Owens et al. 2018 Tables 1-5, declared for the table engine (:mod:`soundsight.report.table`).

Which replicated model stands for which printed row (:data:`TABLE2_ROWS`, shared by Tables 2-4
and the claims), each table's columns and wording, and the result each cell reads: probe
summaries (``<probe_dir>/<model>/voc.json``, ``sun.json``), detection summaries
(``<det_dir>/<model>/detection.json``) and the unit analysis's ``table1_row.json``. The printed
numbers come only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from soundsight.report.results import class_ap, detection_values, probe_values
from soundsight.report.table import (
    BLOCK_FIELDS,
    ROW_FIELDS,
    BlockEntry,
    BlockTable,
    CellFormat,
    Column,
    ColumnsTable,
    Row,
    RowsTable,
    check_models,
    published_cells,
)

PAPER = "owens2018"
LAYERS: tuple[str, ...] = ("max5", "pool5", "fc6", "fc7")
DATASETS: tuple[str, ...] = ("VOC", "SUN")
UNITS: dict[str, str] = {"VOC": "mAP %", "SUN": "accuracy %"}
PROBES: tuple[tuple[str, str, str], ...] = (
    ("VOC", "voc.json", "map11"),
    ("SUN", "sun.json", "mean_accuracy"),
)

# The one place that maps replicated models onto the paper's rows (Table 2 names).
TABLE2_ROWS: dict[str, Row] = {
    "sound_cluster": Row(
        "Sound (cluster)", "Sound (cluster)", "predicts the k-means cluster of the sound texture"
    ),
    "sound_binary": Row(
        "Sound (binary)", "Sound (binary)", "predicts PCA binary codes of the sound texture"
    ),
    "sound_spectrum": Row(
        "Sound (spect.)", "Sound (spect.)", "predicts codes of the frequency spectrum only"
    ),
    "texton_cnn": Row(
        "Texton-CNN", "Texton-CNN", "clusters of visual texton histograms instead of sound (§6)"
    ),
    "kmeans": Row(
        "K-means (Krähenbühl et al 2016)",
        "K-means (Krähenbühl et al 2016)",
        "data-dependent k-means initialisation of Krähenbühl et al 2016, no training",
    ),
    "random": Row(
        "Random init.",
        None,
        "random initialisation, no training; the paper's Table 2 has no such row",
    ),
    "object": Row(
        "Object (supervised, world)",
        "ImageNet (Krizhevsky et al 2012)",
        "analogue of ImageNet supervision: trained on the embedded world's object labels",
    ),
    "scene": Row(
        "Scene (supervised, world)",
        "Places (Zhou et al 2014)",
        "analogue of Places supervision: trained on the embedded world's scene labels",
    ),
}

# ----------------------------------------------------------------------------- Table 2
COLUMNS: tuple[str, ...] = tuple(f"{d}/{layer}" for d in DATASETS for layer in LAYERS)
TABLE2_COLUMNS = ROW_FIELDS
TABLE2 = RowsTable(
    PAPER,
    "table2",
    "Table 2",
    "Owens et al. 2018, Table 2: linear probes (VOC2007 mAP %, SUN397 accuracy %)",
    "Replicated: linear SVM probes on the layers of scaled-down CaffeNet models trained on the "
    "embedded world (AmbientWorld); mini-VOC2007 test 11-point mAP % and mini-SUN397 accuracy % "
    "(mean over partitions). Each cell reads *replicated (published)*; published values are "
    "Owens et al. 2018 Table 2 (full PASCAL VOC2007 / SUN397, full-size CaffeNet).",
    tuple(Column(c, c.replace("/", " "), UNITS[c.split("/")[0]]) for c in COLUMNS),
    TABLE2_ROWS,
)


def build_table2(probe_dir: Path, models: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 2 from the VOC and SUN probe summaries of ``models``."""
    return TABLE2.build(probe_values(probe_dir, PROBES, LAYERS), models)


# ----------------------------------------------------------------------------- Table 3
RANDOM_MODEL = "random"
TABLE3_COLUMNS = ROW_FIELDS
TABLE3 = RowsTable(
    PAPER,
    "table3",
    "Table 3",
    "Owens et al. 2018, Table 3: Fast R-CNN detection, VOC2007 mAP %",
    "Replicated: Fast R-CNN (RoI pooling on conv5, fc6/fc7 reused) fine-tuned from scaled-down "
    "CaffeNet models trained on the embedded world (AmbientWorld), mini-VOC2007 test 11-point "
    "detection mAP % at IoU 0.5, with oracle-ish proposals (jittered ground truth + sliding "
    "windows + random boxes) standing in for Selective Search and far fewer SGD iterations. "
    "Each cell reads *replicated (published)*; published values are Owens et al. 2018 Table 3 "
    "(full PASCAL VOC2007, full-size CaffeNet, 150k iterations; most numbers as reported by "
    "Krähenbühl et al 2016). *vs random* is the difference to the random-init. row.",
    (
        Column("mAP", "mAP", "mAP %"),
        Column("vs random", "vs random", "mAP %", signed=True, source="mAP", reference="random"),
    ),
    TABLE2_ROWS
    | {  # Table 3 names the random row (Table 2 has none)
        RANDOM_MODEL: Row(
            "Random init.",
            "Random init. (Krähenbühl et al 2016)",
            "random initialisation, no pretraining; the paper's row is Krähenbühl et al 2016's",
        )
    },
    require_row=False,
    keep_empty=True,
    no_row="no Table 3 row",
)


def build_table3(det_dir: str | Path, models: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 3 from the detection summaries of ``models``."""
    return TABLE3.build(detection_values(det_dir), models)


# ----------------------------------------------------------------------------- Table 4
LAYER = "pool5"
MAP_COLUMN = "mAP"
AUDIO_CLASS_MODEL = "audio_class"
AUDIO_CLASS_ROW = "Audio class probability"
AUDIO_CLASS_DISPLAY = "Audio class probability (CAM model)"
NOT_RUN = "not run"
TABLE4_COLUMNS = BLOCK_FIELDS
REPLICATED_MAP_NOTE = "mean of the per-class 11-point AP"
PUBLISHED_MAP_NOTE = "mean of the printed (rounded) per-class AP"
TABLE4 = BlockTable(
    PAPER,
    "table4",
    "Owens et al. 2018, Table 4: per-class AP % with pool5 features",
    "Per-class 11-point AP % of linear SVM probes on pool5 features. Replicated: scaled-down "
    "CaffeNet models trained on the embedded world (AmbientWorld), probed on the world's image "
    "classes (mini-VOC2007 protocol). Published: Owens et al. 2018 Table 4, full PASCAL VOC2007 "
    "classes and full-size CaffeNet. The class sets differ, so per-class values are compared "
    "only through each row's mAP.",
    summary=MAP_COLUMN,
    summary_unit="mAP %",
    cell_unit="AP %",
    replicated_note=REPLICATED_MAP_NOTE,
    published_note=PUBLISHED_MAP_NOTE,
    headings=(
        "Replicated (world classes, AP %)",
        "Published (PASCAL VOC2007 classes, AP % as printed)",
    ),
    side_by_side=("replicated mAP % (world)", "published mAP % (VOC)"),
    notes=(
        "Notes:",
        "",
        "- The two blocks use different class sets (world categories vs VOC2007), so per-class "
        "values are not comparable column by column.",
        f"- Replicated mAP: {REPLICATED_MAP_NOTE}. Published mAP: {PUBLISHED_MAP_NOTE}; it can "
        "differ by a few tenths from the mAP the paper prints (Table 2 pool5; §5.2 for the "
        "audio class row).",
        f"- `{NOT_RUN}`: the probe on the CAM model's 30-d log class posteriors was not run.",
        "- Paper rows without a replicated model are methods soundsight does not re-implement.",
    ),
    not_run=NOT_RUN,
)
_CITATION = re.compile(r"\s*\([^()]*\d{4}[^()]*\)\s*$")  # trailing "(Author et al 2016)"


def table4_published_row(model: str, published_rows: Sequence[str]) -> str | None:
    """The Table 4 row a model stands for: its Table 2 row, or that name without a trailing
    citation (Table 2 ``K-means (Krähenbühl et al 2016)`` is Table 4 ``K-means``)."""
    if model not in TABLE2_ROWS:
        raise KeyError(f"unknown model {model!r}; expected some of {list(TABLE2_ROWS)}")
    target = TABLE2_ROWS[model].published_row
    if target is None:
        return None
    for name in (target, _CITATION.sub("", target)):
        if name in published_rows:
            return name
    raise KeyError(f"paper row {target!r} of model {model!r} is not in {PAPER} table4")


def _check_classes(per_model: Mapping[str, Mapping[str, float]]) -> None:
    """All replicated rows must be probed on the same class set."""
    sets = {m: frozenset(ap) for m, ap in per_model.items()}
    if len(set(sets.values())) > 1:
        detail = "; ".join(f"{m}: {sorted(s)}" for m, s in sets.items())
        raise ValueError(f"probe outputs disagree on the class set: {detail}")


def build_table4(
    probe_dir: Path,
    models: Sequence[str],
    audio_class_probe: Path | None,
    *,
    layer: str = LAYER,
    audio_class_layer: str | None = None,
) -> pd.DataFrame:
    """Tidy Table 4: replicated per-class AP on the world's classes (``layer`` of each model's
    ``voc.json``, then the CAM model's audio-class probe, ``not run`` when None or missing),
    then every row of the paper's Table 4."""
    models = list(models)
    check_models(models, TABLE2_ROWS, "Table 4")
    paper_rows = list(published_cells(PAPER, "table4"))
    rows = {m: table4_published_row(m, paper_rows) or "" for m in models}
    per_model = {m: class_ap(Path(probe_dir) / m / "voc.json", layer) for m in models}
    audio = None
    if audio_class_probe is not None and Path(audio_class_probe).is_file():
        audio = class_ap(audio_class_probe, audio_class_layer)
    _check_classes({**per_model, **({AUDIO_CLASS_MODEL: audio} if audio else {})})
    note = f"{layer} features, linear SVM, world classes"
    entries = [BlockEntry(TABLE2_ROWS[m].display, m, rows[m], per_model[m], note) for m in models]
    entries.append(
        BlockEntry(
            AUDIO_CLASS_DISPLAY,
            AUDIO_CLASS_MODEL,
            AUDIO_CLASS_ROW,
            audio,
            "CAM model's 30-d log class posteriors, linear SVM",
            "probe on the CAM model's 30-d log class posteriors not run",
        )
    )
    by_row = {r: m for m, r in rows.items() if r} | {AUDIO_CLASS_ROW: AUDIO_CLASS_MODEL}
    return TABLE4.build(entries, by_row)


# ----------------------------------------------------------------------------- Table 1
# one line per printed measure; rows: replicated model -> (display, the paper's column)
TABLE1 = ColumnsTable(
    PAPER,
    "table1",
    "Table 1",
    "Owens et al. 2018, Table 1: object-selective conv5 units",
    "",
    (
        Column("# Detectors", "# Detectors", source="n_detectors"),
        Column(
            "# Detectors for objects with characteristic sounds",
            "# Detectors for objects with characteristic sounds",
            source="n_sound_detectors",
        ),
        Column(
            "Videos with object sound",
            "Videos with object sound",
            source="videos_with_object_sound",
            scale=100.0,
        ),
        Column(
            "Characteristic sound rate",
            "Characteristic sound rate",
            source="characteristic_sound_rate",
            scale=100.0,
        ),
    ),
    {
        "sound_cluster": Row("Sound (cluster)", "Sound"),
        "scene": Row("Scene (supervised, world) — analogue of Places", "Places"),
    },
    extras={"n_units": lambda values: int(values["n_units"])},
)


def table1_with_published(rows: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Tidy Table 1 from per-model ``table1_row.json`` contents ``{model: values}``."""
    return TABLE1.build(rows.__getitem__, list(rows))


def table1_markdown(df: pd.DataFrame, top_k: int = 60, threshold: float = 0.6) -> str:
    """Rows of the paper, one ``replicated (published)`` column per model."""
    description = (
        "Replicated on this run's held-out frames with automatic labels from ground-truth masks "
        f"(Zhou et al. 2015 protocol, top-{top_k} images, {threshold:.0%} threshold); "
        "published in parentheses (256 units, human labels, Flickr videos)."
    )
    n_units = ", ".join(f"{m}: {n}" for m, n in df.groupby("column")["n_units"].first().items())
    return TABLE1.markdown(df, description, [f"Units per model: {n_units}."])


# ----------------------------------------------------------------------------- Table 5
TABLE5_TITLE = "Owens et al. 2018, Table 5: sound annotations vs unsupervised sound labels"
TABLE5_FIELDS: tuple[str, ...] = ("row", "model", "column", "replicated", "published")


def table5(rows: Mapping[str, str], description: str = "") -> RowsTable:
    """Table 5 for ``rows`` {model: paper row} (the workflow decides which models it runs)."""
    return RowsTable(
        PAPER,
        "table5",
        "Table 5",
        TABLE5_TITLE,
        description,
        tuple(Column(f"VOC/{la}", f"VOC {la}", "mAP %") for la in LAYERS),
        {m: Row(r, r) for m, r in rows.items()},
        fields=TABLE5_FIELDS,
        paper_order=False,
        keep_empty=True,
        cells=CellFormat(replicated_missing=None, published="g"),
        show_model=True,
        markers=False,
    )


def build_table5(probe_dir: Path, rows: Mapping[str, str]) -> pd.DataFrame:
    """Tidy Table 5 (TABLE5_FIELDS) for ``rows`` {model: paper row}: VOC mAP per layer."""
    values = probe_values(probe_dir, PROBES[:1], LAYERS, required=False)
    return table5(rows).build(values, list(rows))


def table5_markdown(df: pd.DataFrame, note: str) -> str:
    """One row per method, VOC mAP per layer as ``replicated (published)``."""
    rows = dict(zip(df["model"], df["row"], strict=True))
    return table5(rows, note).markdown(df)
