"""CAM figures (Figs. 9/10), the audio-class probe wrapper, Table 5 and Fig. 11."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from soundsight.models import build_model
from soundsight.papers.owens2018.figures import cluster_sweep, plot_fig11
from soundsight.papers.owens2018.tables import build_table5, table5_markdown
from soundsight.probes.run import LogPosteriors
from soundsight.viz.cam import most_confident, plot_fig9, plot_fig10, predict_cams, top_categories


def _images(tmp_path, n):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        p = tmp_path / f"{i}.jpg"
        Image.fromarray(rng.integers(0, 255, (60, 60, 3), dtype=np.uint8)).save(p)
        paths.append(p)
    return paths


def test_most_confident_takes_one_frame_per_video():
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.1, 0.9]])
    assert most_confident(probs, ["a", "a", "b", "c"], 0, 2) == [0, 2]
    assert top_categories(probs, 1) == [0]


def test_cam_figures_from_a_cam_model(tmp_path):
    model = build_model("caffenet_bn_cam", num_outputs=3, width=0.125, input_size=48, seed=0)
    paths = _images(tmp_path, 8)
    pred = predict_cams(model, paths, batch_size=4)
    assert pred.probs.shape == (8, 3) and np.allclose(pred.probs.sum(1), 1, atol=1e-5)
    assert pred.cams.shape[:2] == (8, 3)
    videos = [f"v{i}" for i in range(8)]
    s10 = plot_fig10(pred, paths, videos, 48, tmp_path / "f10.png", n_categories=2, n_images=3)
    s9 = plot_fig9(pred, paths, videos, 48, tmp_path / "f9.png", n_images=2)
    assert (tmp_path / "f10.png").stat().st_size > 0 and (tmp_path / "f9.pdf").exists()
    assert len(s10["categories"]) == 2 and len(s9["categories"]) == 2


def test_log_posteriors_are_the_only_layer():
    model = build_model("caffenet_bn", num_outputs=5, width=0.125, input_size=48, seed=0).eval()
    wrapped = LogPosteriors(model)
    out = wrapped.forward_intermediates(torch.rand(2, 3, 48, 48))["log_probs"]
    assert torch.allclose(out.exp().sum(1), torch.ones(2), atol=1e-5)
    with pytest.raises(ValueError, match="log_probs"):
        wrapped.forward_intermediates(torch.rand(1, 3, 48, 48), ["pool5"])


def _probe(tmp_path, model, maps):
    d = tmp_path / model
    d.mkdir()
    layers = {la: {"map11": m} for la, m in zip(["max5", "pool5", "fc6", "fc7"], maps, strict=True)}
    (d / "voc.json").write_text(json.dumps({"layers": layers}))


def test_table5_and_fig11(tmp_path):
    _probe(tmp_path, "annotations", [0.5, 0.6, 0.55, 0.5])
    _probe(tmp_path, "sweep_k2", [0.2, 0.3, 0.3, 0.3])
    _probe(tmp_path, "sweep_k30", [0.3, 0.4, 0.4, 0.4])
    df = build_table5(
        tmp_path, {"annotations": "Annotations", "sweep_k30": "Cluster (30 clusters)"}
    )
    ann = df[(df["model"] == "annotations") & (df["column"] == "VOC/pool5")].iloc[0]
    assert ann["replicated"] == pytest.approx(60.0) and ann["published"] == 55.6
    assert "60.0 (55.6)" in table5_markdown(df, "note")
    sweep = cluster_sweep(tmp_path, [2, 30], "pool5")
    assert list(sweep["map"]) == pytest.approx([30.0, 40.0])
    png, pdf = plot_fig11(sweep, "pool5", tmp_path / "fig11.png")
    assert png.stat().st_size > 0 and pdf.exists()
