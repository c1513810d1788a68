"""The paper-independent report engines: table layouts, result readers, audit metric plugins."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from soundsight.report.audit import (
    Claim,
    Comparison,
    Metric,
    audit_markdown,
    metric_plugins,
    register_metric,
    run_audit,
)
from soundsight.report.published import published_value
from soundsight.report.results import class_ap, detection_map, probe_percent
from soundsight.report.table import (
    BlockEntry,
    BlockTable,
    CellFormat,
    Column,
    ColumnsTable,
    Row,
    RowsTable,
)

# ------------------------------------------------------------------------------------------------
# a metric plugin declared outside the engine
# ------------------------------------------------------------------------------------------------


@register_metric("toy_score")
class ToyScore(Metric):
    """Per-model scores given in ``inputs["toy"]`` ({model: (N,) per-item scores}), paired."""

    dataset = "toy"
    needs_layer = False
    method = "toy scores are averaged over the resampled items"

    def missing(self, claim: Claim) -> str | None:
        absent = [m for m in (*claim.left, *claim.right) if m not in self.inputs["toy"]]
        return f"no toy scores for {absent}" if absent else None

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        gap = np.asarray(self.inputs["toy"][a]) - np.asarray(self.inputs["toy"][b])  # (N,)
        idx = np.random.default_rng(self.seed).integers(0, len(gap), (self.n_boot, len(gap)))
        return Comparison(float(gap.mean()), gap[idx].mean(axis=1))

    def n_items(self, claim: Claim) -> int:
        return len(next(iter(self.inputs["toy"].values())))


def _toy_inputs() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    return {"toy": {"good": base + 1.0, "bad": base, "same": base + 1e-9 * rng.normal(size=200)}}


def test_a_registered_plugin_runs_through_the_engine() -> None:
    assert "toy_score" in metric_plugins() and "voc_map" in metric_plugins()
    claims = [
        Claim("good_beats_bad", "good > bad", "greater", "good", "bad", "toy_score"),
        Claim("bad_beats_good", "bad > good", "greater", "bad", "good", "toy_score"),
        Claim("both_beat_bad", "", "each_greater", ("good", "same"), "bad", "toy_score"),
        Claim("missing", "", "greater", "good", "nobody", "toy_score"),
    ]
    df = run_audit(claims, _toy_inputs(), n_boot=100, seed=1, progress=False).set_index("name")
    assert df.loc["good_beats_bad", "verdict"] == "holds"
    assert df.loc["good_beats_bad", "observed"] == pytest.approx(1.0)
    assert df.loc["bad_beats_good", "verdict"] == "fails"
    assert df.loc["both_beat_bad", "verdict"] == "inconclusive"  # "same" ties with "bad"
    assert df.loc["missing", "verdict"] == "not evaluated"
    assert "nobody" in df.loc["missing", "reason"] and df.loc["missing", "n_images"] == 0
    assert (df["dataset"] == "toy").all() and df.loc["good_beats_bad", "n_images"] == 200
    md = audit_markdown(df.reset_index(), "toy audit")
    assert "| `good_beats_bad` | TOY  |" in md and ToyScore.method in md


def test_plugin_registry_rejects_clashes_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register_metric("toy_score")(type("Again", (Metric,), {"dataset": "toy2"}))
    with pytest.raises(ValueError, match="dataset 'toy'"):
        register_metric("toy_other")(type("Other", (Metric,), {"dataset": "toy"}))
    with pytest.raises(ValueError, match="unknown metric 'no_such_metric'.*voc_map"):
        Claim("x", "", "greater", "a", "b", "no_such_metric", "k30")
    with pytest.raises(ValueError, match="unknown kind"):
        Claim("x", "", "above_chance", "a", (), "toy_score")  # a baseline kind of another plugin
    cluster = Claim("x", "", "above_majority", "a", (), "cluster_accuracy")
    assert cluster.right == ("majority",) and cluster.dataset == "cluster"


# ------------------------------------------------------------------------------------------------
# table layouts
# ------------------------------------------------------------------------------------------------


def _values(table: Mapping[str, Mapping[str, float]]):
    return lambda model: table[model]


ROWS = {
    "ours": Row("Ours", "Sound (cluster)", "our sound model"),
    "stand_in": Row("Stand-in", "Places (Zhou et al 2014)", "an analogue"),
    "extra": Row("Extra", None, "no paper row"),
    "base": Row("Base", "Random init. (Krähenbühl et al 2016)", "reference"),
}
DETECTION = RowsTable(
    "owens2018",
    "table3",
    "Table 3",
    "title",
    "description",
    (
        Column("mAP", "mAP", "mAP %"),
        Column("gain", "vs base", "mAP %", signed=True, source="mAP", reference="base"),
    ),
    ROWS,
    keep_empty=True,
)


def test_rows_table_orders_marks_and_differences() -> None:
    results = {"ours": {"mAP": 30.0}, "stand_in": {"mAP": 40.0}, "extra": {"mAP": 20.0}}
    df = DETECTION.build(_values(results), ["extra", "ours", "stand_in"])
    lines = list(dict.fromkeys(df["row"]))
    assert lines[0] == "Random init. (Krähenbühl et al 2016)"  # the paper's order
    assert lines[-1] == "Extra" and "Ours" in lines  # replicated only last
    maps = df[df["column"] == "mAP"].set_index("row")
    assert maps.loc["Extra", "source"] == "replicated only"
    assert maps.loc["Ours", "published"] == published_value(
        "owens2018", "table3", "Sound (cluster)", "mAP"
    )
    gains = df[df["column"] == "gain"].set_index("row")
    assert math.isnan(gains.loc["Ours", "replicated"])  # base not run
    assert gains.loc["Ours", "published"] == pytest.approx(44.1 - 41.3)
    md = DETECTION.markdown(df)
    assert "| Ours * (paper: Sound (cluster)) | 30.0 (44.1) | — (+2.8) |" in md
    assert "| Extra ‡ | 20.0 (—) | — (—) |" in md and "Motion" in md and "†" in md
    assert "- `extra` — Extra → no paper row: no paper row." in md
    with_base = DETECTION.build(_values(results | {"base": {"mAP": 25.0}}), ["ours", "base"])
    assert with_base.set_index(["row", "column"]).loc[("Ours", "gain"), "replicated"] == 5.0


def test_rows_table_declared_rows_and_errors() -> None:
    strict = RowsTable(
        "owens2018", "table3", "Table 3", "t", "d", (Column("mAP", "mAP"),),
        {"ours": Row("Ours", "Sound (cluster)"), "typo": Row("Typo", "Sound (clusters)")},
    )  # fmt: skip
    values = _values({"ours": {"mAP": 1.0}, "typo": {"mAP": 2.0}})
    with pytest.raises(KeyError, match="Sound \\(clusters\\)"):
        strict.build(values, ["typo"])
    with pytest.raises(KeyError, match="unknown Table 3 models"):
        strict.build(values, ["nobody"])
    with pytest.raises(ValueError, match="repeated"):
        strict.build(values, ["ours", "ours"])
    only = RowsTable(
        "owens2018", "table3", "Table 3", "t", "d", (Column("mAP", "mAP"),), strict.rows,
        fields=("row", "model", "column", "replicated", "published"), paper_order=False,
        cells=CellFormat(published="g"), show_model=True, markers=False,
    )  # fmt: skip
    df = only.build(values, ["typo", "ours"])
    assert list(df["model"]) == ["typo", "ours"] and math.isnan(df["published"].iloc[0])
    md = only.markdown(df)
    assert md.endswith("| Ours | `ours` | 1.0 (44.1) |\n") and "†" not in md


def test_columns_table_puts_models_in_columns() -> None:
    table = ColumnsTable(
        "owens2018", "table1", "Table 1", "units", "desc",
        (Column("# Detectors", "# Detectors", source="n"),
         Column("Videos with object sound", "v", source="f", scale=100.0)),
        {"a": Row("Model A", "Sound"), "b": Row("Model B", "Places")},
        extras={"n_units": lambda v: int(v["units"])},
    )  # fmt: skip
    values = _values({"a": {"n": 3, "f": 0.5, "units": 8}, "b": {"n": 4, "f": 0.25, "units": 9}})
    df = table.build(values, ["a", "b"])
    assert len(df) == 4 and set(df["n_units"]) == {8, 9}
    cell = df.set_index(["row", "model"]).loc[("Videos with object sound", "a")]
    assert cell["replicated"] == 50.0 and cell["published"] == 43.7
    md = table.markdown(df, footnotes=["note."])
    assert "| | Model A | Model B |\n|---|---:|---:|" in md
    assert "| # Detectors | 3.0 (91) | 4.0 (117) |" in md and md.endswith("\nnote.\n")


def test_block_table_blocks_and_side_by_side() -> None:
    table = BlockTable(
        "owens2018", "table4", "t", "d", summary="mAP", summary_unit="mAP %", cell_unit="AP %",
        replicated_note="mean", published_note="printed mean",
        headings=("Ours", "Theirs"), side_by_side=("ours", "theirs"), notes=("Notes.",),
    )  # fmt: skip
    entries = [
        BlockEntry("Ours", "ours", "Sound (cluster)", {"x": 10.0, "y": 30.0}, "note"),
        BlockEntry("Absent", "absent", "", None, "", "not run at all"),
    ]
    df = table.build(entries, {"Sound (cluster)": "ours"})
    ours = df[(df["block"] == "replicated") & (df["row"] == "Ours")].set_index("column")
    assert ours.loc["mAP", "value"] == 20.0 and ours.loc["x", "unit"] == "AP %"
    absent = df[df["model"] == "absent"]
    assert absent["status"].tolist() == ["not run"] and absent["note"].iloc[0] == "not run at all"
    published = df[df["block"] == "published"]
    assert published[published["row"] == "Sound (cluster)"]["model"].unique().tolist() == ["ours"]
    md = table.markdown(df)
    assert "| Ours | 10.0 | 30.0 | 20.0 |" in md and "| Absent | — | — | not run |" in md
    assert "| Ours | Sound (cluster) | 20.0 | 45.8 |" in md and md.endswith("\nNotes.\n")


# ------------------------------------------------------------------------------------------------
# result readers
# ------------------------------------------------------------------------------------------------


def test_result_readers(tmp_path: Path) -> None:
    probe = tmp_path / "voc.json"
    layers = {"pool5": {"map11": 0.25, "ap11": {"b": 0.5, "a": 0.0}}}
    probe.write_text(json.dumps({"classes": ["b", "a"], "layers": layers}))
    assert probe_percent(probe, "map11", ["pool5"]) == {"pool5": 25.0}
    assert probe_percent(probe, "map11", ["pool5", "fc7"], required=False) == {"pool5": 25.0}
    with pytest.raises(KeyError, match="fc7"):
        probe_percent(probe, "map11", ["fc7"])
    assert list(class_ap(probe, None)) == ["b", "a"]  # the file's class order, its only layer
    with pytest.raises(FileNotFoundError, match="probe output not found"):
        probe_percent(tmp_path / "nope.json", "map11", ["pool5"])
    det = tmp_path / "detection.json"
    det.write_text(json.dumps({"map": 0.5}))
    assert detection_map(det) == 50.0
    det.write_text(json.dumps({"map": None}))
    with pytest.raises(ValueError, match="not a fraction"):
        detection_map(det)
