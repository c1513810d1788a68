"""§4 unit claims: detector counts and shares compared with a bootstrap over units."""

import pandas as pd
import pytest

from soundsight.papers.owens2018.claims import UNIT_CLAIMS
from soundsight.report.audit import run_audit
from soundsight.report.audit_metrics import unit_claim

GROUPS = {"sound": ["dog"], "instrument": ["drum", "piano"]}


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
    audioset = _labels(tmp_path / "a.csv", ["drum"] * 6 + ["piano"] * 4 + ["dog"] * 30, [True] * 40)
    files = {
        "sound_cluster": sound,
        "scene": scene,
        "texton_cnn": texton,
        "audioset_cluster": audioset,
    }
    inputs = {"unit_labels": files, "unit_groups": GROUPS}
    df = run_audit(UNIT_CLAIMS, inputs, n_boot=200, seed=0).set_index("name")
    count = df.loc["sound_more_sound_detectors_than_scene"]
    assert count["observed"] == 28 and count["verdict"] == "holds"
    assert count["paper_verdict"] == "holds" and count["paper_difference"] == 49 - 26
    share = df.loc["sound_higher_share_of_sound_detectors_than_scene"]
    assert share["observed"] == 70.0 and share["verdict"] == "holds"
    texton_row = df.loc["texton_cnn_fewer_detectors_than_sound"]
    assert texton_row["observed"] == 2 and texton_row["paper_verdict"] == "n/a"
    instruments = df.loc["audioset_cluster_more_instrument_detectors"]
    assert instruments["observed"] == 10 and instruments["verdict"] == "holds"


def test_unknown_category_group_is_an_error(tmp_path):
    claim = unit_claim("x", "x", "a", "b", "count", "vehicles")
    with pytest.raises(ValueError, match="vehicles"):
        run_audit([claim], {"unit_labels": {}, "unit_groups": GROUPS}, 10, 0)


def test_missing_model_is_not_evaluated(tmp_path):
    sound = _labels(tmp_path / "s.csv", ["dog"], [True])
    inputs = {"unit_labels": {"sound_cluster": sound}, "unit_groups": GROUPS}
    df = run_audit(UNIT_CLAIMS, inputs, 10, 0)
    assert (df["verdict"] == "not evaluated").all()
    assert df["reason"].str.contains("no unit labels").all()
