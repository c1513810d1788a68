"""The SVM-MFCC baseline of SoundNet Tables 3 and 4, computed on the probe sets.

SoundNet cites Piczak's ESC paper [28] for its "SVM-MFCC" row (ESC-50 39.6 %, ESC-10 67.5 %).
Piczak's baseline describes each **recording** by per-clip summary statistics of frame-level
features and trains a linear SVM on them; its notebook reads clips at 44.1 kHz with a frame
(hop) of 512 samples. Here, with librosa through :func:`soundsight.audio.mfcc.mfcc_matrices`:

- mono at ``rate`` = 44,100 Hz (resampled if need be);
- 2048-point Hann STFT every 512 samples (11.6 ms), centred, reflect padding; power on 128
  Slaney mel bands, in dB (80 dB range), DCT-II: 13 MFCCs, **the 0th dropped** (loudness): 12;
- the mean and the standard deviation over frames of each coefficient (24 numbers), plus the
  mean and standard deviation of the zero-crossing rate of 512-sample frames (2 more): 26;
- z-scored with the training recordings' statistics and a one-vs-all linear SVM
  (:func:`soundsight.probes.clips.train_clip_probe`, one "window" per recording) at a **fixed
  C = 1**: liblinear's default; neither paper gives a cost, and nothing is tuned on the test
  fold.

ESC-50: mean accuracy over its 5 folds; ESC-10: the same on the ``esc10`` rows; DCASE 2013:
train on dev, test on test. The summaries and arrays have the layer probes' layout with one
layer, ``mfcc`` (benchmarks ``esc50_mfcc``, ``esc10_mfcc``, ``dcase2013_mfcc``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from soundsight.audio.mfcc import MfccParams, mfcc_matrices, summarise
from soundsight.probes.clips import clips_npz_arrays, fold_accuracy, train_clip_probe
from soundsight.probes.waveform import accuracy_summary, probe_counts, read_wave

log = logging.getLogger(__name__)
LAYER = "mfcc"


@dataclass(frozen=True)
class MfccBaselineConfig:
    """Features and SVM cost of the baseline (see the module docstring)."""

    rate: int = 44_100
    n_mfcc: int = 13
    drop_first: bool = True  # drop the 0th coefficient
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    zcr: bool = True  # add the zero-crossing rate's mean and std
    cost: float = 1.0

    def __post_init__(self) -> None:
        if self.rate < 1 or not self.cost > 0:
            raise ValueError(f"mfcc baseline needs rate >= 1 and cost > 0, got {self}")
        if self.drop_first and self.n_mfcc < 2:
            raise ValueError("mfcc baseline: dropping the 0th coefficient needs n_mfcc >= 2")
        self.params()  # MfccParams checks the rest

    def params(self) -> MfccParams:
        return MfccParams(
            n_mfcc=self.n_mfcc, n_fft=self.n_fft, hop_length=self.hop_length,
            n_mels=self.n_mels, batch_size=1,
        )  # fmt: skip

    @property
    def dims(self) -> int:
        """Length of a recording's feature vector."""
        return 2 * (self.n_mfcc - int(self.drop_first)) + 2 * int(self.zcr)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"dims": self.dims}


def clip_features(wave: np.ndarray, cfg: MfccBaselineConfig, name: str = "recording") -> np.ndarray:
    """(D,) float64 summary of a mono recording (n,) at ``cfg.rate``."""
    import librosa

    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim != 1 or len(wave) < cfg.n_fft:
        raise ValueError(
            f"{name}: need a mono recording of at least n_fft = {cfg.n_fft} samples, "
            f"got shape {wave.shape}"
        )
    m = mfcc_matrices(wave[None], cfg.rate, cfg.params())  # (1, n_mfcc, T)
    parts = [summarise(m[:, int(cfg.drop_first) :])["mfcc"][0]]  # (2C,) means, then stds
    if cfg.zcr:
        hop = cfg.hop_length
        z = librosa.feature.zero_crossing_rate(wave, frame_length=hop, hop_length=hop, center=False)
        parts.append(np.array([z.mean(), z.std()]))  # (2,)
    return np.concatenate(parts).astype(np.float64)


def features(paths: Sequence[str], cfg: MfccBaselineConfig) -> np.ndarray:
    """(N, D) features of the recordings at ``paths``."""
    return np.stack([clip_features(read_wave(p, cfg.rate), cfg, str(p)) for p in paths])


def mfcc_esc50(
    root: str | Path, cfg: MfccBaselineConfig, seed: int = 0
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """ESC-50 over its folds and ESC-10: summary and ``clips.npz`` arrays."""
    from soundsight.data.esc50 import read_esc50

    clips, rejects = read_esc50(Path(root))
    ids = np.array([Path(p).stem for p in clips["path"]])
    X = features(list(clips["path"]), cfg)  # (N, D)
    y, folds = clips["target"].to_numpy(), clips["fold"].to_numpy()
    esc10 = clips["esc10"].to_numpy(dtype=bool)
    res = fold_accuracy(X, ids, y, folds, cost=cfg.cost, seed=seed)
    summary: dict[str, Any] = {
        "dataset": "esc50", "layers": {LAYER: accuracy_summary(res)},
        "esc10": {"layers": {}, "n_recordings": int(esc10.sum())},
    }  # fmt: skip
    arrays = clips_npz_arrays(f"esc50_{LAYER}", res)
    if esc10.any():
        m = esc10
        res10 = fold_accuracy(X[m], ids[m], y[m], folds[m], cost=cfg.cost, seed=seed)
        summary["esc10"]["layers"][LAYER] = accuracy_summary(res10)
        arrays |= clips_npz_arrays(f"esc10_{LAYER}", res10)
    return summary | probe_counts(clips, rejects, cfg.cost) | {"features": cfg.to_dict()}, arrays


def mfcc_dcase(
    root: str | Path, cfg: MfccBaselineConfig, seed: int = 0
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """DCASE 2013 scenes, train on dev and test on test: summary and arrays."""
    from soundsight.data.dcase2013 import read_dcase2013

    clips, rejects = read_dcase2013(Path(root), classes=None)
    if set(clips["split"]) != {"dev", "test"}:
        raise ValueError(f"{root}: DCASE 2013 needs both the dev and the test set")
    stems = pd.Series([Path(p).stem for p in clips["path"]], index=clips.index)
    ids = (clips["split"] + "/" + stems).to_numpy()
    X, y = features(list(clips["path"]), cfg), clips["target"].to_numpy()  # (N, D), (N,)
    tr, te = (clips["split"] == "dev").to_numpy(), (clips["split"] == "test").to_numpy()
    res = train_clip_probe(X[tr], ids[tr], y[tr], X[te], ids[te], y[te], cfg.cost, seed=seed)
    summary = {"dataset": "dcase2013", "layers": {LAYER: accuracy_summary(res)}}
    arrays = clips_npz_arrays(f"dcase2013_{LAYER}", [res])
    return summary | probe_counts(clips, rejects, cfg.cost) | {"features": cfg.to_dict()}, arrays


BASELINES = {"esc50": mfcc_esc50, "dcase2013": mfcc_dcase}


def mfcc_baseline(
    dataset: str, root: str | Path, cfg: MfccBaselineConfig, seed: int = 0
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The rule's entry: ``dataset`` is ``esc50`` or ``dcase2013``."""
    if dataset not in BASELINES:
        raise ValueError(f"unknown MFCC baseline dataset {dataset!r}; expected {list(BASELINES)}")
    summary, arrays = BASELINES[dataset](root, cfg, seed)
    log.info("MFCC-SVM %s: %.3f", dataset, summary["layers"][LAYER]["accuracy"])
    return summary, arrays
