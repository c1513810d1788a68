"""L3-Net Figs. 3-8: which units are shown, their heat maps, and the figures from clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from avc_corpus import write_tone_video
from PIL import Image

from soundsight.models import build_model
from soundsight.papers.l3net.figures import unit_maps_figures
from soundsight.probes.avc_embeddings import clip_embeddings
from soundsight.units.stream_maps import select_units, unit_heatmaps, vision_inputs

TINY = {"width": 0.0625, "input_size": 32, "audio_rate": 8000, "n_fft": 128}


def test_units_with_a_preferred_class_come_first_one_per_class():
    labels = ["dog"] * 5 + ["car"] * 5 + ["bird"] * 2
    A = np.zeros((12, 4))
    A[:5, 0] = 10  # unit 0: all top-5 dogs
    A[:4, 1] = 5  # unit 1: 4 dogs (same class as unit 0: not shown for it)
    A[4, 1] = 1
    A[5:10, 2] = 3  # unit 2: all cars, weaker than unit 1
    A[:, 3] = np.arange(12)  # unit 3: no class, the highest activations otherwise
    units = select_units(A, labels, n_units=3)
    assert [u.unit for u in units] == [0, 2, 3]
    assert (units[0].label, units[0].share) == ("dog", 5) and units[1].label == "car"
    assert units[2].label is None and units[2].top == (11, 10, 9, 8, 7)
    assert len(select_units(A, labels, n_units=10)) == 4


@pytest.mark.parametrize("stream", ["vision", "audio"])
def test_heatmaps_cover_the_input_and_are_scaled_to_one(stream):
    model = build_model("l3_net", seed=0, **TINY).eval()
    if stream == "vision":
        frames = [Image.new("RGB", (40, 40), (200, 30 * k, 0)) for k in range(3)]
        x = vision_inputs(model, frames)
    else:
        x = model.front_end(torch.randn(3, 8000) * 0.1)
    heat, shown = unit_heatmaps(model, stream, x, unit=1)
    assert heat.shape == (3, *x.shape[-2:]) and heat.min() >= 0 and heat.max() == pytest.approx(1)
    if stream == "vision":
        assert shown.shape == (3, 32, 32, 3) and 0 <= shown.min() <= shown.max() <= 1
    else:
        assert shown.shape == x[:, 0].shape


def test_unit_figures_from_the_clip_embeddings(tmp_path):
    rows = []
    for i, (label, colour, tone) in enumerate(
        [("dog", 0, 300.0), ("dog", 0, 320.0), ("car", 2, 900.0), ("car", 2, 950.0),
         ("bird", 1, 600.0), ("bird", 1, 620.0)]
    ):  # fmt: skip
        write_tone_video(tmp_path / f"c{i}.mp4", colour, tone)
        rows.append((f"c{i}.mp4", 0.0, 2.0, label, f"c{i}"))
    manifest = tmp_path / "clips.csv"
    pd.DataFrame(rows, columns=["path", "start", "end", "labels", "video_id"]).to_csv(
        manifest, index=False
    )
    model = build_model("l3_net", seed=0, **TINY).eval()
    _, arrays, _ = clip_embeddings(model, manifest)
    np.savez(tmp_path / "emb.npz", **arrays)
    pngs = {s: tmp_path / f"units_{s}.png" for s in ("vision", "audio")}
    shown = unit_maps_figures(model, tmp_path / "emb.npz", manifest, 2, pngs, tmp_path / "u.csv")
    assert shown == {"vision": 2, "audio": 2}
    table = pd.read_csv(tmp_path / "u.csv")
    assert len(table) == 2 * 2 * 5 and set(table["clip"]) <= {f"c{i}" for i in range(6)}
    assert all(Path(p).stat().st_size > 0 for p in pngs.values())
