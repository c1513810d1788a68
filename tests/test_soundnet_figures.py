"""SoundNet Figs. 3-5: confusions from a probe's own predictions, t-SNE of mean-pooled layer
features, conv1 filters sorted by peak frequency; on synthetic arrays and a tiny SoundNet-8."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from soundsight.models.soundnet import SoundNet8
from soundsight.papers.soundnet import figures as F
from soundsight.probes.clips import ClipProbeResult, clips_npz_arrays
from soundsight.probes.waveform import probe_layers
from soundsight.world import WorldConfig
from soundsight.world.soundsets import generate_dcase2013, generate_esc50

TINY_SETS = dict(esc50_duration_s=1.0, esc50_rate=16000, dcase_duration_s=1.0, dcase_rate=16000)
RATE = 22_050


def _net(seed: int = 0) -> SoundNet8:
    torch.manual_seed(seed)
    return SoundNet8(num_outputs=3, num_scene_outputs=2, width=0.0625, num_samples=RATE)


def _result(labels: list[str], predicted: list[str], ids: list[str]) -> ClipProbeResult:
    """A probe result whose argmax predictions are ``predicted``."""
    classes = np.array(sorted(set(labels) | set(predicted)))
    scores = (classes[None, :] == np.array(predicted)[:, None]).astype(float)  # (C, K) one-hot
    return ClipProbeResult(np.array(ids), classes, scores, np.array(labels), cost=0.01)


FOLDS = [
    _result(["0", "0", "1", "2"], ["0", "1", "1", "2"], ["a", "b", "c", "d"]),
    _result(["0", "1", "1", "2"], ["0", "1", "2", "0"], ["e", "f", "g", "h"]),
]
NAMES = {"0": "dog", "1": "rain", "2": "bird"}


def test_confusion_rows_sum_to_one_and_per_class_csv_matches_the_npz():
    arrays = clips_npz_arrays("esc50_pool5", FOLDS)
    conf = F.read_confusion(arrays, "esc50_pool5", "ESC-50", NAMES)
    assert conf.classes.tolist() == ["bird", "dog", "rain"]  # sorted names
    assert conf.normalised.shape == (3, 3)
    np.testing.assert_allclose(conf.normalised.sum(axis=1), 1.0)
    assert conf.accuracy == pytest.approx(np.mean([0.75, 0.5]))
    frame = F.per_class_frame(conf).set_index("class")
    pooled_y = np.concatenate([arrays[f"labels_esc50_pool5_f{k}"] for k in (1, 2)])
    pooled_ok = np.concatenate([arrays[f"correct_esc50_pool5_f{k}"] for k in (1, 2)])
    for code, name in NAMES.items():
        assert frame.loc[name, "n"] == (pooled_y == code).sum()
        assert frame.loc[name, "correct"] == pooled_ok[pooled_y == code].sum()
    assert frame.loc["dog", "accuracy"] == pytest.approx(100 * 2 / 3)
    assert frame.loc["bird", "confused_with"] == "dog"  # fold 2: bird taken for dog
    np.testing.assert_allclose(np.diag(conf.normalised), frame["accuracy"].to_numpy() / 100)


def test_confusion_errors_name_the_problem():
    arrays = clips_npz_arrays("esc50_pool5", FOLDS)
    with pytest.raises(ValueError, match="no benchmark 'esc50_conv7'"):
        F.read_confusion(arrays, "esc50_conv7", "ESC-50")
    old = {k: v for k, v in arrays.items() if not k.startswith(("labels_", "predictions_"))}
    with pytest.raises(ValueError, match="rerun the layer probe"):
        F.read_confusion(old, "esc50_pool5", "ESC-50")
    bad = dict(arrays, correct_esc50_pool5_f1=np.ones(4, dtype=bool))
    with pytest.raises(ValueError, match="disagree"):
        F.read_confusion(bad, "esc50_pool5", "ESC-50")
    with pytest.raises(ValueError, match="have no name"):
        F.read_confusion(arrays, "esc50_pool5", "ESC-50", {"0": "dog"})
    conf = F.read_confusion(arrays, "esc50_pool5", "ESC-50")
    with pytest.raises(ValueError, match="summary says accuracy"):
        F.check_summary_accuracy(conf, {"layers": {"pool5": {"accuracy": 0.9}}}, "pool5")
    with pytest.raises(ValueError, match="was not probed"):
        F.check_summary_accuracy(conf, {"layers": {}}, "pool5")


@pytest.fixture(scope="module")
def world_sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("sets")
    cfg = WorldConfig(scenes=("beach", "street"), esc50_takes=2, **TINY_SETS)
    generate_esc50(cfg, root)
    generate_dcase2013(cfg, root / "DCASE2013")
    return root


def test_fig3_from_a_probe_run_of_a_tiny_soundnet(world_sets, tmp_path):
    net = _net()
    clips, summaries, roots = [], [], [world_sets, world_sets / "DCASE2013"]
    for dataset, root in zip(("esc50", "dcase2013"), roots, strict=True):
        summary, arrays = probe_layers(net, dataset, root, ["pool5"])
        np.savez(tmp_path / f"{dataset}_layers.npz", **arrays)
        (tmp_path / f"{dataset}_layers.json").write_text(json.dumps(summary))
        clips.append(tmp_path / f"{dataset}_layers.npz")
        summaries.append(tmp_path / f"{dataset}_layers.json")
    png, csv = tmp_path / "fig" / "fig3_confusion.png", tmp_path / "fig" / "fig3_confusion.csv"
    frame = F.confusion_figure(["esc50", "dcase2013"], clips, summaries, roots, "pool5", png, csv)
    assert png.stat().st_size > 0 and png.with_suffix(".pdf").is_file()
    table = pd.read_csv(csv)
    assert list(table["dataset"].unique()) == ["ESC-50", "DCASE 2013"]
    assert set(table.loc[table["dataset"] == "DCASE 2013", "class"]) == {"beach", "street"}
    esc = table[table["dataset"] == "ESC-50"]
    assert esc["n"].sum() == 13 * 5 * 2 and esc["class"].is_monotonic_increasing
    assert frame["n"].sum() == table["n"].sum()


def test_stratified_subset_is_balanced_seeded_and_sorted():
    labels = np.array(["a"] * 30 + ["b"] * 10 + ["c"] * 5)
    keep = F.stratified_subset(labels, 15, seed=3)
    assert len(keep) == 15 and np.all(np.diff(keep) > 0)
    assert sorted(pd.Series(labels[keep]).value_counts().tolist()) == [5, 5, 5]
    np.testing.assert_array_equal(keep, F.stratified_subset(labels, 15, seed=3))
    assert len(F.stratified_subset(labels, 100, seed=0)) == 45


def test_tsne_embeds_separable_features_with_high_neighbour_agreement():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=5.0, size=(3, 16))
    y = np.repeat(["x", "y", "z"], 12)
    X = centres[np.repeat(np.arange(3), 12)] + rng.normal(size=(36, 16))
    recordings = pd.DataFrame({"clip_id": [f"c{i}" for i in range(36)], "category": y})
    recordings["feature"] = list(X)
    frame, stats = F.embed_recordings(recordings, seed=0, perplexity=30.0, n_max=30)
    assert frame.shape[0] == 30 and {"x", "y", "category"} <= set(frame.columns)
    assert "feature" not in frame.columns
    assert stats["agreement_features"] > 0.9 and stats["agreement_tsne"] > 0.9
    assert stats["agreement_chance"] == pytest.approx(3 * 10 * 9 / (30 * 29))
    again, _ = F.embed_recordings(recordings, seed=0, perplexity=30.0, n_max=30)
    np.testing.assert_allclose(again[["x", "y"]], frame[["x", "y"]])  # seeded
    with pytest.raises(ValueError, match="t-SNE needs"):
        F.tsne_embedding(X[:3], 0, 5.0)


def test_fig4_on_a_tiny_soundnets_conv7(world_sets, tmp_path):
    png, csv = tmp_path / "fig4_tsne.png", tmp_path / "fig4_tsne.csv"
    stats = F.tsne_figure(_net(), world_sets, "conv7", 0, 30.0, 40, png, csv)
    table = pd.read_csv(csv)
    assert len(table) == stats["n_points"] == 40 and table["category"].nunique() == 13
    assert png.stat().st_size > 0
    windows = [np.ones((3, 4)), np.zeros((5, 4))]
    np.testing.assert_array_equal(F.mean_pooled(windows), [[1] * 4, [0] * 4])


def test_fig5_filters_sorted_by_peak_frequency(tmp_path):
    net = _net()
    weight = net.conv1[0].weight  # (C, 1, 64)
    tones = [5000.0, 700.0, 9000.0, 2500.0]  # filter i is a tone at tones[i] Hz
    t = np.arange(weight.shape[-1]) / RATE
    with torch.no_grad():
        for i, f in enumerate(tones):
            weight[i, 0] = torch.from_numpy(np.hanning(len(t)) * np.sin(2 * np.pi * f * t))
    filters = F.first_conv_filters(net)
    assert filters.shape == (4, 64)
    freqs, spectra = F.filter_spectra(filters, RATE, 1024)
    assert freqs[-1] == RATE / 2 and spectra.shape == (4, 513)
    frame = F.filter_frame(filters, RATE, 1024)
    assert frame["filter"].tolist() == [1, 3, 0, 2]
    assert frame["peak_hz"].is_monotonic_increasing
    np.testing.assert_allclose(frame["peak_hz"], sorted(tones), atol=RATE / 1024)
    png, csv = tmp_path / "fig5_conv1.png", tmp_path / "fig5_conv1.csv"
    F.filters_figure(net, 1024, png, csv)
    assert png.stat().st_size > 0 and len(pd.read_csv(csv)) == 4
    with pytest.raises(ValueError, match="no layer 'conv9'"):
        F.first_conv_filters(net, "conv9")
    with pytest.raises(ValueError, match="kernel <= n_fft"):
        F.filter_spectra(filters, RATE, 32)
