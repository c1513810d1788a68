"""SoundNet's claims audit: keys read through clip sources, power checks guarding the claims."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soundsight.papers.soundnet.checks import soundnet_checks, teacher_checks
from soundsight.papers.soundnet.claims import audit_inputs, clip_sources, soundnet_claims
from soundsight.probes.clips import ClipProbeResult, clips_npz_arrays
from soundsight.report.audit import run_audit

N_BOOT, SEED = 200, 0


def _folds(bench: str, accuracy: float, n_folds: int = 5, n: int = 20) -> dict[str, np.ndarray]:
    """Fold results with ``accuracy`` of ``n`` clips right in each fold (the probes' format)."""
    results = []
    for k in range(n_folds):
        ids = np.array([f"f{k}c{i}" for i in range(n)])
        labels = np.array(["a", "b"] * (n // 2))
        right = np.arange(n) < round(accuracy * n)
        guess = np.where(right, labels, np.where(labels == "a", "b", "a"))
        scores = np.stack([guess == "a", guess == "b"], axis=1).astype(float)
        results.append(ClipProbeResult(ids, np.array(["a", "b"]), scores, labels, 0.01))
    return clips_npz_arrays(bench, results)


def _probe(root: Path, model: str, accuracy: dict[str, float]) -> None:
    (root / model).mkdir(parents=True, exist_ok=True)
    arrays = {}
    for layer, acc in accuracy.items():
        arrays |= _folds(f"esc50_{layer}", acc) | _folds(f"esc10_{layer}", acc)
    np.savez(root / model / "esc50_layers.npz", **arrays)


def _heldout(models: Path, model: str, gap: float) -> None:
    (models / model).mkdir(parents=True, exist_ok=True)
    n = 200
    rng = np.random.default_rng(0)
    score = (rng.random(n) < 0.5 + gap).astype(float)
    np.savez(models / model / "heldout.npz", loss=np.full(n, 1.0), score=score,
             baseline=np.full(n, 0.5))  # fmt: skip
    (models / model / "metrics.json").write_text('{"final_train_loss": 0.9}')


def test_clip_sources_name_each_keys_file_per_benchmark(tmp_path):
    got = clip_sources(tmp_path, ["soundnet8/pool5", "scratch_soundnet5/conv4", "mfcc_svm/mfcc",
                                  "t7/soundnet8/vision"])  # fmt: skip
    assert got["soundnet8/pool5"]["dcase2013"] == (
        tmp_path / "soundnet8" / "dcase2013_layers.npz", "dcase2013_pool5",
    )  # fmt: skip
    assert got["scratch_soundnet5/conv4"] == {
        b: (tmp_path / "scratch" / "soundnet5" / "esc50.npz", f"{b}_conv4")
        for b in ("esc50", "esc10")
    }  # fmt: skip
    assert got["mfcc_svm/mfcc"]["esc50"] == (tmp_path / "mfcc_svm" / "esc50.npz", "esc50_mfcc")
    assert got["t7/soundnet8/vision"] == {"t7": (tmp_path / "soundnet8" / "multimodal.npz",
                                                 "t7_vision")}  # fmt: skip


def test_audit_judges_the_lines_it_has_and_a_failed_check_means_no_power(tmp_path):
    probes, models = tmp_path / "probes", tmp_path / "models"
    _probe(probes, "soundnet8", {"pool5": 0.8, "conv4": 0.5, "conv5": 0.6, "conv6": 0.6,
                                 "conv7": 0.5, "conv8": 0.3})  # fmt: skip
    _probe(probes, "soundnet8_l2", {"pool5": 0.4})
    _probe(probes, "soundnet8_object", {"conv7": 0.4})
    _heldout(models, "soundnet8", 0.3)
    _heldout(models, "soundnet8_l2", 0.3)
    claims = soundnet_claims("pool5")
    inputs, present = audit_inputs(probes, models, claims)
    assert present["esc50"][:2] == ["soundnet8/pool5", "soundnet8_l2/pool5"]
    assert "soundnet8_object/pool5" not in present["esc50"]  # probed, not at pool5
    checks = soundnet_checks(["soundnet8", "soundnet8_l2"], {}, present)
    df = run_audit(claims, inputs, N_BOOT, SEED, False, checks).set_index("name")
    assert df.loc["kl_beats_l2", "verdict"] == "holds"
    assert df.loc["conv8_worst_esc50", "verdict"] == "holds"
    assert df.loc["mid_layer_best_esc50", "verdict"] == "holds"
    assert df.loc["kl_beats_l2", "paper_verdict"] == "holds"  # 72.9 vs 47.8 as printed
    assert df.loc["deeper_on_video", "verdict"] == "not evaluated"  # no soundnet5 here
    assert df.loc["unsaturated_esc50", "verdict"] == "holds"
    # a saturated probe: the claims on its benchmark lose their power, the others keep it
    _probe(probes, "soundnet8_l2", {"pool5": 1.0})
    df = run_audit(claims, inputs, N_BOOT, SEED, False, checks).set_index("name")
    assert df.loc["unsaturated_esc50", "verdict"] == "fails"
    assert df.loc["kl_beats_l2", "verdict"] == "no power"
    assert "unsaturated_esc50" in df.loc["kl_beats_l2", "power"]
    # a student that does not generalise: its claims have no power
    _probe(probes, "soundnet8_l2", {"pool5": 0.4})
    _heldout(models, "soundnet8_l2", -0.2)
    df = run_audit(claims, inputs, N_BOOT, SEED, False, checks).set_index("name")
    assert df.loc["generalises_soundnet8_l2", "verdict"] == "fails"
    assert df.loc["kl_beats_l2", "verdict"] == "no power"
    assert df.loc["conv8_worst_esc50", "verdict"] == "holds"  # soundnet8 alone: unguarded
    # a teacher from the user's local weights is named, unchecked, at the top of the report
    from soundsight.papers.soundnet.checks import unchecked_teacher_notes
    from soundsight.report.audit import audit_markdown

    notes = unchecked_teacher_notes({"places": ["soundnet8"]}, {"places": {"weights": "/w.pth"}})
    md = audit_markdown(df.reset_index(), "SoundNet", notes)
    assert "- teacher `places` is the user's local weights (/w.pth): not checked here" in md
    assert md.index("/w.pth") < md.index("## Power checks")


def test_a_teacher_check_guards_its_students_claims():
    checks = teacher_checks({"teacher_object": ["soundnet8", "soundnet5"], "lone": []})
    assert [c.name for c in checks] == [
        f"{check}_{teacher}" for teacher in ("teacher_object", "lone")
        for check in ("generalises", "loss_gap")
    ]  # fmt: skip
    assert [c.models for c in checks[:2]] == [("soundnet8", "soundnet5")] * 2
    assert all(c.guards == ("clip_accuracy",) for c in checks)
    assert checks[0].predicate.left == ("teacher_object",)  # the teacher's own held-out frames
    assert dict(checks[0].predicate.options) == {"margin": "2.0"}
    assert dict(checks[1].predicate.options) == {"bound": "1.0"}
    students = soundnet_checks(["soundnet8"], {}, {})
    assert [(c.name, c.models) for c in students] == [
        ("generalises_soundnet8", ("soundnet8",)), ("loss_gap_soundnet8", ("soundnet8",)),
    ]  # fmt: skip
