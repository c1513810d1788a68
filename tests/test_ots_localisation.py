"""Objects that Sound Sect. 4: AVOL-Net's maps of the localisation frames (own and mismatched
audio), pointing against the centre baseline, the table, the figure and the claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from soundsight.data.localisation import read_localisation, sounding_objects
from soundsight.eval.localisation import localise_frames, mismatch_partners
from soundsight.models import build_model
from soundsight.papers.objects_sound.checks import objects_sound_checks
from soundsight.papers.objects_sound.claims import localisation_claims
from soundsight.papers.objects_sound.figures import example_rows, localisation_figure
from soundsight.papers.objects_sound.tables import build_localisation_table
from soundsight.report.audit import run_audit
from soundsight.world import WorldConfig
from soundsight.world.localisation import generate_localisation

CFG = WorldConfig(loc_n_frames=8, loc_image_size=64, audio_rate=16000, loc_p_two_sources=0.5)
TINY = {"width": 0.0625, "input_size": 32, "audio_rate": 8000, "n_fft": 128}


@pytest.fixture(scope="module")
def loc_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("loc")
    generate_localisation(CFG, out)
    return out


@pytest.fixture(scope="module")
def localised(loc_set):
    frames, objects = read_localisation(loc_set)
    model = build_model("avol_net", seed=0, **TINY)
    return frames, objects, *localise_frames(model, frames, objects, seed=0, batch_size=3)


def test_mismatch_partners_pick_another_category_deterministically():
    cats = ["dog", "dog", "car", "bird", "car"]
    partner = mismatch_partners(cats, seed=0)
    assert all(cats[j] != cats[i] for i, j in enumerate(partner))
    np.testing.assert_array_equal(partner, mismatch_partners(cats, seed=0))
    assert (mismatch_partners(["dog", "dog"], 0) == -1).all()  # nothing else to mismatch with


def test_maps_of_every_frame_with_own_and_mismatched_audio(localised):
    frames, objects, summary, arrays = localised
    n = len(frames)
    assert summary["n_frames"] == n and arrays["maps"].shape[0] == n
    assert arrays["maps"].shape == arrays["maps_mismatched"].shape
    assert ((arrays["maps"] >= 0) & (arrays["maps"] <= 1)).all()  # sigmoid maps
    np.testing.assert_allclose(arrays["peak"], arrays["maps"].reshape(n, -1).max(axis=1))
    assert not np.allclose(arrays["maps"], arrays["maps_mismatched"])  # the audio matters
    # the mode is a pixel of the frame and a hit means it lies in the sounding object's box
    target = sounding_objects(frames, objects)
    y, x = arrays["modes"].T
    inside = (target["x0"] <= x) & (x < target["x1"]) & (target["y0"] <= y) & (y < target["y1"])
    np.testing.assert_array_equal(arrays["hits"], inside.to_numpy())
    assert summary["pointing_accuracy"] == pytest.approx(arrays["hits"].mean())
    assert set(summary["by_kind"]) <= {"one", "two"}
    assert arrays["frame_ids"].dtype.kind == "U" and arrays["kind"].dtype.kind == "U"


def test_localisation_table_and_figure(localised, loc_set, tmp_path):
    frames, objects, summary, arrays = localised
    (tmp_path / "avol").mkdir()
    (tmp_path / "avol" / "localisation.json").write_text(json.dumps(summary))
    np.savez(tmp_path / "avol" / "pointing.npz", **arrays)
    table = build_localisation_table(tmp_path).set_index("model")
    assert table.loc["avol", "replicated"] == pytest.approx(100 * summary["pointing_accuracy"])
    assert table.loc["centre", "replicated"] == pytest.approx(100 * summary["centre_accuracy"])
    assert table.loc["centre", "published"] == 57.2
    rows = example_rows(arrays, 4)
    kinds = arrays["kind"][rows]
    assert list(kinds) == sorted(kinds, key=lambda k: k != "two")  # two-source frames first
    n = localisation_figure(loc_set, tmp_path / "avol" / "pointing.npz", 4, tmp_path / "f.png")
    assert n == 4 and (tmp_path / "f.png").stat().st_size > 0 and (tmp_path / "f.pdf").exists()


def _pointing(tmp_path: Path, peak: np.ndarray, mismatched: np.ndarray) -> None:
    ids = np.array([f"f{i}" for i in range(len(peak))])
    hits = np.arange(len(peak)) % 4 != 0  # 75 %
    (tmp_path / "avol").mkdir(exist_ok=True)
    np.savez(
        tmp_path / "avol" / "pointing.npz", frame_ids=ids, hits=hits,
        centre_hits=np.zeros(len(peak), bool), peak=peak, peak_mismatched=mismatched,
    )  # fmt: skip


def test_localisation_claims_on_the_pointing_file(tmp_path):
    rng = np.random.default_rng(0)
    peak = rng.uniform(0.6, 0.9, 80)
    _pointing(tmp_path, peak, peak - 0.2)
    audit = run_audit(localisation_claims(), {"localisation_dir": tmp_path}, 200, 0, False)
    rows = audit.set_index("name")
    assert rows.loc["avol_beats_centre", "observed"] == pytest.approx(75.0)
    assert rows.loc["avol_beats_centre", "verdict"] == "holds"
    assert rows.loc["mismatched_audio_lowers_map", "observed"] == pytest.approx(20.0)
    assert rows.loc["mismatched_audio_lowers_map", "verdict"] == "holds"
    assert "with mismatched audio" in rows.loc["mismatched_audio_lowers_map", "details"]
    _pointing(tmp_path, peak, peak + 0.2)  # the other way round: the claim fails
    audit = run_audit(localisation_claims(), {"localisation_dir": tmp_path}, 200, 0, False)
    assert audit.set_index("name").loc["mismatched_audio_lowers_map", "verdict"] == "fails"


def test_avol_checks_guard_the_localisation_claims():
    (gen, gap) = objects_sound_checks(["avol"])
    assert gen.predicate.name == "generalises_avol" and gen.models == ("avol",)
    assert {"pointing", "map_peak"} <= set(gen.guards)
