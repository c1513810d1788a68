"""§4 unit claims: detector counts and shares compared with a bootstrap over units."""

import pandas as pd

from soundsight.paper.audit_units import UNIT_CLAIMS, evaluate_unit_claims


def _labels(path, categories, detectors):
    pd.DataFrame(
        {
            "unit": range(len(categories)),
            "category": categories,
            "fraction": [0.9] * len(categories),
            "is_detector": detectors,
        }
    ).to_csv(path, index=False)
    return path


def test_unit_claims_verdicts_and_paper_side(tmp_path):
    sound = _labels(tmp_path / "s.csv", ["dog"] * 30 + ["tree"] * 10, [True] * 40)
    scene = _labels(tmp_path / "p.csv", ["dog"] * 2 + ["tree"] * 38, [True] * 40)
    texton = _labels(tmp_path / "t.csv", ["tree"] * 40, [True] * 38 + [False] * 2)
    files = {"sound_cluster": sound, "scene": scene, "texton_cnn": texton}
    df = evaluate_unit_claims(UNIT_CLAIMS, files, ["dog"], n_boot=200, seed=0).set_index("name")
    count = df.loc["sound_more_sound_detectors_than_scene"]
    assert count["observed"] == 28 and count["verdict"] == "holds"
    assert count["paper_verdict"] == "holds" and count["paper_difference"] == 49 - 26
    share = df.loc["sound_higher_share_of_sound_detectors_than_scene"]
    assert share["observed"] == 70.0 and share["verdict"] == "holds"
    texton_row = df.loc["texton_cnn_fewer_detectors_than_sound"]
    assert texton_row["observed"] == 2 and texton_row["paper_verdict"] == "n/a"


def test_missing_model_is_not_evaluated(tmp_path):
    sound = _labels(tmp_path / "s.csv", ["dog"], [True])
    df = evaluate_unit_claims(UNIT_CLAIMS, {"sound_cluster": sound}, ["dog"], 10, 0)
    assert (df["verdict"] == "not evaluated").all()
    assert df["reason"].str.contains("no unit labels").all()
