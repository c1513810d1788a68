"""Owens Table 2 artifact and claims audit on synthetic probe outputs (fast)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from soundsight.papers.owens2018.claims import CLAIMS, owens2018_claims, table2_ref
from soundsight.papers.owens2018.tables import (
    COLUMNS,
    LAYERS,
    TABLE2,
    TABLE2_COLUMNS,
    TABLE2_ROWS,
    build_table2,
)
from soundsight.probes.metrics import mean_ap
from soundsight.report.audit import (
    AUDIT_COLUMNS,
    Claim,
    PublishedRef,
    audit_markdown,
    bootstrap_indices,
    published_check,
    run_audit,
    verdict_of,
    write_audit,
)
from soundsight.report.published import load_published, published_value

N_IMAGES, CLASSES, SUN_SIZES = 240, ("cat", "dog", "car"), (90, 90, 90)
N_BOOT, SEED = 200, 7
A, B, C, D = "sound_binary", "sound_spectrum", "texton_cnn", "sound_cluster"  # roles in the fakes
VOC, SUN, CLUSTER = "voc_map", "sun_accuracy", "cluster_accuracy"  # metric plugins


# ------------------------------------------------------------------------------------------------
# synthetic probe outputs
# ------------------------------------------------------------------------------------------------


def _labels(rng: np.random.Generator) -> np.ndarray:
    """(N, C) labels in {+1, -1, 0}: ~30 % positives, a few difficult."""
    y = np.where(rng.random((N_IMAGES, len(CLASSES))) < 0.3, 1, -1).astype(np.int8)
    y[rng.random(y.shape) < 0.05] = 0
    return y


def _voc_scores(rng: np.random.Generator, y: np.ndarray, signal: float) -> np.ndarray:
    """Decision values (N, C): label times ``signal`` plus unit noise."""
    return (signal * y + rng.normal(size=y.shape)).astype(np.float32)


def _sun_correct(rng: np.random.Generator, p: float) -> list[np.ndarray]:
    """Per-partition correctness (Nk,) with accuracy ~p."""
    return [rng.random(n) < p for n in SUN_SIZES]


def _write_model(
    root: Path, model: str, y: np.ndarray, scores: np.ndarray, sun: list[np.ndarray], order=None
) -> None:
    """voc.json / voc_scores.npz / sun.json / sun_predictions.npz for one fake model."""
    folder = root / model
    folder.mkdir(parents=True)
    ids = np.array([f"{i:06d}" for i in range(N_IMAGES)])
    order = np.arange(N_IMAGES) if order is None else order
    classes = np.array(CLASSES)
    voc_arrays = {"classes": classes, "image_ids": ids[order], "labels": y[order]}
    voc_layers, sun_layers, sun_arrays = {}, {}, {}
    for k, layer in enumerate(LAYERS):
        s = scores + np.float32(0.01 * k)  # (N, C) same ranking at every layer
        voc_arrays[f"scores_{layer}"] = s[order]
        voc_layers[layer] = {"map11": mean_ap(s, y), "map_area": mean_ap(s, y, "area")}
        accs = [float(c.mean()) for c in sun]
        sun_layers[layer] = {"accuracy": accs, "mean_accuracy": float(np.mean(accs))}
        for p, correct in enumerate(sun, start=1):
            sun_arrays[f"correct_{layer}_p{p}"] = correct
    np.savez(folder / "voc_scores.npz", **voc_arrays)
    np.savez(folder / "sun_predictions.npz", **sun_arrays)
    (folder / "voc.json").write_text(json.dumps({"model": model, "layers": voc_layers}))
    (folder / "sun.json").write_text(json.dumps({"layers": sun_layers}))


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clearly beats B; C has B's signal with fresh noise (C ~ B); D = B rescaled (C == B).

    The models are stored under Table 2 keys so that the published rows line up:
    A = sound_binary, B = sound_spectrum, C = texton_cnn, D = sound_cluster. D's VOC scores are
    a monotone transform of B's (identical AP on every resample) and its SUN correctness is B's.
    Also "random" (a replicated-only model) for the table.
    """
    root = tmp_path_factory.mktemp("probes")
    rng = np.random.default_rng(0)
    y = _labels(rng)
    b_scores, b_sun = _voc_scores(rng, y, 0.6), _sun_correct(rng, 0.3)
    _write_model(root, A, y, _voc_scores(rng, y, 3.0), _sun_correct(rng, 0.7))
    _write_model(root, B, y, b_scores, b_sun)
    _write_model(root, C, y, _voc_scores(rng, y, 0.6), _sun_correct(rng, 0.3))
    shuffled = rng.permutation(N_IMAGES)  # stored in another image order: must be re-aligned
    _write_model(root, D, y, 3 * b_scores + 1, b_sun, order=shuffled)
    _write_model(root, "random", y, _voc_scores(rng, y, 0.1), _sun_correct(rng, 0.05))
    return root


@pytest.fixture(scope="module")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cluster predictions: ~30 % correct, majority label ~10 %, chance 1/30."""
    root = tmp_path_factory.mktemp("cluster")
    rng = np.random.default_rng(1)
    correct, majority = rng.random(500) < 0.3, rng.random(500) < 0.1
    summary = {"k": 30, "accuracy": float(correct.mean()), "chance": 1 / 30}
    summary |= {"majority": float(majority.mean()), "n_test": 500}
    (root / "cluster_accuracy.json").write_text(json.dumps(summary))
    np.savez(root / "cluster_predictions.npz", correct=correct, majority_correct=majority)
    return root


# ------------------------------------------------------------------------------------------------
# Table 2
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(probe_dir: Path) -> pd.DataFrame:
    return build_table2(probe_dir, [A, B, "random"])


def test_table2_columns_and_sources(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == TABLE2_COLUMNS
    assert set(table["column"]) == set(COLUMNS)
    by_model = table.groupby("model")["source"].unique()
    assert list(by_model[A]) == ["replicated+published"]
    assert list(by_model["random"]) == ["replicated only"]
    assert table.duplicated(["row", "column"]).sum() == 0


def test_table2_replicated_values_are_percent_of_probe_outputs(
    table: pd.DataFrame, probe_dir: Path
) -> None:
    stored = json.loads((probe_dir / A / "voc.json").read_text())["layers"]["pool5"]["map11"]
    cell = table[(table["model"] == A) & (table["column"] == "VOC/pool5")]
    assert cell["replicated"].iloc[0] == pytest.approx(100 * stored)
    sun = json.loads((probe_dir / A / "sun.json").read_text())["layers"]["fc7"]["mean_accuracy"]
    cell = table[(table["model"] == A) & (table["column"] == "SUN/fc7")]
    assert cell["replicated"].iloc[0] == pytest.approx(100 * sun)


def test_table2_published_values_come_from_the_csv(table: pd.DataFrame) -> None:
    both = table[table["source"] == "replicated+published"]
    assert len(both) == 2 * len(COLUMNS)
    for rec in both.itertuples():
        expected = published_value("owens2018", "table2", rec.published_row, rec.column)
        assert rec.published == expected
    rnd = table[table["model"] == "random"]
    assert rnd["published"].isna().all() and rnd["replicated"].notna().all()


def test_table2_published_only_rows(table: pd.DataFrame) -> None:
    pub = load_published("owens2018", "table2")
    mapped = {TABLE2_ROWS[m].published_row for m in (A, B)}
    expected_rows = set(pub["row"]) - mapped
    only = table[table["source"] == "published only"]
    assert set(only["row"]) == expected_rows
    assert "Colorization (Zhang et al 2016)" in expected_rows  # a method never re-implemented
    assert only["replicated"].isna().all()
    assert len(only) == int(pub["row"].isin(expected_rows).sum())  # '-' cells stay absent
    patch = only[only["row"] == "Patch pos. (Doersch et al 2015)"]
    assert set(patch["column"]) == {"VOC/max5", "VOC/pool5", "SUN/max5", "SUN/pool5"}


def test_table2_markdown_renders(table: pd.DataFrame, tmp_path: Path) -> None:
    md = TABLE2.markdown(table)
    rep = table[(table["model"] == A) & (table["column"] == "VOC/pool5")].iloc[0]
    assert f"{rep['replicated']:.1f} ({rep['published']:.1f})" in md
    assert "| Method | VOC max5 | VOC pool5 |" in md
    assert "embedded world" in md and "CaffeNet" in md
    assert "| Colorization (Zhang et al 2016) † | — (" in md
    assert "| Random init. ‡ |" in md
    assert "Row analogues" in md
    n_rows = table["row"].nunique()
    assert sum(line.startswith("| ") for line in md.splitlines()) == n_rows + 1  # + header
    TABLE2.write(table, tmp_path / "t2.csv", tmp_path / "t2.md")
    back = pd.read_csv(tmp_path / "t2.csv")
    assert len(back) == len(table) and (tmp_path / "t2.md").read_text() == md


def test_table2_analogue_rows_are_marked(probe_dir: Path, tmp_path: Path) -> None:
    # the supervised world model sits on the ImageNet row, labelled as an analogue
    root = tmp_path / "probes"
    root.mkdir()
    (root / "object").symlink_to(probe_dir / A, target_is_directory=True)
    df = build_table2(root, ["object"])
    row = df[df["model"] == "object"]
    assert set(row["published_row"]) == {"ImageNet (Krizhevsky et al 2012)"}
    assert "Object (supervised, world) * (paper: ImageNet" in TABLE2.markdown(df)


def test_table2_bad_inputs(probe_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown Table 2 models"):
        build_table2(probe_dir, ["alexnet"])
    with pytest.raises(FileNotFoundError, match="kmeans"):
        build_table2(probe_dir, ["kmeans"])
    bad = tmp_path / "sound_binary"
    bad.mkdir()
    (bad / "voc.json").write_text(json.dumps({"layers": {"pool5": {"map11": 0.5}}}))
    (bad / "sun.json").write_text(json.dumps({"layers": {}}))
    with pytest.raises(KeyError, match="max5"):
        build_table2(tmp_path, ["sound_binary"])


# ------------------------------------------------------------------------------------------------
# audit
# ------------------------------------------------------------------------------------------------


def _claim(name: str, left: str, right: str, dataset: str = "voc") -> Claim:
    metric = {"voc": VOC, "sun": SUN}[dataset]
    return Claim(name, f"{left} > {right}", "greater", left, right, metric, "pool5")


@pytest.fixture(scope="module")
def audit(probe_dir: Path, cluster_dir: Path) -> pd.DataFrame:
    claims = []
    for d in ("voc", "sun"):
        claims += [
            _claim(f"a_gt_b_{d}", A, B, d),
            _claim(f"b_gt_a_{d}", B, A, d),
            _claim(f"c_gt_b_{d}", C, B, d),
            _claim(f"d_gt_b_{d}", D, B, d),
        ]
    claims += [
        _claim("missing_model", A, "kmeans"),
        Claim("missing_layer", "", "greater", A, B, SUN, "conv9"),
        Claim("a_and_d_gt_b", "", "each_greater", (A, D), B, VOC, "pool5"),
        Claim("a_gt_all", "", "greater_than_all", A, (B, C), VOC, "pool5"),
        Claim("chance", "", "above_chance", "sound_cluster", (), CLUSTER),
        Claim("majority", "", "above_majority", "sound_cluster", (), CLUSTER),
    ]
    inputs = {"probe_dir": probe_dir, "cluster_dir": cluster_dir}
    return run_audit(claims, inputs, n_boot=N_BOOT, seed=SEED, progress=False)


def _row(df: pd.DataFrame, name: str) -> pd.Series:
    return df.set_index("name").loc[name]


@pytest.mark.parametrize("d", ["voc", "sun"])
def test_audit_verdicts(audit: pd.DataFrame, d: str) -> None:
    assert tuple(audit.columns) == AUDIT_COLUMNS
    assert _row(audit, f"a_gt_b_{d}")["verdict"] == "holds"
    assert _row(audit, f"b_gt_a_{d}")["verdict"] == "fails"
    c = _row(audit, f"c_gt_b_{d}")
    assert c["verdict"] == "inconclusive"
    assert c["ci_low"] < 0 < c["ci_high"]
    a, b = _row(audit, f"a_gt_b_{d}"), _row(audit, f"b_gt_a_{d}")
    assert a["observed"] == pytest.approx(-b["observed"])  # same data, sides swapped
    assert a["ci_low"] > 0 and a["n_boot"] == N_BOOT and a["seed"] == SEED


def test_audit_observed_voc_difference_matches_probe_summaries(
    audit: pd.DataFrame, probe_dir: Path
) -> None:
    def map11(model: str) -> float:
        return json.loads((probe_dir / model / "voc.json").read_text())["layers"]["pool5"]["map11"]

    # float32 storage of the scores may move AP by ties only; the points differ by ~0
    expected = 100 * (map11(A) - map11(B))
    assert _row(audit, "a_gt_b_voc")["observed"] == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("d", ["voc", "sun"])
def test_audit_bootstrap_is_paired(audit: pd.DataFrame, d: str) -> None:
    # D equals B on every image (VOC: monotone transform of B's scores, stored shuffled), so a
    # paired bootstrap gives exactly zero difference on every resample; an unpaired one would not
    rec = _row(audit, f"d_gt_b_{d}")
    assert rec["observed"] == pytest.approx(0.0, abs=1e-12)
    assert rec["ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert rec["ci_high"] == pytest.approx(0.0, abs=1e-12)
    assert rec["verdict"] == "inconclusive"


def test_audit_missing_model_not_evaluated(audit: pd.DataFrame) -> None:
    rec = _row(audit, "missing_model")
    assert rec["verdict"] == "not evaluated"
    assert "kmeans" in rec["reason"] and math.isnan(rec["observed"])
    rec = _row(audit, "missing_layer")
    assert rec["verdict"] == "not evaluated" and "conv9" in rec["reason"]


def test_audit_compound_claims_use_the_worst_pair(audit: pd.DataFrame) -> None:
    both = _row(audit, "a_and_d_gt_b")  # A > B holds but D == B: the conjunction cannot hold
    assert both["verdict"] == "inconclusive"
    assert both["observed"] == pytest.approx(0.0, abs=1e-12)
    assert f"{A} − {B}" in both["details"] and f"{D} − {B}" in both["details"]
    every = _row(audit, "a_gt_all")
    assert every["verdict"] == "holds"
    assert every["observed"] <= _row(audit, "a_gt_b_voc")["observed"] + 1e-12


def test_audit_cluster_claims(audit: pd.DataFrame, cluster_dir: Path) -> None:
    data = np.load(cluster_dir / "cluster_predictions.npz")
    acc, maj = data["correct"].mean(), data["majority_correct"].mean()
    chance = _row(audit, "chance")
    assert chance["verdict"] == "holds"
    assert chance["observed"] == pytest.approx(100 * (acc - 1 / 30))
    majority = _row(audit, "majority")
    assert majority["verdict"] == "holds"
    assert majority["observed"] == pytest.approx(100 * (acc - maj))


def test_audit_cluster_missing_folder(probe_dir: Path) -> None:
    claim = Claim("chance", "", "above_chance", "sound_cluster", (), CLUSTER)
    df = run_audit([claim], {"probe_dir": probe_dir}, n_boot=10, seed=0, progress=False)
    assert df["verdict"].iloc[0] == "not evaluated" and df["reason"].iloc[0]


def test_audit_is_deterministic_under_the_seed(probe_dir: Path, cluster_dir: Path) -> None:
    claims = [_claim("c_gt_b", C, B), _claim("c_gt_b_sun", C, B, "sun")]
    run = [
        run_audit(claims, {"probe_dir": probe_dir}, n_boot=50, seed=s, progress=False)
        for s in (3, 3, 4)
    ]
    pd.testing.assert_frame_equal(run[0], run[1])
    assert not np.allclose(run[0]["ci_low"], run[2]["ci_low"])
    first = bootstrap_indices(20, 5, 3, "voc")
    assert first.shape == (5, 20) and first.max() < 20
    assert np.array_equal(first, bootstrap_indices(20, 5, 3, "voc"))
    assert not np.array_equal(first, bootstrap_indices(20, 5, 3, "sun/p1"))


def test_audit_rejects_unpaired_test_sets(probe_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "texton_cnn"
    other.mkdir()
    data = dict(np.load(probe_dir / C / "voc_scores.npz"))
    data["image_ids"] = np.array([f"x{i}" for i in range(N_IMAGES)])
    np.savez(other / "voc_scores.npz", **data)
    (tmp_path / A).symlink_to(probe_dir / A, target_is_directory=True)
    with pytest.raises(ValueError, match="unpaired"):
        run_audit([_claim("x", A, C)], {"probe_dir": tmp_path}, n_boot=5, seed=0, progress=False)


def test_claim_validation() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        Claim("x", "", "beats", A, B, VOC, "pool5")
    with pytest.raises(ValueError, match="layer"):
        Claim("x", "", "greater", A, B, VOC)
    with pytest.raises(ValueError, match="both sides"):
        Claim("x", "", "greater_than_all", A, (A, B), VOC, "pool5")
    assert verdict_of(0.1, 2.0) == "holds" and verdict_of(-2, -0.1) == "fails"
    assert verdict_of(-0.1, 0.1) == "inconclusive"


def test_published_predicate_from_the_csv() -> None:
    ref = table2_ref((A,), (B,), "voc", "pool5")
    verdict, diff, details = published_check(ref)
    expected = published_value("owens2018", "table2", "Sound (binary)", "VOC/pool5")
    expected -= published_value("owens2018", "table2", "Sound (spect.)", "VOC/pool5")
    assert expected > 0 and verdict == "holds" and diff == pytest.approx(expected)
    assert "Sound (binary)" in details
    assert published_check(table2_ref((B,), (A,), "voc", "pool5"))[0] == "fails"
    assert published_check(table2_ref((A,), ("random",), "voc", "pool5"))[0] == "n/a"
    missing = PublishedRef(
        "owens2018", "table2", "VOC/fc6", ("Patch pos. (Doersch et al 2015)",), ("Sound (binary)",)
    )
    assert published_check(missing)[0] == "n/a"  # the paper printed '-'


def test_owens_claims_all_reported(probe_dir: Path, cluster_dir: Path, tmp_path: Path) -> None:
    claims = owens2018_claims()
    assert [c.name for c in claims] == [c.name for c in CLAIMS]
    assert {"textures_beat_spectrum_voc_pool5", "cluster_above_majority"} <= {
        c.name for c in claims
    }
    object_layers = {c.layer for c in claims if c.name.startswith("object_beats_")}
    assert object_layers == set(LAYERS)
    inputs = {"probe_dir": probe_dir, "cluster_dir": cluster_dir}
    df = run_audit(claims, inputs, n_boot=30, seed=0, progress=False)
    assert len(df) == len(claims)  # nothing dropped
    skipped = df[df["verdict"] == "not evaluated"]
    present = {d.name for d in probe_dir.iterdir() if d.is_dir()}
    assert set(skipped["name"]) == {
        c.name for c in claims if c.dataset != "cluster" and not set(c.left + c.right) <= present
    }
    assert skipped["reason"].str.len().gt(0).all()
    tex = _row(df, "textures_beat_spectrum_voc_pool5")
    assert tex["paper_verdict"] == "holds"  # both texture rows are above the spectrum row
    assert tex["verdict"] == "inconclusive"  # our fake D (cluster) equals B (spectrum)
    assert (df["paper_verdict"].isin(["holds", "fails", "n/a"])).all()
    md = audit_markdown(df, "Owens et al. 2018 claims")
    n = df["verdict"].value_counts()
    summary = f"{n.get('holds', 0)} held, {n.get('fails', 0)} failed"
    assert summary in md and f"{len(skipped)} not evaluated" in md
    assert "paired bootstrap over test images, B = 30 resamples, seed 0" in md
    assert sum(line.startswith("| `") for line in md.splitlines()) == len(df)
    write_audit(df, tmp_path / "audit.csv", tmp_path / "audit.md", "t")
    assert len(pd.read_csv(tmp_path / "audit.csv")) == len(df)
