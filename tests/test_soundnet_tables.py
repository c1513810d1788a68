"""SoundNet's Tables 3 and 4 read the layer-probe summaries at the configured layer."""

from __future__ import annotations

import json

import pytest

from soundsight.papers.soundnet.tables import SOUNDNET8, build_table


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
