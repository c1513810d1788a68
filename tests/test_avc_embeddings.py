"""L3-Net Table 4, unit preference and Fig. 10: clip embeddings, their clusters, the tables,
the figure and the NMI claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from avc_corpus import write_tone_video
from torch import nn

from soundsight.data.video import write_mp4
from soundsight.eval.clusters import embedding_clusters, random_assignment_clusters
from soundsight.models import build_model
from soundsight.papers.l3net.claims import l3net_claims, preference_claims, table4_claims
from soundsight.papers.l3net.figures import fig10, fig10_points
from soundsight.papers.l3net.tables import (
    L3,
    L3_UNTRAINED,
    RANDOM_ASSIGNMENT,
    build_table4,
    build_units_table,
)
from soundsight.probes.avc_embeddings import (
    clip_embeddings,
    fit_length,
    read_clip_inputs,
    stream_embeddings,
)
from soundsight.report.audit import run_audit

RATE = 8000
TINY = {"width": 0.0625, "input_size": 32, "audio_rate": RATE, "n_fft": 128}
FPS = 10


def _l3(seed: int = 0) -> nn.Module:
    return build_model("l3_net", seed=seed, **TINY).eval()


@pytest.fixture(scope="module")
def clip_manifest(tmp_path_factory) -> Path:
    """Four good clips of two labels, one two-label row, one missing file and one silent
    (video-only) file."""
    root = tmp_path_factory.mktemp("kinetics")
    rows = []
    for i, (label, colour, tone) in enumerate(
        [("dog", 0, 300.0), ("dog", 0, 320.0), ("car", 2, 900.0), ("car", 2, 950.0)]
    ):
        write_tone_video(root / f"c{i}.mp4", colour, tone)
        rows.append((f"c{i}.mp4", 0.0, 2.0, label, f"c{i}"))
    rows.append(("c0.mp4", 0.0, 2.0, "dog;car", "two_labels"))
    rows.append(("gone.mp4", 0.0, 2.0, "dog", "gone"))
    write_mp4(root / "silent.mp4", np.zeros((20, 48, 64, 3), np.uint8), FPS, None)
    rows.append(("silent.mp4", 0.0, 2.0, "car", "silent"))
    manifest = root / "kinetics_sounds.csv"
    pd.DataFrame(rows, columns=["path", "start", "end", "labels", "video_id"]).to_csv(
        manifest, index=False
    )
    return manifest


def test_fit_length_pads_and_cuts():
    np.testing.assert_array_equal(fit_length(np.ones(3, np.float32), 5), [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(fit_length(np.arange(6, dtype=np.float32), 4), [0, 1, 2, 3])


def test_clip_inputs_keep_good_clips_and_list_every_reject(clip_manifest):
    inputs = read_clip_inputs(clip_manifest, short_side=36, sample_rate=RATE, duration_s=1.0)
    assert inputs.ids == ["c0", "c1", "c2", "c3"]
    assert inputs.labels == ["dog", "dog", "car", "car"]
    assert all(len(w) == RATE and w.dtype == np.float32 for w in inputs.waves)
    assert min(inputs.images[0].size) == 36
    # the centre frame of a red clip is red; its 1 s of audio is the clip's tone, not silence
    pixel = np.asarray(inputs.images[0])[18, 18]
    assert pixel[0] > 150 and pixel[2] < 60
    assert np.abs(inputs.waves[0]).max() > 0.2
    reasons = dict(zip(inputs.rejects["video_id"], inputs.rejects["reason"], strict=True))
    assert set(reasons) == {"two_labels", "gone", "silent"}
    assert reasons["two_labels"].startswith("bad_label") and reasons["gone"].startswith("missing")
    assert reasons["silent"].startswith("no_audio")


def test_stream_embeddings_are_pool4_per_stream_and_batch_independent(clip_manifest):
    model = _l3()
    inputs = read_clip_inputs(clip_manifest, 36, RATE, 1.0)
    emb = stream_embeddings(model, inputs.images, inputs.waves, batch_size=3)
    assert emb["vision"].shape == (4, model.vision.out_channels)
    assert emb["audio"].shape == (4, model.audio.out_channels)
    again = stream_embeddings(model, inputs.images, inputs.waves, batch_size=1)
    for stream in ("vision", "audio"):
        np.testing.assert_allclose(emb[stream], again[stream], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="as many frames as waves"):
        stream_embeddings(model, inputs.images[:2], inputs.waves, batch_size=2)


def test_clip_embeddings_summary_reconciles(clip_manifest):
    summary, arrays, rejects = clip_embeddings(_l3(), clip_manifest, batch_size=4)
    assert summary["n_clips"] == summary["n_embedded"] + summary["n_rejected"] == 7
    assert summary["label_counts"] == {"car": 2, "dog": 2}
    assert list(arrays["item_ids"]) == ["c0", "c1", "c2", "c3"] and len(rejects) == 3
    assert arrays["vision"].dtype == np.float32


def _separable(n_per: int, classes=("a", "b", "c"), seed=0, spread=5.0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.array(classes), n_per)
    centres = {c: rng.normal(size=6) * spread for c in classes}
    X = np.stack([centres[c] + rng.normal(size=6) for c in y]).astype(np.float32)
    ids = np.array([f"i{k:02d}" for k in range(len(y))])
    return {"item_ids": ids, "labels": y, "vision": X, "audio": -X}


def test_embedding_clusters_recover_separable_classes_and_count_preferences():
    summary, out = embedding_clusters(_separable(8), k=3, seed=0)
    assert summary["nmi"]["vision"] == pytest.approx(1.0)
    assert set(out) == {"item_ids", "labels", "clusters_vision", "clusters_audio"}
    assert summary["n_classes"] == 3 and summary["preference"]["vision"]["4of5"] >= 1
    rand, rout = random_assignment_clusters(_separable(8), k=3, seed=0)
    assert rand["nmi"]["vision"] < 0.5
    assert not np.array_equal(rout["clusters_vision"], rout["clusters_audio"])  # two seeds
    with pytest.raises(ValueError, match="'audio'"):
        embedding_clusters({k: v for k, v in _separable(4).items() if k != "audio"}, k=2)


def _nmi_folder(root: Path) -> Path:
    """nmi.json / nmi.npz of l3 (separable), l3_untrained (noise) and the random baseline."""
    trained, noise = _separable(10), _separable(10, spread=0.0, seed=1)
    for model, (summary, out) in {
        L3: embedding_clusters(trained, k=3),
        L3_UNTRAINED: embedding_clusters(noise, k=3),
        RANDOM_ASSIGNMENT: random_assignment_clusters(trained, k=3),
    }.items():
        (root / model).mkdir(parents=True)
        (root / model / "nmi.json").write_text(json.dumps(summary))
        np.savez(root / model / "nmi.npz", **out)
    return root


def test_table4_and_units_read_the_nmi_summaries(tmp_path):
    nmi_dir = _nmi_folder(tmp_path / "nmi")
    _, frame = build_table4(nmi_dir, [RANDOM_ASSIGNMENT, L3_UNTRAINED, L3], k=3)
    own = frame[frame["model"] == L3].set_index("column")["replicated"]
    assert own["Vision"] == pytest.approx(1.0)
    published = frame[frame["model"] == L3].set_index("column")["published"]
    assert published["Vision"] == pytest.approx(0.409)  # from the published CSV only
    _, units = build_units_table(nmi_dir, [L3, L3_UNTRAINED], 3)
    assert len(units[units["model"] == L3]) == 4  # 2 rules x 2 streams
    assert units["replicated"].notna().all()


def test_nmi_claims_hold_for_separable_embeddings(tmp_path):
    nmi_dir = _nmi_folder(tmp_path / "nmi")
    claims = table4_claims()
    assert {c.name for c in claims} <= {c.name for c in l3net_claims()}
    audit = run_audit(claims, {"nmi_dir": nmi_dir}, n_boot=200, seed=0, progress=False)
    verdict = dict(zip(audit["name"], audit["verdict"], strict=True))
    assert verdict["nmi_trained_beats_untrained_vision"] == "holds"
    assert verdict["nmi_trained_beats_untrained_audio"] == "holds"
    # the printed NMIs (.409 vs .204) compared in the replicated side's points
    paper = dict(zip(audit["name"], audit["paper_difference"], strict=True))
    assert paper["nmi_trained_beats_untrained_vision"] == pytest.approx(20.5)


def test_fig10_points_need_the_same_clips_and_write_the_figure(tmp_path):
    a, b = _separable(6), _separable(6, spread=0.0, seed=1)
    # 18 clips, 6 per class: each clip's 5 nearest others can all share its class
    points, stats = fig10_points({L3: a, L3_UNTRAINED: b}, seed=0, perplexity=5.0, n_max=18)
    assert len(points) == 4 * 18 and stats[f"{L3}/vision"]["agreement"] == pytest.approx(1.0)
    assert stats[f"{L3}/vision"]["agreement"] > stats[f"{L3_UNTRAINED}/vision"]["agreement"]
    other = dict(b, item_ids=b["item_ids"][::-1])
    with pytest.raises(ValueError, match="other clips"):
        fig10_points({L3: a, L3_UNTRAINED: other}, 0, 5.0, 12)
    for model, arrays in ((L3, a), (L3_UNTRAINED, b)):
        np.savez(tmp_path / f"{model}.npz", **arrays)
    files = {m: tmp_path / f"{m}.npz" for m in (L3, L3_UNTRAINED)}
    fig10(files, {L3: "trained", L3_UNTRAINED: "untrained"}, 0, 5.0, 12,
          tmp_path / "fig10.png", tmp_path / "fig10.csv")  # fmt: skip
    assert (tmp_path / "fig10.png").stat().st_size > 0 and (tmp_path / "fig10.pdf").is_file()


def test_unit_preference_claims_count_classes_covered_per_stream(tmp_path):
    """Trained units each prefer one class (4 of their top 5 clips); random units none."""
    y = np.repeat(np.array(["a", "b", "c"]), 6)
    ids = np.array([f"i{k:02d}" for k in range(len(y))])
    trained = np.zeros((len(y), 6), np.float32)
    for unit in range(6):  # unit u fires on class u % 3
        trained[:, unit] = (y == "abc"[unit % 3]) + 0.01 * np.arange(len(y))
    noise = np.random.default_rng(0).random((len(y), 6)).astype(np.float32)
    for model, acts in ((L3, trained), (L3_UNTRAINED, noise)):
        (tmp_path / model).mkdir()
        np.savez(
            tmp_path / model / "kinetics_sounds.npz",
            item_ids=ids, labels=y, vision=acts, audio=acts,
        )  # fmt: skip
    claims = preference_claims()
    assert {c.name for c in claims} <= {c.name for c in l3net_claims()}
    audit = run_audit(claims, {"embeddings_dir": tmp_path}, n_boot=200, seed=0, progress=False)
    rows = audit.set_index("name")
    assert rows.loc["units_trained_beat_random_vision", "verdict"] == "holds"
    assert rows.loc["units_trained_beat_random_vision", "paper_verdict"] == "holds"  # 10 vs 1
