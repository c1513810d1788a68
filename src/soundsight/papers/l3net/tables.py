"""L3-Net's Table 1 (audio-visual correspondence accuracy) and Table 2 (sound classification).

Table 1: the replicated row is the sheet's ``l3`` model (L3-Net trained on the world's videos
with shortcut prevention). The world's videos stand in for Flickr-SoundNet (Owens' Flickr corpus
analogue); Kinetics-Sounds and the supervised baselines are shown as published only. Every cell
reads the model's ``<models_dir>/<model>/metrics.json`` (``val.accuracy``, the training loop's
held-out metrics).

Table 2: ESC-50 (mean over its 5 folds) and DCASE 2013 accuracy of a linear SVM on the audio
subnet's features of 1 s sub-clips (:mod:`soundsight.probes.avc_audio`), for ``l3`` ("Ours")
and ``l3_untrained`` ("Ours random": the same network, not trained); every cell reads
``<probes_dir>/<model>/<dataset>_avc_audio.json``. The other methods are published only.

The printed numbers come only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from soundsight.report.results import Values, read_json
from soundsight.report.table import CellFormat, Column, Row, RowsTable

PAPER = "l3net"
L3 = "l3"  # the sheet's L3-Net (shortcut prevention on)
L3_UNTRAINED = "l3_untrained"  # the same network, untrained (Table 2's "Ours random")
MODEL_METRICS = "metrics.json"
WORLD_COLUMN = "Flickr-SoundNet"  # the world's videos stand for the Flickr videos
TABLE1_MODELS = (L3,)
TABLE1_DESCRIPTION = (
    "Replicated: AVC accuracy % (chance 50 %) on the balanced held-out pairs of the embedded "
    "world's test videos (each test frame with its own 1 s of audio and with 1 s of another "
    "test video), for L3-Net scaled down (`avc` config: width, input size, audio rate, "
    "iterations) and trained with shortcut prevention. The world's videos stand in for "
    "Flickr-SoundNet; Kinetics-Sounds and the supervised baselines are not replicated. Each cell "
    "reads *replicated (published)*; published values are L3-Net's Table 1."
)


def model_metrics(models_dir: str | Path, model: str) -> Path:
    """``<models_dir>/<model>/metrics.json``."""
    return Path(models_dir) / model / MODEL_METRICS


def avc_accuracy(path: str | Path) -> float:
    """The held-out AVC accuracy % of a correspondence model's metrics.json."""
    metrics = read_json(path, "model metrics")
    val = metrics.get("val")
    if not isinstance(val, dict) or "accuracy" not in val:
        raise ValueError(f"{path}: no held-out `val.accuracy` (not a correspondence model?)")
    return 100.0 * float(val["accuracy"])


def avc_values(models_dir: str | Path | None, column: str) -> Values:
    """Result source: model -> ``{column: AVC accuracy %}`` (None: no model folders, for a
    table of published rows only)."""

    def values(model: str) -> dict[str, float]:
        if models_dir is None:
            raise ValueError(f"no model folder given for {model!r}")
        return {column: avc_accuracy(model_metrics(models_dir, model))}

    return values


def table1() -> RowsTable:
    """Table 1: the L3 row replicated on the world; the rest published only."""
    return RowsTable(
        PAPER,
        "table1",
        "Table 1",
        "L3-Net, Table 1: audio-visual correspondence accuracy %",
        TABLE1_DESCRIPTION,
        (
            Column(WORLD_COLUMN, "Flickr-SoundNet (world)", "accuracy %"),
            Column("Kinetics-Sounds", "Kinetics-Sounds", "accuracy %"),
        ),
        {
            L3: Row(
                "L3-Net",
                "L3-Net",
                "L3-Net (VGG-style vision and audio subnetworks, fused fc layers) scaled down, "
                "trained on the world's frames and 1 s audio with shortcut prevention",
            )
        },
    )


def build_table1(models_dir: str | Path | None, models: Sequence[str]) -> pd.DataFrame:
    """Tidy Table 1 from the models' held-out metrics (no models: published rows only)."""
    return table1().build(avc_values(models_dir, WORLD_COLUMN), models)


TABLE2_MODELS = (L3, L3_UNTRAINED)
TABLE2_DATASETS = {"ESC-50": "esc50", "DCASE": "dcase2013"}  # printed column -> probe set
AUDIO_PROBE = "avc_audio"  # <dataset>_avc_audio.json / .npz of probe_avc_audio


def audio_probe_file(
    probes_dir: str | Path, model: str, dataset: str, suffix: str = "json"
) -> Path:
    """``<probes_dir>/<model>/<dataset>_avc_audio.<suffix>``."""
    return Path(probes_dir) / model / f"{dataset}_{AUDIO_PROBE}.{suffix}"


def audio_probe_accuracy(path: str | Path) -> float:
    """The clip accuracy % of an audio-stream probe summary (ESC-50: the mean over folds)."""
    summary = read_json(path, "audio probe summary")
    if "accuracy" not in summary:
        raise ValueError(f"{path}: no `accuracy` (not an audio-stream probe summary?)")
    return 100.0 * float(summary["accuracy"])


def audio_probe_values(probes_dir: str | Path | None) -> Values:
    """Result source: model -> ``{ESC-50: %, DCASE: %}`` (None: no probe folder, for a table of
    published rows only)."""

    def values(model: str) -> dict[str, float]:
        if probes_dir is None:
            raise ValueError(f"no probe folder given for {model!r}")
        return {
            column: audio_probe_accuracy(audio_probe_file(probes_dir, model, dataset))
            for column, dataset in TABLE2_DATASETS.items()
        }

    return values


def table2(layer: str = "audio.conv4_2_pre", pool: Sequence[int] | None = (4, 3)) -> RowsTable:
    """Table 2: Ours and Ours random replicated on the world's sets; the rest published only."""
    pooled = f"max-pooled to {pool[0]} x {pool[1]}" if pool else "as it is"
    return RowsTable(
        PAPER,
        "table2",
        "Table 2",
        "L3-Net, Table 2: sound classification on ESC-50 and DCASE 2013",
        f"Replicated: accuracy % of a one-vs-all linear SVM on the L3-Net audio subnet's "
        f"`{layer}` ({pooled}) of 1 s sub-clips (10 per ESC-50 recording, 60 per DCASE one), "
        "z-scored with the training sub-clips' statistics, a recording's scores the mean of its "
        "sub-clips' decision values; ESC-50: mean over the world's mini-ESC-50's 5 folds, DCASE: "
        "the world's mini-DCASE 2013 (train on dev, test on test). *Ours* is the sheet's `l3` "
        "(scaled down, `avc` config, trained on the world's videos), *Ours random* the same "
        "network untrained (`l3_untrained`). The networks and the probe sets are the embedded "
        "world's and scaled down, so the replicated numbers show what this testbed measures, "
        "not the paper's values. Each cell reads *replicated (published)*; published values are "
        "L3-Net's Table 2.",
        tuple(Column(c, c, "accuracy %") for c in TABLE2_DATASETS),
        {
            L3: Row("Ours", "Ours", "L3-Net's audio subnet, trained on AVC on the world"),
            L3_UNTRAINED: Row(
                "Ours random", "Ours random", "the same network without training (seeded init)"
            ),
        },
    )


def build_table2(
    probes_dir: str | Path | None,
    models: Sequence[str],
    layer: str = "audio.conv4_2_pre",
    pool: Sequence[int] | None = (4, 3),
) -> tuple[RowsTable, pd.DataFrame]:
    """Table 2 and its tidy frame from the models' audio-probe summaries (no models: published
    rows only)."""
    spec = table2(layer, pool)
    return spec, spec.build(audio_probe_values(probes_dir), models)


# ------------------------------------------------------------------------------------------------
# Table 3 (linear image classification from the vision subnet; rule probe_avc_image)
# ------------------------------------------------------------------------------------------------

TABLE3_MODELS = (L3, L3_UNTRAINED)
TABLE3_COLUMN = "Top 1 accuracy"


def image_probe_file(linear_dir: str | Path, model: str, name: str = "sun.json") -> Path:
    """``<linear_dir>/<model>/<name>`` (``sun.json`` / ``sun_predictions.npz``)."""
    return Path(linear_dir) / model / name


def image_probe_values(linear_dir: str | Path | None, layer: str) -> Values:
    """Result source: model -> ``{Top 1 accuracy: %}`` (mean over the SUN partitions)."""

    def values(model: str) -> dict[str, float]:
        if linear_dir is None:
            raise ValueError(f"no linear-probe folder given for {model!r}")
        summary = read_json(image_probe_file(linear_dir, model), "linear probe summary")
        return {TABLE3_COLUMN: 100.0 * float(summary["layers"][layer]["mean_accuracy"])}

    return values


def table3(layer: str, pool: Sequence[int] | None) -> RowsTable:
    """Table 3: Ours and Ours random replicated on the world's scenes; the rest published only."""
    pooled = f"max-pooled to {pool[0]} x {pool[1]}" if pool else "as it is"
    return RowsTable(
        PAPER,
        "table3",
        "Table 3",
        "L3-Net, Table 3: linear image classification from the vision subnet",
        f"Replicated: top-1 accuracy % of one softmax linear layer (multinomial logistic "
        f"regression on z-scored features) on the frozen vision subnet's `{layer}` ({pooled}), "
        "trained and tested on the SUN397-style set's partitions (the world's scenes stand in "
        "for ImageNet; mean over partitions). *Ours* is the sheet's `l3` (scaled down, trained "
        "on the world's videos), *Ours random* the same network untrained (`l3_untrained`). "
        "The other rows are published only (the paper's AlexNet-based methods). Each cell reads "
        "*replicated (published)*; published values are L3-Net's Table 3 (ImageNet).",
        (Column(TABLE3_COLUMN, "Top-1", "accuracy %"),),
        {
            L3: Row("Ours", "Ours", "L3-Net's vision subnet, trained on AVC on the world"),
            L3_UNTRAINED: Row(
                "Ours random", "Ours random", "the same network without training (seeded init)"
            ),
        },
    )


def build_table3(
    linear_dir: str | Path | None,
    models: Sequence[str],
    layer: str = "vision.conv4_2",
    pool: Sequence[int] | None = (4, 4),
) -> tuple[RowsTable, pd.DataFrame]:
    """Table 3 and its tidy frame from the linear-probe summaries (no models: published rows)."""
    spec = table3(layer, pool)
    return spec, spec.build(image_probe_values(linear_dir, layer), models)


# ------------------------------------------------------------------------------------------------
# Table 4 (NMI of k-means clusters) and the unit-preference counts (Sect. 4.4), both from the
# Kinetics-Sounds-style clips' embeddings (rule avc_embeddings -> rule nmi_clusters)
# ------------------------------------------------------------------------------------------------

RANDOM_ASSIGNMENT = "random_assignment"  # <nmi_dir>/random_assignment/: the baseline's folder
TABLE4_MODELS = (L3, L3_UNTRAINED)  # embedded and clustered; the baseline comes with them
STREAM_COLUMNS = {"Vision": "vision", "Audio": "audio"}  # printed column -> embedding stream
NMI_SUMMARY = "nmi.json"
TABLE4_ROWS = {  # replicated model -> Table 4's printed row
    RANDOM_ASSIGNMENT: "Random assignments",
    L3_UNTRAINED: "Ours random (L3-Net without training)",
    L3: "Ours (L3-Net self-supervised training)",
}
PREFERENCE_RULES = {"4of5": "4 of top 5", "3of5": "3 of top 5"}  # summary key -> printed text


def nmi_file(nmi_dir: str | Path, model: str, name: str = NMI_SUMMARY) -> Path:
    """``<nmi_dir>/<model>/<name>`` (``nmi.json`` / ``nmi.npz``)."""
    return Path(nmi_dir) / model / name


def nmi_values(nmi_dir: str | Path | None) -> Values:
    """Result source: model (or :data:`RANDOM_ASSIGNMENT`) -> ``{Vision: NMI, Audio: NMI}``."""

    def values(model: str) -> dict[str, float]:
        if nmi_dir is None:
            raise ValueError(f"no NMI folder given for {model!r}")
        summary = read_json(nmi_file(nmi_dir, model), "NMI summary")
        return {c: float(summary["nmi"][s]) for c, s in STREAM_COLUMNS.items()}

    return values


def table4(k: int) -> RowsTable:
    """Table 4: random assignment, Ours random and Ours, replicated on the world's clips."""
    return RowsTable(
        PAPER,
        "table4",
        "Table 4",
        "L3-Net, Table 4: clustering quality (NMI) of the vision and audio embeddings",
        f"Replicated: normalised mutual information (sklearn's, arithmetic) between k-means "
        f"(k = {k}; the paper: 64) clusters of each subnet's `pool4` embedding and the clips' "
        "labels, on every clip of the world's Kinetics-Sounds-style set (one label per clip: the "
        "on-screen object that sounds longest; each clip read at its centre: the nearest frame "
        "and the 1 s of audio around it). *Random assignments* gives each clip a uniformly "
        "random cluster out of k. *Ours* is the sheet's `l3` (scaled down, trained on the "
        "world's videos, which the clips come from; no labels are used in training), *Ours "
        "random* the same network untrained (`l3_untrained`). Each cell reads *replicated "
        "(published)*; published values are L3-Net's Table 4 (Kinetics-Sounds, 34 classes).",
        tuple(Column(c, c, "NMI") for c in STREAM_COLUMNS),
        {
            RANDOM_ASSIGNMENT: Row(
                "Random assignments",
                TABLE4_ROWS[RANDOM_ASSIGNMENT],
                "uniform random cluster ids (seeded)",
            ),
            L3_UNTRAINED: Row(
                "Ours random",
                TABLE4_ROWS[L3_UNTRAINED],
                "the same network without training (seeded init)",
            ),
            L3: Row(
                "Ours",
                TABLE4_ROWS[L3],
                "L3-Net trained on AVC on the world",
            ),
        },
        cells=CellFormat(".3f", ".3f"),
    )


def build_table4(
    nmi_dir: str | Path | None, models: Sequence[str], k: int
) -> tuple[RowsTable, pd.DataFrame]:
    """Table 4 and its tidy frame from the NMI summaries (no models: published rows only)."""
    spec = table4(k)
    return spec, spec.build(nmi_values(nmi_dir), models)


def preference_column(rule: str, stream: str) -> str:
    """The published column of a unit-preference count (``l3net_text.csv``)."""
    return (
        "Kinetics-Sounds classes with a high-preference pool4 unit "
        f"({PREFERENCE_RULES[rule]})/{stream}"
    )


def preference_values(nmi_dir: str | Path | None) -> Values:
    """Result source: model -> ``{<preference column>: classes covered}``."""

    def values(model: str) -> dict[str, float]:
        if nmi_dir is None:
            raise ValueError(f"no NMI folder given for {model!r}")
        pref = read_json(nmi_file(nmi_dir, model), "NMI summary")["preference"]
        return {
            preference_column(r, s): float(pref[s][r])
            for r in PREFERENCE_RULES
            for s in STREAM_COLUMNS.values()
        }

    return values


def units_table(n_classes: int | None = None) -> RowsTable:
    """The unit-preference counts (Sect. 4.4's text): trained vs untrained L3-Net."""
    of = f" of the world's {n_classes} classes" if n_classes else ""
    return RowsTable(
        PAPER,
        "text",
        "Unit preference",
        "L3-Net, Sect. 4.4: classes with a high-preference pool4 unit",
        f"Replicated: how many classes{of} are preferred by at least one `pool4` unit, a unit "
        "preferring a class when at least 4 (or 3) of its 5 highest-activating clips (its "
        "global max, ties by clip order) are of that class, for each subnet of the trained `l3` "
        "and the untrained `l3_untrained`, on the world's Kinetics-Sounds-style clips (those of "
        "Table 4). Each cell reads *replicated (published)*; published values are L3-Net's "
        "text (34 Kinetics-Sounds classes).",
        tuple(
            Column(preference_column(r, s), f"{s} {PREFERENCE_RULES[r]}", "classes")
            for r in PREFERENCE_RULES
            for s in STREAM_COLUMNS.values()
        ),
        {
            L3: Row("L3-Net (trained)", "L3-Net (trained)", "trained on AVC on the world"),
            L3_UNTRAINED: Row("L3-Net (random)", "L3-Net (random)", "untrained (seeded init)"),
        },
        cells=CellFormat(".0f", ".0f"),
    )


def build_units_table(
    nmi_dir: str | Path | None, models: Sequence[str], n_classes: int | None = None
) -> tuple[RowsTable, pd.DataFrame]:
    """The unit-preference table and its tidy frame (no models: published rows only)."""
    spec = units_table(n_classes)
    return spec, spec.build(preference_values(nmi_dir), models)
