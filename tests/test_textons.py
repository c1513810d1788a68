"""Texton histograms for the Texton-CNN control."""

import numpy as np
import torch
from PIL import Image

from soundsight.labels.textons import filter_bank, responses, texton_histograms


def test_filter_bank_shape_and_zero_mean():
    bank = filter_bank()
    assert bank.shape[:2] == (32, 1)  # 8 orientations x 2 scales x 2 elongations
    assert torch.allclose(bank.sum((1, 2, 3)), torch.zeros(32), atol=1e-6)


def test_orientation_selectivity():
    bank = filter_bank(n_orient=8, scales=(1.0,), elongations=(3.0,))
    x = torch.arange(32.0)
    vertical = (torch.sin(x / 1.5)[None, :].expand(32, 32))[None, None]  # varies along x
    resp = responses(vertical, bank, stride=1).abs().mean(1)[0]  # (F,)
    # orientation 0 differentiates across x: strongest for stripes that vary along x
    assert resp.argmax().item() == 0


def _stripes(path, horizontal: bool, seed: int):
    rng = np.random.default_rng(seed)
    period = rng.uniform(4, 6)
    r = np.arange(48)
    wave = (np.sin(2 * np.pi * r / period) > 0).astype(np.uint8) * 200 + 20
    img = np.tile(
        wave[:, None] if horizontal else wave[None, :], (1, 48) if horizontal else (48, 1)
    )
    Image.fromarray(img.astype(np.uint8)).convert("RGB").save(path)


def test_histograms_separate_textures(tmp_path):
    paths = []
    for i in range(12):
        p = tmp_path / f"{i}.png"
        _stripes(p, horizontal=i % 2 == 0, seed=i)
        paths.append(p)
    is_train = np.arange(12) < 8
    h = texton_histograms(paths, is_train, n_textons=16, size=48, seed=0, progress=False)
    assert h.shape == (12, 16)
    np.testing.assert_allclose(h.sum(1), 1.0, rtol=1e-5)
    horiz, vert = h[0::2], h[1::2]
    within = np.abs(horiz[:, None] - horiz[None]).sum(-1).mean()
    across = np.abs(horiz[:, None] - vert[None]).sum(-1).mean()
    assert across > 2 * within
