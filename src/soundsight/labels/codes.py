"""Binary sound codes (Owens et al. 2018 §3.2, *Binary* and *Spectrum* models).

Each sound vector is projected onto the top principal components of the training set (30
projections) and each projection is thresholded into one bit; a CNN predicts the bits with a
sigmoid layer. The Spectrum model uses the same scheme on the 32-d cochlear spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

THRESHOLDS = ("zero", "median")


@dataclass(frozen=True)
class CodeModel:
    """PCA projection + per-bit thresholds fitted on training frames."""

    mean: np.ndarray  # (D,)
    components: np.ndarray  # (P, D) orthonormal rows, by decreasing variance
    thresholds: np.ndarray  # (P,) in projection units
    explained_variance_ratio: np.ndarray  # (P,)

    @property
    def n_bits(self) -> int:
        return int(self.components.shape[0])

    def project(self, X: np.ndarray) -> np.ndarray:
        """(N, D) features -> (N, P) projections."""
        return (X - self.mean) @ self.components.T

    def encode(self, X: np.ndarray) -> np.ndarray:
        """(N, D) features -> (N, P) uint8 bits."""
        return (self.project(X) > self.thresholds).astype(np.uint8)

    def save(self, path: str | Path) -> None:
        """Write the model as a pickle-free ``.npz``."""
        np.savez(
            path,
            mean=self.mean,
            components=self.components,
            thresholds=self.thresholds,
            explained_variance_ratio=self.explained_variance_ratio,
        )

    @classmethod
    def load(cls, path: str | Path) -> CodeModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(z["mean"], z["components"], z["thresholds"], z["explained_variance_ratio"])


def fit_codes(X_train: np.ndarray, n_projections: int, threshold: str = "zero") -> CodeModel:
    """Fit the PCA projections on training features (N, D) and choose each bit's threshold.

    ``threshold="zero"`` cuts each centred projection at 0 (the paper's "thresholding");
    ``"median"`` cuts at the training median, which balances every bit.
    """
    if threshold not in THRESHOLDS:
        raise ValueError(f"labels.binary_threshold must be one of {THRESHOLDS}, got {threshold!r}")
    X = np.asarray(X_train, dtype=np.float64)
    n, d = X.shape
    if not 1 <= n_projections <= min(n, d):
        raise ValueError(
            f"labels.n_projections={n_projections} must be in [1, min(n_train={n}, dim={d})]"
        )
    mean = X.mean(0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)  # rows of vt: principal axes
    vt = _fix_signs(vt[:n_projections])
    var = s**2
    ratio = var[:n_projections] / var.sum()
    proj = (X - mean) @ vt.T  # (N, P)
    cut = np.zeros(n_projections) if threshold == "zero" else np.median(proj, 0)
    return CodeModel(mean, vt, cut, ratio)


def _fix_signs(vt: np.ndarray) -> np.ndarray:
    """Make each axis' largest-magnitude loading positive, so codes are reproducible across BLAS."""
    idx = np.abs(vt).argmax(1)
    signs = np.sign(vt[np.arange(len(vt)), idx])
    return vt * signs[:, None]
