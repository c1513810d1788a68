"""Tiny, clearly separable ESC-50 and DCASE 2013 layouts for the baseline probes' tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import wavfile

RATE = 22_050
KINDS = ("sine", "noise", "clicks")  # ESC-10: the first two


def recording(kind: str, rng: np.random.Generator, seconds: float = 1.0) -> np.ndarray:
    """(n,) float32 in [-1, 1]: a 300 Hz tone, white noise, or a 20 Hz click train."""
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    if kind == "sine":
        x = 0.5 * np.sin(2 * np.pi * 300 * t + rng.uniform(0, 2 * np.pi))
    elif kind == "noise":
        x = rng.uniform(-0.5, 0.5, n)
    else:
        x = np.zeros(n)
        x[rng.integers(RATE // 20) :: RATE // 20] = 0.9
    return (x + 0.01 * rng.standard_normal(n)).astype(np.float32)


def _write(path: Path, x: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, RATE, (x * 32767).astype(np.int16))


def write_esc50(root: Path, per_fold: int = 2, seed: int = 0) -> Path:
    """``root/ESC-50-master`` with 3 classes x 5 folds x ``per_fold`` 1 s recordings."""
    rng = np.random.default_rng(seed)
    base = root / "ESC-50-master"
    rows = ["filename,fold,target,category,esc10"]
    for target, kind in enumerate(KINDS):
        for fold in range(1, 6):
            for k in range(per_fold):
                name = f"{fold}-{1000 * target + 10 * fold + k}-A-{target}.wav"
                _write(base / "audio" / name, recording(kind, rng))
                rows.append(f"{name},{fold},{target},{kind},{target < 2}")
    (base / "meta").mkdir(parents=True, exist_ok=True)
    (base / "meta" / "esc50.csv").write_text("\n".join(rows) + "\n")
    return root


def write_dcase(root: Path, per_split: int = 3, seed: int = 1) -> Path:
    """``root/scenes_stereo{,_testset}`` with two 'scenes' (beach: noise, park: tone)."""
    rng = np.random.default_rng(seed)
    for folder in ("scenes_stereo", "scenes_stereo_testset"):
        for label, kind in (("beach", "noise"), ("park", "sine")):
            for k in range(1, per_split + 1):
                _write(root / folder / f"{label}{k:02d}.wav", recording(kind, rng, 2.0))
    return root
