"""SoundNet's Tables 3 and 4 read the layer-probe summaries at the configured layer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from soundsight.papers.soundnet.tables import SOUNDNET8, build_table, layer_accuracy


def _summary(folder, dataset: str, layers: dict, esc10: dict | None = None) -> None:
    body = {"dataset": dataset, "layers": {k: {"accuracy": v} for k, v in layers.items()}}
    if esc10 is not None:
        body["esc10"] = {"layers": {k: {"accuracy": v} for k, v in esc10.items()}}
    (folder / SOUNDNET8).mkdir(exist_ok=True)
    (folder / SOUNDNET8 / f"{dataset}_layers.json").write_text(json.dumps(body))


def test_tables_show_the_chosen_layer_beside_the_published_rows(tmp_path):
    _summary(tmp_path, "esc50", {"pool5": 0.5, "conv5": 0.4}, {"pool5": 0.8, "conv5": 0.7})
    _summary(tmp_path, "dcase2013", {"pool5": 0.25, "conv5": 0.5})
    _, t4 = build_table("table4", tmp_path, [SOUNDNET8], "pool5")
    mine = t4[t4["model"] == SOUNDNET8].set_index("column")["replicated"]
    assert mine.to_dict() == pytest.approx({"ESC-50": 50.0, "ESC-10": 80.0})
    assert (t4["source"] == "published only").any()  # the other methods, as printed
    _, t3 = build_table("table3", tmp_path, [SOUNDNET8], "conv5")
    assert t3.loc[t3["model"] == SOUNDNET8, "replicated"].tolist() == pytest.approx([50.0])
    with pytest.raises(ValueError, match="layer 'conv7' was not probed"):
        build_table("table3", tmp_path, [SOUNDNET8], "conv7")
    _, published = build_table("table4", None, [], "pool5")  # no models: printed rows only
    assert published["replicated"].isna().all() and len(published) == len(t4)  # SoundNet: printed


def _write(folder, rel: str, layers: dict, esc10: dict | None = None, top: str | None = None):
    body = {"layers": {k: {"accuracy": v} for k, v in layers.items()}, "feature_layer": top}
    if esc10 is not None:
        body["esc10"] = {"layers": {k: {"accuracy": v} for k, v in esc10.items()}}
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body))


def test_table5_reads_each_line_at_pool5_or_the_nets_top_layer(tmp_path):
    from soundsight.papers.soundnet.ablations import build_ablation, summary_files

    _write(tmp_path, "soundnet8/esc50_layers.json", {"pool5": 0.6}, {"pool5": 0.9}, "conv7")
    _write(tmp_path, "soundnet8_l2/esc50_layers.json", {"pool5": 0.3}, {"pool5": 0.5}, "conv7")
    _write(tmp_path, "soundnet5/esc50_layers.json", {"conv4": 0.4}, {"conv4": 0.7}, "conv4")
    _write(tmp_path, "scratch/soundnet8/esc50.json", {"pool5": 0.2}, {"pool5": 0.4})
    models = ["soundnet8", "soundnet8_l2", "soundnet5"]
    assert summary_files("table5", models, ["soundnet8"]) == [
        "soundnet8_l2/esc50_layers.json", "soundnet8/esc50_layers.json",
        "scratch/soundnet8/esc50.json", "soundnet5/esc50_layers.json",
    ]  # fmt: skip
    _, t5 = build_ablation("table5", tmp_path, models, "pool5", ["soundnet8"])
    got = t5[t5["model"] != ""].set_index(["model", "column"])["replicated"]
    assert got[("kl", "ESC-50")] == got[("both", "ESC-50")] == got[("video8", "ESC-50")] == 60
    assert got[("l2", "ESC-10")] == pytest.approx(50.0)
    assert got[("video5", "ESC-50")] == pytest.approx(40.0)  # SoundNet-5: its conv4
    assert got[("scratch8", "ESC-10")] == pytest.approx(40.0)
    pub = t5[t5["model"] == ""]  # lines without a model here: printed only
    assert set(pub["published_row"]) == {
        "8 Layer, ImageNet Only", "8 Layer, Places Only", "5 Layer, Scratch Init",
    }  # fmt: skip
    _write(tmp_path, "soundnet5/esc50_layers.json", {"conv5": 0.4})
    with pytest.raises(ValueError, match="no feature_layer"):
        build_ablation("table5", tmp_path, models, "pool5", ["soundnet8"])


def test_table6_shows_every_probed_layer_and_the_teachers_strength(tmp_path):
    from soundsight.papers.soundnet.ablations import build_ablation

    for model in ("soundnet8", "soundnet8_weak"):
        _write(tmp_path, f"{model}/esc50_layers.json", {"conv4": 0.5, "conv8": 0.25})
        _write(tmp_path, f"{model}/dcase2013_layers.json", {"conv4": 0.75})
    metrics = {
        "scene_weak": {"val": {"top1": 0.5, "chance": 0.125, "loss": 1.5}},
        "object_weak": {"val": {"mean_bit_accuracy": 0.8, "mean_majority_bit_accuracy": 0.75}},
    }
    paths = {}
    for model, body in metrics.items():
        paths[model] = tmp_path / f"{model}.json"
        paths[model].write_text(json.dumps(body))
    students = ["soundnet8", "soundnet8_weak"]
    spec, t6 = build_ablation("table6", tmp_path, students, "pool5", (), paths)
    assert "scene_weak top-1 50.0 % (chance 12.5), held-out loss 1.500" in spec.description
    assert "object_weak per-label 80.0 % (always absent 75.0)" in spec.description
    mine = t6[t6["model"] == "esc_weak"].set_index("column")["replicated"]
    assert mine["conv4"] == 50 and mine["conv8"] == 25 and np.isnan(mine["pool5"])
    assert (t6["published_row"] == "DCASE/8 Layer, VGG").sum() == 6
    with pytest.raises(ValueError, match="unknown SoundNet ablation table"):
        build_ablation("table9", tmp_path, [], "pool5")


def test_table4_shows_the_mfcc_baseline_computed_here_beside_its_printed_row(tmp_path):
    from soundsight.papers.soundnet.tables import MFCC_SVM

    _summary(tmp_path, "esc50", {"pool5": 0.5}, {"pool5": 0.8})
    (tmp_path / MFCC_SVM).mkdir()
    body = {"layers": {"mfcc": {"accuracy": 0.3}}, "esc10": {"layers": {"mfcc": {"accuracy": 0.6}}}}
    (tmp_path / MFCC_SVM / "esc50.json").write_text(json.dumps(body))
    (tmp_path / MFCC_SVM / "dcase2013.json").write_text(json.dumps(body))
    _, t4 = build_table("table4", tmp_path, [SOUNDNET8, MFCC_SVM], "pool5")
    mfcc = t4[t4["model"] == MFCC_SVM].set_index("column")
    assert mfcc["replicated"].to_dict() == pytest.approx({"ESC-50": 30.0, "ESC-10": 60.0})
    assert mfcc["published"].to_dict() == pytest.approx({"ESC-50": 39.6, "ESC-10": 67.5})
    _summary(tmp_path, "dcase2013", {"pool5": 0.25})
    _, t3 = build_table("table3", tmp_path, [SOUNDNET8, MFCC_SVM], "pool5")
    assert t3.loc[t3["model"] == MFCC_SVM, "source"].tolist() == ["replicated only"]


def test_one_layer_accuracy_for_the_tables_and_the_ablations():
    summary = {
        "layers": {"pool5": {"accuracy": 0.5}},
        "esc10": {"layers": {"pool5": {"accuracy": 0.8}}},
    }
    assert layer_accuracy(summary, "pool5") == 50.0
    assert layer_accuracy(summary, "pool5", "esc10") == 80.0
    assert np.isnan(layer_accuracy(summary, "conv7", missing=np.nan))  # an ablation's blank cell
    assert np.isnan(layer_accuracy(summary, "pool5", "dcase", missing=np.nan))
    with pytest.raises(ValueError, match=r"x\.json: layer 'conv7' was not probed \(esc10\)"):
        layer_accuracy(summary, "conv7", "esc10", where="x.json")
