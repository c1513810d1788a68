"""SoundNet's Table 7 (multi-modal recognition) from the multimodal summary.

Two declared tables of the report engine: Table 7 itself (SoundNet conv7 / conv8 rows, sound /
vision / vision + sound columns; the replicated numbers read the benches of
:mod:`soundsight.papers.soundnet.multimodal`'s summary) and the baselines of the paper's text
(Sec. 4.3: the most common category and chance). Printed numbers come only from
:mod:`soundsight.report.published`; each cell reads *replicated (published)*.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.report.results import Values
from soundsight.report.table import Column, Row, RowsTable, write_table

PAPER = "soundnet"
LAYER_ROWS = ("conv7", "conv8")
BASELINE_ROWS = ("majority", "chance")
SOUND_NOTE = (
    "SoundNet-8 scaled down, distilled from the world's object and scene models; its {layer} "
    "mean-pooled over each held-out video's whole track; vision: the two teachers' fc7 "
    "averaged over the teacher-step frames, concatenated"
)
ROWS = {
    "conv7": Row("8 Layer, conv7", "8 Layer, conv7", SOUND_NOTE.format(layer="conv7")),
    "conv8": Row(
        "8 Layer, conv8", "8 Layer, conv8", SOUND_NOTE.format(layer="conv8 (both heads' logits)")
    ),
}
BENCH_OF = {
    "conv7": {"sound": "t7_sound_conv7", "vision": "t7_vision", "vision+sound": "t7_both_conv7"},
    "conv8": {"sound": "t7_sound_conv8", "vision": "t7_vision", "vision+sound": "t7_both_conv8"},
}
BASELINE_COLUMN = "multi-modal 44 categories/accuracy"  # the published text's cell key
BASELINES = {
    "majority": Row(
        "Most common class",
        "Most common category (music performance)",
        "the training part's most common scene, for every test video",
    ),
    "chance": Row("Chance", "Chance", "1 / the number of classes evaluated"),
}


def table7_spec(description: str) -> RowsTable:
    """Table 7: sound, vision and both, per SoundNet layer."""
    columns = (
        Column("sound", "Sound", "accuracy %"),
        Column("vision", "Vision", "accuracy %"),
        Column("vision+sound", "Vision + sound", "accuracy %"),
    )
    return RowsTable(
        PAPER, "table7", "Table 7", "SoundNet, Table 7: multi-modal recognition", description,
        columns, ROWS,
    )  # fmt: skip


def baseline_spec() -> RowsTable:
    """The baselines of Sec. 4.3's text (most common category, chance)."""
    return RowsTable(
        PAPER, "text", "Sec. 4.3", "Baselines (SoundNet Sec. 4.3, text)",
        "Accuracy % on the same test videos.",
        (Column(BASELINE_COLUMN, "Accuracy", "accuracy %"),), BASELINES,
    )  # fmt: skip


def bench_accuracy(summary: Mapping[str, Any], bench: str) -> float:
    """Accuracy % of one bench of the multimodal summary (NaN when it did not run)."""
    benches = summary.get("benches", {})
    if bench not in benches:
        raise ValueError(f"multimodal summary has no bench {bench!r}: {list(benches)}")
    return 100.0 * float(benches[bench]["accuracy"])


def table7_values(summary: Mapping[str, Any]) -> Values:
    """Result source of both tables: row key -> {column: accuracy %}."""

    def values(key: str) -> dict[str, float]:
        if key in BENCH_OF:
            return {c: bench_accuracy(summary, b) for c, b in BENCH_OF[key].items()}
        if key == "majority":
            return {BASELINE_COLUMN: bench_accuracy(summary, "t7_majority")}
        if key == "chance":
            return {BASELINE_COLUMN: 100.0 * float(summary["chance"])}
        raise KeyError(f"no Table 7 row {key!r}")

    return values


def describe(summary: Mapping[str, Any]) -> str:
    """The table's description: protocol and counts."""
    s = summary.get("settings", {})
    costs = s.get("costs", [])
    cost = (
        f"its cost chosen from {costs} by {s.get('cv_folds')}-fold CV on the training part"
        if len(costs) > 1
        else f"a fixed cost {costs[0] if costs else '?'}"
    )
    dropped = summary.get("dropped_classes") or {}
    left_out = f"; classes left out (under 2 held-out videos): {dropped}" if dropped else ""
    status = summary.get("status", "ok")
    note = "" if status == "ok" else f" **Not run: {status}.**"
    return (
        f"Replicated: scene classification of the world's held-out videos (neither the student "
        f"nor the teachers trained on them), {summary.get('n_train')} training and "
        f"{summary.get('n_test')} test videos over {summary.get('n_classes')} scenes (a "
        f"seeded per-class {1 - s.get('test_fraction', 0.4):.0%}/{s.get('test_fraction', 0.4):.0%}"
        f" split{left_out}); one-vs-rest linear SVM, {cost}; accuracy %. Both: sound and vision "
        f"each z-scored on the training part, side by side. The paper: ~9.5K videos, 44 "
        f"categories, 60/40. The world is small and its scene teacher was trained on exactly "
        f"these labels, so the numbers show what this testbed measures, not the paper's "
        f"values.{note}"
    )


def build_table7(
    summary: Mapping[str, Any],
) -> tuple[tuple[RowsTable, pd.DataFrame], tuple[RowsTable, pd.DataFrame]]:
    """(Table 7's spec, its tidy frame) and (the baselines' spec, their frame)."""
    values = table7_values(summary)
    main, base = table7_spec(describe(summary)), baseline_spec()
    return (main, main.build(values, LAYER_ROWS)), (base, base.build(values, BASELINE_ROWS))


def write_table7(summary: Mapping[str, Any], csv_path: Path, md_path: Path) -> pd.DataFrame:
    """Write one tidy CSV (Table 7's cells, then the baselines') and the Markdown (Table 7,
    then the baselines as a section); return the frame."""
    (main, main_frame), (base, base_frame) = build_table7(summary)
    extra = base.markdown(base_frame).replace("# ", "## ", 1)
    frame = pd.concat([main_frame, base_frame], ignore_index=True)
    write_table(frame, f"{main.markdown(main_frame)}\n{extra}", csv_path, md_path)
    return frame
