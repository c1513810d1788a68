"""Power checks: evaluated like claims first; a claim they guard is 'no power' unless they hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from soundsight.papers.owens2018.checks import owens2018_checks
from soundsight.papers.student.checks import student_checks
from soundsight.report.audit import (
    Claim,
    Comparison,
    Metric,
    PowerCheck,
    audit_counts,
    audit_markdown,
    audit_summary,
    register_metric,
    run_audit,
)
from soundsight.report.audit_metrics import pretext_checks
from soundsight.train.tasks import get_task


@register_metric("power_toy")
class PowerToy(Metric):
    """Per-model per-item fractions in ``inputs["toy"]`` ({model: (N,)}), paired resamples."""

    dataset = "power_toy"
    needs_layer = False
    bounded = True

    def missing(self, claim: Claim) -> str | None:
        absent = [m for m in (*claim.left, *claim.right) if m not in self.inputs["toy"]]
        return f"no scores for {absent}" if absent else None

    def _idx(self, n: int) -> np.ndarray:
        return np.random.default_rng(self.seed).integers(0, n, (self.n_boot, n))

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        x = np.asarray(self.inputs["toy"][model], dtype=float)  # (N,)
        return float(x.mean()), x[self._idx(len(x))].mean(axis=1)

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        (oa, ba), (ob, bb) = self.value(a, ""), self.value(b, "")
        return Comparison(100 * (oa - ob), 100 * (ba - bb))


def _toy() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    base = rng.uniform(0.3, 0.5, size=300)
    return {"toy": {"sup": base + 0.2, "rand": base, "ssl": base + 0.1, "high": base + 0.55}}


def _claim(name: str, left: str, right: str) -> Claim:
    return Claim(name, name, "greater", left, right, "power_toy")


def test_a_guarded_claim_has_no_power_when_its_check_fails() -> None:
    weak = PowerCheck(_claim("rand_beats_sup", "rand", "sup"), ("power_toy",))
    df = run_audit([_claim("ssl_beats_rand", "ssl", "rand")], _toy(), 200, 0, False, [weak])
    df = df.set_index("name")
    assert df.loc["rand_beats_sup", "role"] == "check"
    assert df.loc["rand_beats_sup", "verdict"] == "fails"
    claim = df.loc["ssl_beats_rand"]
    assert claim["role"] == "claim" and claim["verdict"] == "no power"
    assert "rand_beats_sup (fails)" in claim["power"]
    assert "'holds'" in claim["reason"] and claim["ci_low"] > 0  # its interval is still shown


def test_a_passing_check_leaves_the_verdict_alone() -> None:
    good = PowerCheck(_claim("sup_beats_rand", "sup", "rand"), ("power_toy",))
    claims = [_claim("ssl_beats_rand", "ssl", "rand"), _claim("rand_beats_ssl", "rand", "ssl")]
    df = run_audit(claims, _toy(), 200, 0, False, [good]).set_index("name")
    assert df.loc["ssl_beats_rand", "verdict"] == "holds"
    assert df.loc["rand_beats_ssl", "verdict"] == "fails"  # a real failure stays a failure
    assert df.loc["ssl_beats_rand", "power"] == ""


def test_model_guards_touch_only_claims_that_mention_the_model() -> None:
    check = PowerCheck(_claim("rand_beats_sup", "rand", "sup"), (), ("ssl",))
    claims = [_claim("ssl_beats_rand", "ssl", "rand"), _claim("sup_beats_rand", "sup", "rand")]
    df = run_audit(claims, _toy(), 100, 0, False, [check]).set_index("name")
    assert df.loc["ssl_beats_rand", "verdict"] == "no power"
    assert df.loc["sup_beats_rand", "verdict"] == "holds"
    run_key = Claim("r", "", "greater", "ssl/all", "(sup/all - rand/all)", "power_toy")
    assert check.guards_claim(run_key)  # run keys and differences name their models too


@pytest.mark.parametrize(
    ("kind", "threshold", "verdict"),
    [("below", 90.0, "holds"), ("below", 60.0, "fails"), ("above", 30.0, "holds")],
)
def test_bound_kinds_compare_every_model_with_a_threshold(
    kind: str, threshold: float, verdict: str
) -> None:
    claim = Claim(
        "bound", "", kind, ("sup", "rand", "ssl"), (), "power_toy",
        options=(("threshold", str(threshold)),),
    )  # fmt: skip
    rec = run_audit([claim], _toy(), 200, 0, False).iloc[0]
    assert rec["verdict"] == verdict
    means = {m: 100 * np.mean(v) for m, v in _toy()["toy"].items() if m != "high"}
    worst = (
        min(threshold - v for v in means.values())
        if kind == "below"
        else min(v - threshold for v in means.values())
    )
    assert rec["observed"] == pytest.approx(worst)


def test_a_saturated_model_fails_the_ceiling() -> None:
    claim = Claim("ceil", "", "below", ("sup", "high"), (), "power_toy",
                  options=(("threshold", "90"),))  # fmt: skip
    assert run_audit([claim], _toy(), 100, 0, False).iloc[0]["verdict"] == "fails"


def test_bound_claims_need_a_numeric_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        Claim("x", "", "below", ("sup",), (), "power_toy")
    with pytest.raises(ValueError, match="not a number"):
        Claim("x", "", "below", ("sup",), (), "power_toy", options=(("threshold", "high"),))


def test_counts_and_markdown_separate_checks_from_claims() -> None:
    weak = PowerCheck(_claim("rand_beats_sup", "rand", "sup"), ("power_toy",))
    df = run_audit([_claim("ssl_beats_rand", "ssl", "rand")], _toy(), 50, 0, False, [weak])
    counts = audit_counts(df)
    assert counts["no power"] == 1 and counts["claims"] == 1
    assert (counts["checks"], counts["checks_passed"]) == (1, 0)
    assert "0 of 1 passed" in audit_summary(df)
    md = audit_markdown(df, "Toy")
    assert md.index("## Power checks") < md.index("## Claims")
    assert "failed checks: rand_beats_sup (fails)" in md
    old = df[df["role"] == "claim"].drop(columns=["role"])  # an audit from before the checks
    assert audit_counts(old)["checks"] == 0 and audit_counts(old)["claims"] == 1


def test_check_and_claim_names_must_differ() -> None:
    check = PowerCheck(_claim("same", "sup", "rand"))
    with pytest.raises(ValueError, match="repeated"):
        run_audit([_claim("same", "ssl", "rand")], _toy(), 10, 0, False, [check])


# ------------------------------------------------------------------------------------------------
# pretext generalisation from the training loop's held-out arrays
# ------------------------------------------------------------------------------------------------


def _model(root: Path, name: str, score: np.ndarray, loss: np.ndarray, train_loss: float) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    np.savez(folder / "heldout.npz", loss=loss, score=score, baseline=np.zeros_like(score))
    (folder / "metrics.json").write_text(json.dumps({"final_train_loss": train_loss}))


def test_pretext_checks_read_held_out_frames(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 400
    _model(tmp_path, "learns", (rng.random(n) < 0.3).astype(float), rng.normal(2.0, 0.1, n), 1.8)
    _model(
        tmp_path, "memorises", (rng.random(n) < 0.01).astype(float), rng.normal(4.9, 0.1, n), 0.7
    )
    checks = pretext_checks(["learns", "memorises"], margin=2.0, bound=1.0)
    df = run_audit([], {"models_dir": tmp_path}, 200, 0, False, checks).set_index("name")
    assert df.loc["generalises_learns", "verdict"] == "holds"
    assert df.loc["loss_gap_learns", "verdict"] == "holds"
    assert df.loc["generalises_memorises", "verdict"] == "fails"
    assert df.loc["loss_gap_memorises", "verdict"] == "fails"
    assert df.loc["loss_gap_memorises", "observed"] == pytest.approx(1.0 - (4.9 - 0.7), abs=0.05)
    gone = run_audit([], {"models_dir": tmp_path / "x"}, 10, 0, False, checks[:1])
    assert gone.iloc[0]["verdict"] == "not evaluated"


@pytest.mark.parametrize("task", ["softmax", "multilabel", "masked_multilabel"])
def test_task_items_agree_with_task_metrics(task: str) -> None:
    torch.manual_seed(0)
    logits = torch.randn(50, 6)
    if task == "softmax":
        targets, train = torch.randint(0, 6, (50,)), np.random.default_rng(0).integers(0, 6, 80)
    else:
        targets = (torch.rand(50, 6) < 0.3).float()
        train = (np.random.default_rng(0).random((80, 6)) < 0.3).astype(np.float32)
    t = get_task(task)
    items, metrics = t.items(logits, targets, train), t.metrics(logits, targets, train)
    assert {k: v.shape for k, v in items.items()} == {
        k: (50,) for k in ("loss", "score", "baseline")
    }
    assert items["loss"].mean() == pytest.approx(metrics["loss"], rel=1e-5)
    headline = metrics.get("top1", metrics.get("mean_bit_accuracy"))
    assert items["score"].mean() == pytest.approx(headline, rel=1e-5)
    majority = metrics.get("majority_accuracy", metrics.get("mean_majority_bit_accuracy"))
    assert items["baseline"].mean() == pytest.approx(majority, rel=1e-5)


def test_paper_checks_are_declared_for_every_probe_and_model() -> None:
    owens = {c.name for c in owens2018_checks(["sound_cluster", "object"])}
    assert {"supervised_beats_random_voc_pool5", "supervised_beats_random_sun_fc7"} <= owens
    assert {"unsaturated_voc_pool5", "generalises_sound_cluster", "loss_gap_object"} <= owens
    student = {c.name for c in student_checks(["sound_cluster", "random", "object"], ["x"])}
    assert {"supervised_beats_random_finetuned_all", "unsaturated_finetuned"} <= student
    assert {"generalises_x", "loss_gap_x"} <= student
    assert all(isinstance(c, PowerCheck) for c in owens2018_checks([]))
