"""The audio-visual audit plugins (ndcg, avc_accuracy, pointing, nmi, clip_accuracy) on fakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from soundsight.report.audit import Claim, bootstrap_indices, run_audit

N_BOOT, SEED = 200, 3


def _save(path: Path, **arrays: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def _ndcg_dir(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    ids = np.array([f"q{i}" for i in range(120)])
    base = rng.uniform(0.35, 0.5, 120)
    for model, shift in (("random", 0.0), ("l3", 0.05), ("ave", 0.15)):
        order = rng.permutation(120)  # files list the queries in different orders
        values = {"ndcg_im-aud": base[order] + shift, "ndcg_im-im": base[order] + 2 * shift}
        values["ndcg_im-aud"][order == 0] = np.nan  # q0 undefined (no relevant item) for all
        _save(tmp_path / model / "ndcg.npz", query_ids=ids[order], **values)
    return tmp_path


def test_ndcg_paired_over_queries(tmp_path: Path) -> None:
    folder = _ndcg_dir(tmp_path)
    claims = [
        Claim("ave_best", "AVE-Net >= every baseline", "greater_than_all", "ave",
              ("l3", "random"), "ndcg", "im-aud"),
        Claim("random_best", "random beats L3", "greater", "random", "l3", "ndcg", "im-im"),
        Claim("no_layer", "missing direction", "greater", "ave", "l3", "ndcg", "aud-aud"),
    ]  # fmt: skip
    df = run_audit(claims, {"retrieval_dir": folder}, N_BOOT, SEED, False).set_index("name")
    # paired: every query differs by exactly the shift, so the interval collapses on it
    assert df.loc["ave_best", "observed"] == pytest.approx(10.0)
    assert df.loc["ave_best", "ci_low"] == pytest.approx(10.0)
    assert df.loc["ave_best", "verdict"] == "holds" and df.loc["ave_best", "n_images"] == 120
    assert df.loc["random_best", "verdict"] == "fails"
    assert df.loc["random_best", "observed"] == pytest.approx(-10.0)
    assert df.loc["no_layer", "verdict"] == "not evaluated"
    assert "ndcg_aud-aud" in df.loc["no_layer", "reason"]


def test_ndcg_value_is_the_mean_of_defined_queries(tmp_path: Path) -> None:
    from soundsight.report.audit_metrics import Ndcg

    folder = _ndcg_dir(tmp_path)
    metric = Ndcg({"retrieval_dir": folder}, N_BOOT, SEED, False)
    obs, boot = metric.value("ave", "im-aud")
    data = np.load(folder / "ave" / "ndcg.npz")
    assert obs == pytest.approx(np.nanmean(data["ndcg_im-aud"]))
    assert boot.shape == (N_BOOT,) and np.isfinite(boot).all()


def test_avc_accuracy_chance_and_unpaired_models(tmp_path: Path) -> None:
    ids = np.array([f"p{i}" for i in range(200)])
    correct = np.zeros(200, bool)
    correct[:150] = True  # 75 %
    _save(tmp_path / "l3" / "avc.npz", pair_ids=ids, correct=correct)
    _save(
        tmp_path / "ave" / "avc.npz", pair_ids=ids, correct=np.roll(correct, 10) | (ids == "p199")
    )
    _save(tmp_path / "other" / "avc.npz", pair_ids=np.char.add(ids, "x"), correct=correct)
    claims = [
        Claim("above", "AVC well above 50%", "above_chance", "l3", (), "avc_accuracy"),
        Claim("ave_l3", "AVE beats L3", "greater", "ave", "l3", "avc_accuracy"),
        Claim("unpaired", "other test set", "greater", "l3", "other", "avc_accuracy"),
    ]
    df = run_audit(claims, {"avc_dir": tmp_path}, N_BOOT, SEED, False).set_index("name")
    assert df.loc["above", "observed"] == pytest.approx(25.0)
    idx = bootstrap_indices(200, N_BOOT, SEED, "avc_accuracy/")
    lo, hi = np.percentile(100 * (correct[idx].mean(axis=1) - 0.5), [2.5, 97.5])
    assert (df.loc["above", "ci_low"], df.loc["above", "ci_high"]) == pytest.approx((lo, hi))
    assert df.loc["above", "verdict"] == "holds"
    assert df.loc["ave_l3", "observed"] == pytest.approx(0.5)  # one more pair right
    assert "unpaired" in df.loc["unpaired", "details"]
    assert df.loc["unpaired", "verdict"] == "inconclusive"


def test_pointing_against_the_centre_baseline(tmp_path: Path) -> None:
    ids = np.array([f"f{i}" for i in range(100)])
    hits = np.arange(100) < 80
    centre = np.arange(100) < 55
    _save(tmp_path / "avol" / "pointing.npz", frame_ids=ids, hits=hits, centre_hits=centre)
    _save(tmp_path / "avol_naive" / "pointing.npz", frame_ids=ids[::-1], hits=hits[::-1])
    claims = [
        Claim("beats_centre", "AVOL > centre", "above_centre", "avol", (), "pointing"),
        Claim("same", "naive", "greater", "avol", "avol_naive", "pointing"),
        Claim("naive_centre", "no centre hits", "above_centre", "avol_naive", (), "pointing"),
    ]
    df = run_audit(claims, {"localisation_dir": tmp_path}, N_BOOT, SEED, False).set_index("name")
    assert df.loc["beats_centre", "observed"] == pytest.approx(25.0)
    assert df.loc["beats_centre", "verdict"] == "holds"
    assert "80.0% vs centre baseline 55.0%" in df.loc["beats_centre", "details"]
    assert df.loc["same", "observed"] == pytest.approx(0.0)  # aligned by frame id
    assert df.loc["same", "ci_low"] == df.loc["same", "ci_high"] == pytest.approx(0.0)
    assert df.loc["naive_centre", "verdict"] == "not evaluated"


def test_nmi_recomputed_on_resampled_items(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    ids = np.array([f"v{i}" for i in range(150)])
    labels = np.repeat(np.array(["drum", "guitar", "dog"]), 50)
    good = np.repeat(np.arange(3), 50)
    good[rng.choice(150, 20, replace=False)] = rng.integers(0, 3, 20)
    rand = rng.integers(0, 64, 150)
    for model, clusters in (("trained", good), ("random_assignment", rand)):
        _save(tmp_path / model / "nmi.npz", item_ids=ids, labels=labels,
              clusters_vision=clusters, clusters_audio=clusters)  # fmt: skip
    claims = [
        Claim("nmi_v", "trained > random", "greater", "trained", "random_assignment", "nmi",
              "vision"),
    ]  # fmt: skip
    df = run_audit(claims, {"nmi_dir": tmp_path}, N_BOOT, SEED, False).set_index("name")
    want = normalized_mutual_info_score(labels, good) - normalized_mutual_info_score(labels, rand)
    assert df.loc["nmi_v", "observed"] == pytest.approx(100 * want)
    assert df.loc["nmi_v", "verdict"] == "holds"
    _save(tmp_path / "bad" / "nmi.npz", item_ids=ids, labels=labels[::-1], clusters_vision=rand)
    bad = [Claim("bad", "labels differ", "greater", "trained", "bad", "nmi", "vision")]
    with pytest.raises(ValueError, match="labels differ"):
        run_audit(bad, {"nmi_dir": tmp_path}, N_BOOT, SEED, False)


def test_fast_nmi_matches_sklearn() -> None:
    from soundsight.report.audit_metrics import _nmi_codes

    rng = np.random.default_rng(2)
    for n, ky, kc in ((50, 3, 7), (200, 10, 64), (30, 1, 1), (30, 1, 4)):
        y, c = rng.integers(0, ky, n), rng.integers(0, kc, n)
        _, y = np.unique(y, return_inverse=True)
        _, c = np.unique(c, return_inverse=True)
        assert _nmi_codes(y, c) == pytest.approx(normalized_mutual_info_score(y, c), abs=1e-12)


def test_clip_accuracy_mean_over_folds(tmp_path: Path) -> None:
    folds = {}
    for k, acc in enumerate([0.6, 0.7, 0.8, 0.9, 1.0], start=1):
        folds[f"correct_esc50_f{k}"] = np.arange(10) < 10 * acc
        folds[f"clip_ids_esc50_f{k}"] = np.array([f"{k}-{i}" for i in range(10)])
    _save(tmp_path / "l3" / "clips.npz", correct_dcase2013_f1=np.arange(20) < 18, **folds)
    untrained = {
        k: (v if k.startswith("clip") else v & (np.arange(10) < 5)) for k, v in folds.items()
    }
    _save(tmp_path / "l3_untrained" / "clips.npz", **untrained)
    claims = [
        Claim("esc", "trained > untrained", "greater", "l3", "l3_untrained", "clip_accuracy",
              "esc50"),
        Claim("dcase", "trained > untrained", "greater", "l3", "l3_untrained", "clip_accuracy",
              "dcase2013"),
        Claim("esc_above", "above 75", "above", "l3", (), "clip_accuracy", "esc50",
              options=(("threshold", "75"),)),
    ]  # fmt: skip
    df = run_audit(claims, {"clip_dir": tmp_path}, N_BOOT, SEED, False).set_index("name")
    assert df.loc["esc", "observed"] == pytest.approx(100 * (0.8 - 0.5))
    assert df.loc["esc", "verdict"] == "holds" and df.loc["esc", "n_images"] == 50
    assert df.loc["dcase", "verdict"] == "not evaluated"
    assert df.loc["esc_above", "observed"] == pytest.approx(5.0)
