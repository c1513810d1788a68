"""The L3-Net and Objects that Sound plugins: AVC tables from model folders (replicated beside
the printed numbers) and their audits (claims, power checks) on hand-made held-out pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from soundsight.papers.l3net.checks import avc_checks
from soundsight.papers.l3net.claims import l3net_claims
from soundsight.papers.l3net.tables import build_table1, table1
from soundsight.papers.objects_sound.claims import objects_sound_claims
from soundsight.papers.objects_sound.tables import AVC_MODELS, avc_table, build_avc_table
from soundsight.report.audit import run_audit

N_FRAMES = 200  # held-out frames: 2 pairs each
# fraction of pairs answered right per model (chosen so that every ordering is clear at n=400)
ACCURACY = {"l3": 0.75, "ave": 0.8, "l3_naive": 0.95, "ave_naive": 0.97, "avol": 0.79}


def fake_model(root: Path, name: str, accuracy: float) -> None:
    """A correspondence model folder: metrics.json, heldout.npz and avc.npz of 2 N pairs."""
    folder = root / name
    folder.mkdir(parents=True)
    n = 2 * N_FRAMES
    correct = np.zeros(n, dtype=bool)
    correct[: round(accuracy * n)] = True
    correct = np.random.default_rng(len(name)).permutation(correct)
    label = np.tile([1, 0], N_FRAMES)
    loss = np.where(correct, 0.2, 1.5)
    np.savez(folder / "heldout.npz", loss=loss, score=correct.astype(float),
             baseline=(label == 1).astype(float))  # fmt: skip
    ids = np.array([f"f{j:03d}:{s}" for j in range(N_FRAMES) for s in ("pos", "neg")])
    np.savez(folder / "avc.npz", pair_ids=ids, correct=correct, label=label)
    metrics = {"val": {"accuracy": float(correct.mean())}, "final_train_loss": float(loss.mean())}
    (folder / "metrics.json").write_text(json.dumps(metrics))


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    for name, accuracy in ACCURACY.items():
        fake_model(tmp_path, name, accuracy)
    return tmp_path


def test_l3net_table1_shows_the_world_l3_beside_the_printed_rows(models_dir, tmp_path):
    frame = build_table1(models_dir, ["l3"])
    ours = frame[frame["model"] == "l3"].set_index("column")
    assert ours.loc["Flickr-SoundNet", "replicated"] == pytest.approx(75.0)
    assert ours.loc["Flickr-SoundNet", "published"] == 78  # read from published_csv
    assert np.isnan(ours.loc["Kinetics-Sounds", "replicated"])
    assert ours.loc["Kinetics-Sounds", "published"] == 74
    only = frame[frame["source"] == "published only"]
    assert set(only["row"]) == {"Supervised direct", "Supervised pretraining"}
    table1().write(frame, tmp_path / "t.csv", tmp_path / "t.md")
    text = (tmp_path / "t.md").read_text()
    assert "| L3-Net | 75.0 (78.0) | — (74.0) |" in text and "Supervised direct †" in text


def test_objects_sound_table_has_both_networks_with_and_without_prevention(models_dir):
    frame = build_avc_table(models_dir, list(AVC_MODELS)).set_index("row")
    assert frame.loc["AVE-Net", ["replicated", "published"]].tolist() == pytest.approx([80, 81.9])
    assert frame.loc["L3-Net", "published"] == 80.8
    naive = frame.loc["AVE-Net (no shortcut prevention)"]
    assert (naive["model"], naive["replicated"], naive["published"]) == ("ave_naive", 97.0, 87.6)
    l3_naive = frame.loc["L3-Net (no shortcut prevention)"]
    assert l3_naive["source"] == "replicated only" and np.isnan(l3_naive["published"])
    assert set(frame.index[frame["source"] == "published only"]) == {"AVE+MF", "AVE+OF"}
    avol = frame.loc["AVOL-Net"]  # the paper only says it equals AVE-Net's
    assert avol["source"] == "replicated only" and avol["replicated"] == pytest.approx(79.0)
    assert "AVC comparison" in avc_table().markdown(frame.reset_index())


def test_the_audits_give_verdicts_on_the_replication_and_the_paper(models_dir):
    inputs = {"avc_dir": models_dir, "models_dir": models_dir}
    l3 = run_audit(l3net_claims(), inputs, n_boot=200, progress=False, checks=avc_checks(["l3"]))
    claim = l3[l3["role"] == "claim"].set_index("name").loc["l3_avc_above_chance"]
    assert claim["verdict"] == "holds" and claim["observed"] == pytest.approx(25.0)
    assert claim["paper_verdict"] == "holds" and claim["paper_difference"] == pytest.approx(28)
    checks = avc_checks(list(AVC_MODELS))
    ots = run_audit(objects_sound_claims(), inputs, n_boot=200, progress=False, checks=checks)
    verdicts = dict(zip(ots["name"], ots["verdict"], strict=True))
    assert verdicts["generalises_ave_naive"] == "holds"
    assert verdicts["naive_beats_prevention_ave"] == "holds"
    assert verdicts["naive_beats_prevention_l3"] == "holds"
    assert verdicts["ave_avc_above_chance"] == "holds"
    paper = dict(zip(ots["name"], ots["paper_verdict"], strict=True))
    assert paper["naive_beats_prevention_ave"] == "holds" and paper["ave_beats_l3_avc"] == "holds"
    assert paper["naive_beats_prevention_l3"] == "n/a"  # no printed naive L3-Net


def test_a_model_that_does_not_generalise_leaves_its_claims_without_power(models_dir, tmp_path):
    fake_model(tmp_path / "weak", "l3", 0.5)  # chance: the generalisation check fails
    weak = tmp_path / "weak"
    inputs = {"avc_dir": weak, "models_dir": weak}
    audit = run_audit(l3net_claims(), inputs, n_boot=100, progress=False, checks=avc_checks(["l3"]))
    rows = audit.set_index("name")
    assert rows.loc["generalises_l3", "verdict"] != "holds"
    assert rows.loc["l3_avc_above_chance", "verdict"] == "no power"
