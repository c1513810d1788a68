"""The student reproduction's plugin (tables, claims, figures) and the fine-tuning readers and
metric it uses, on synthetic fine-tuning result trees (fast, CPU)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from soundsight.papers.student import claims as student_claims
from soundsight.papers.student.figures import plot_fig3, plot_fig4, sweep_frame, texture_vs_mfcc
from soundsight.papers.student.tables import (
    MFCC_ROW,
    TEXTURE_ROW,
    alexnet,
    alexnet_mfcc,
    build_table1,
    build_table2,
    resnet18,
    table1,
    table2,
    transcription_slips,
)
from soundsight.probes.metrics import per_class_ap
from soundsight.report.audit import Claim, audit_markdown, bootstrap_indices, run_audit
from soundsight.report.audit_metrics import FinetuneMap
from soundsight.report.published import published_value
from soundsight.report.results import finetune_class_ap, finetune_map, finetune_values

N_IMAGES, CLASSES = 160, ("cat", "dog", "car", "bird")
N_BOOT, SEED, K, SWEEP = 200, 3, 30, (2, 30, 120)
TABLE1_MODELS = ["object", "random", "sound_cluster", alexnet(K)]


# ------------------------------------------------------------------------------------------------
# synthetic fine-tuning runs: <dir>/<model>/<mode>/{finetune.json, voc_scores.npz}
# ------------------------------------------------------------------------------------------------


def _labels() -> np.ndarray:
    """(N, C) VOC labels in {+1, -1, 0}: ~30 % positives, a few difficult (the same test set
    for every run, as the fine-tuning engine scores one VOC test split)."""
    rng = np.random.default_rng(0)
    y = np.where(rng.random((N_IMAGES, len(CLASSES))) < 0.3, 1, -1).astype(np.int8)
    y[rng.random(y.shape) < 0.05] = 0
    return y


def write_run(root: Path, model: str, mode: str, signal: float, seed: int = 1) -> float:
    """One run whose test logits separate the classes with strength ``signal``; returns its
    mAP (fraction) as the engine would store it."""
    y = _labels()
    rng = np.random.default_rng([seed, len(model), len(mode), int(100 * signal)])
    scores = (signal * y + rng.normal(size=y.shape)).astype(np.float32)  # (N, C)
    ap = per_class_ap(scores, y, "voc07")  # (C,)
    folder = root / model / mode
    folder.mkdir(parents=True)
    ids = np.array([f"{i:06d}" for i in range(N_IMAGES)])
    np.savez(folder / "voc_scores.npz", scores=scores, labels=y, classes=np.array(CLASSES),
             image_ids=ids)  # fmt: skip
    summary = {
        "mode": mode, "classes": list(CLASSES), "map11": float(ap.mean()),
        "ap11": dict(zip(CLASSES, ap.tolist(), strict=True)),
    }  # fmt: skip
    (folder / "finetune.json").write_text(json.dumps(summary))
    return float(ap.mean())


# signal per run: all > head everywhere; MFCC > texture; AlexNet > ResNet; a plateau past k=30
SIGNALS = {
    ("object", "head"): 2.0, ("object", "all"): 2.6,
    ("random", "head"): 0.2, ("random", "all"): 0.6,
    ("sound_cluster", "head"): 1.0, ("sound_cluster", "all"): 1.6,
    (alexnet(K), "head"): 1.0, (alexnet(K), "all"): 1.5,
    (alexnet_mfcc(K), "all"): 2.2,
    (alexnet(2), "all"): 0.3, (alexnet(120), "all"): 1.55,
    (resnet18(2), "all"): 0.2, (resnet18(K), "all"): 0.8, (resnet18(120), "all"): 0.85,
}  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], float]]:
    """A fine-tuning folder with every run the student's tables, figures and claims read."""
    root = tmp_path_factory.mktemp("finetune")
    maps = {key: write_run(root, *key, signal) for key, signal in SIGNALS.items()}
    return root, maps


# ------------------------------------------------------------------------------------------------
# readers and the metric plugin
# ------------------------------------------------------------------------------------------------


def test_finetune_readers_give_percent(runs, tmp_path):
    root, maps = runs
    folder = root / "random" / "all"
    assert finetune_map(folder / "finetune.json") == pytest.approx(100 * maps[("random", "all")])
    ap = finetune_class_ap(folder / "finetune.json")
    assert list(ap) == list(CLASSES) and all(0 <= v <= 100 for v in ap.values())
    values = finetune_values(root, {"Head": "head", "All": "all"})("object")
    assert values == pytest.approx({k: 100 * maps[("object", m)] for k, m in
                                    (("Head", "head"), ("All", "all"))})  # fmt: skip
    bad = tmp_path / "finetune.json"
    bad.write_text(json.dumps({"map11": 1.5, "ap11": {"cat": 1.5}}))
    with pytest.raises(ValueError, match="not a fraction"):
        finetune_map(bad)
    with pytest.raises(ValueError, match="not a fraction"):
        finetune_class_ap(bad)


def test_finetune_map_pairs_runs_and_differences_on_the_same_images(runs):
    root, maps = runs
    metric = FinetuneMap({"finetune_dir": root}, N_BOOT, SEED, progress=False)
    a, b = "object/all", "object/head"
    claim = Claim("c", "text", "greater", (a,), (b,), "finetune_map")
    assert metric.missing(claim) is None
    pair = metric.compare(a, b, claim)
    assert pair.observed == pytest.approx(
        100 * (maps[("object", "all")] - maps[("object", "head")])
    )
    assert pair.boot.shape == (N_BOOT,) and np.isfinite(pair.boot).all()
    # one resample by hand: the same indices for both runs (paired)
    idx = bootstrap_indices(N_IMAGES, N_BOOT, SEED, "voc")[0]
    y = _labels()[idx]
    keep = (y == 1).any(axis=0)

    def boot_map(run: str) -> float:
        s = np.load(root / run / "voc_scores.npz")["scores"][idx].astype(np.float64)
        return float(per_class_ap(s[:, keep], y[:, keep], "voc07").mean())

    assert pair.boot[0] == pytest.approx(100 * (boot_map(a) - boot_map(b)))
    # a difference key: (mid - lo) - (hi - mid)
    lo, mid, hi = (f"{alexnet(k)}/all" for k in SWEEP)
    gain = metric.compare(f"({mid} - {lo})", f"{hi} - {mid}", claim)  # parentheses optional
    m = {k: maps[(alexnet(k), "all")] for k in SWEEP}
    assert gain.observed == pytest.approx(100 * ((m[30] - m[2]) - (m[120] - m[30])))
    missing = Claim("m", "t", "greater", ("nope/all",), (a,), "finetune_map")
    assert "run 'nope/all' has no" in metric.missing(missing)
    assert "no fine-tuning folder" in FinetuneMap({}, 5, 0, False).missing(missing)


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------


def test_table1_puts_replicated_beside_published_rows(runs, tmp_path):
    root, maps = runs
    frame = build_table1(root, K, TABLE1_MODELS)
    ours = frame[frame["model"] == alexnet(K)].set_index("column")
    assert ours.loc["All", "replicated"] == pytest.approx(100 * maps[(alexnet(K), "all")])
    assert ours.loc["Head", "published"] == published_value("student", "table1", "Our model",
                                                            "Head")  # fmt: skip
    obj = frame[frame["model"] == "object"]
    assert set(obj["published_row"]) == {"Imagenet(pretrained) [17]"}
    only = frame[frame["source"] == "published only"]
    assert "Pathak et al. [27]" in set(only["row"]) and only["replicated"].isna().all()
    assert set(frame["row"]) >= {"Noroozi et al. [23]", "Our model", "Random [16]"}
    table1(K).write(frame, tmp_path / "t1.csv", tmp_path / "t1.md")
    md = (tmp_path / "t1.md").read_text()
    assert "Object (supervised, world) * (paper: Imagenet(pretrained) [17])" in md
    assert "| Pathak et al. [27] † |" in md and "| Our model |" in md
    assert pd.read_csv(tmp_path / "t1.csv")["column"].isin(["Head", "All"]).all()


def test_table2_keeps_the_copied_rows_and_names_the_transcription_slips(runs, tmp_path):
    root, maps = runs
    slips = {(s.row, s.column, s.student, s.owens) for s in transcription_slips()}
    assert slips == {
        ("Owens et al. [24]", "hrs", 71.0, 73.0),
        ("Colorization [38]", "cow", 20.0, 30.0),
        ("k-means [16]", "bt", 69.0, 49.0),
    }
    frame = build_table2(root, K)
    rep = frame[frame["block"] == "replicated"]
    assert list(dict.fromkeys(rep["row"])) == [TEXTURE_ROW, MFCC_ROW]
    mean = rep[(rep["row"] == MFCC_ROW) & (rep["column"] == "mAP")]["value"].iloc[0]
    assert mean == pytest.approx(100 * maps[(alexnet_mfcc(K), "all")])
    pub = frame[frame["block"] == "published"]
    assert (
        pub[(pub["row"] == "Owens et al. [24]") & (pub["column"] == "hrs")]["value"].iloc[0] == 71
    )
    assert set(pub[pub["row"] == MFCC_ROW]["model"]) == {alexnet_mfcc(K)}
    table2().write(frame, tmp_path / "t2.csv", tmp_path / "t2.md")
    md = (tmp_path / "t2.md").read_text()
    assert "Owens et al. [24] `hrs` 71 (Owens' Table 4: 73)" in md
    assert "k-means [16] `bt` 69 (Owens' Table 4: 49)" in md


# ------------------------------------------------------------------------------------------------
# claims
# ------------------------------------------------------------------------------------------------


def test_claims_are_declared_over_the_sweep_points():
    claims = student_claims.student_claims(K, [120, 2, 30, 60], TABLE1_MODELS)
    names = [c.name for c in claims]
    assert names[:4] == [f"all_beats_head_{m}" for m in TABLE1_MODELS]
    assert student_claims.sweep_points([120, 2, 30, 60]) == (2, 60, 120)  # the upper median
    flat = {c.name: c for c in claims}["gain_flattens_past_k60_alexnet"]
    assert flat.left == (f"({alexnet(60)}/all - {alexnet(2)}/all)",)
    assert flat.right == (f"({alexnet(120)}/all - {alexnet(60)}/all)",)
    with pytest.raises(ValueError, match="at least three"):
        student_claims.sweep_points([2, 30])


def test_audit_verdicts_follow_the_synthetic_runs(runs, tmp_path):
    root, _ = runs
    claims = student_claims.student_claims(K, SWEEP, TABLE1_MODELS)
    audit = run_audit(claims, {"finetune_dir": root}, N_BOOT, SEED, progress=False)
    verdicts = dict(zip(audit["name"], audit["verdict"], strict=True))
    for model in ("object", "sound_cluster", alexnet(K)):
        assert verdicts[f"all_beats_head_{model}"] == "holds"
    assert verdicts["mfcc_beats_texture"] == "holds"
    assert verdicts["alexnet_beats_resnet18"] == "holds"
    assert verdicts["few_clusters_worse_alexnet"] == "holds"
    assert verdicts["gain_flattens_past_k30_alexnet"] == "holds"
    assert set(audit["dataset"]) == {"voc_finetune"}
    paper = dict(zip(audit["name"], audit["paper_verdict"], strict=True))
    assert paper[f"all_beats_head_{alexnet(K)}"] == "holds"  # 55.1 vs 52.8
    assert paper["mfcc_beats_texture"] == "holds"  # row means 53.85 vs 53.5
    mfcc = audit[audit["name"] == "mfcc_beats_texture"].iloc[0]
    assert mfcc["paper_difference"] == pytest.approx(0.35, abs=1e-6)
    assert paper["alexnet_beats_resnet18"] == "n/a"  # Fig. 3 prints no numbers
    md = audit_markdown(audit, student_claims.AUDIT_TITLE)
    assert "VOC fine-tuned" in md and "fine-tuned VOC mAP" in md


def test_a_missing_run_leaves_its_claims_not_evaluated(runs, tmp_path):
    root, _ = runs
    claims = student_claims.student_claims(K, (2, 30, 240), ["object"])
    audit = run_audit(claims, {"finetune_dir": root}, 20, SEED, progress=False).set_index("name")
    assert audit.loc["few_clusters_worse_alexnet", "verdict"] == "holds"
    flat = audit.loc["gain_flattens_past_k30_alexnet"]
    assert flat["verdict"] == "not evaluated" and alexnet(240) in flat["reason"]
    assert math.isnan(flat["observed"])


# ------------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------------


def test_figures_read_the_runs_and_write_png_and_pdf(runs, tmp_path):
    root, maps = runs
    sweep = sweep_frame(root, [120, 2, 30])
    assert list(sweep["k"]) == [2, 30, 120, 2, 30, 120]
    assert list(sweep["architecture"]) == ["alexnet"] * 3 + ["resnet18"] * 3
    assert sweep["map"].iloc[4] == pytest.approx(100 * maps[(resnet18(30), "all")])
    png, pdf = plot_fig3(sweep, tmp_path / "fig3.png")
    assert png.stat().st_size > 0 and pdf.is_file()
    classes = texture_vs_mfcc(root, K)
    assert list(classes["class"]) == list(CLASSES)
    assert classes["mfcc"].mean() == pytest.approx(100 * maps[(alexnet_mfcc(K), "all")])
    png, pdf = plot_fig4(classes, tmp_path / "fig4.png")
    assert png.stat().st_size > 0 and pdf.is_file()
