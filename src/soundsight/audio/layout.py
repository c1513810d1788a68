"""The layout of the 502-d sound texture (Owens et al. 2018, App. A) and its per-kind rescaling.

Torch-free, so that the label jobs (k-means over textures) need not import torch; the texture
computation itself is :mod:`soundsight.audio.texture`, which re-exports these names.
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np

N_FEATURES = 502
ArrayT = TypeVar("ArrayT")  # a numpy array or a torch tensor

# Index slices of the 502-d vector (README section 3).
TEXTURE_GROUPS: dict[str, slice] = {
    "mean": slice(0, 32),
    "sdmean": slice(32, 64),
    "corr": slice(64, 181),
    "modpow": slice(181, 501),
    "loud": slice(501, 502),
}

# "Kinds" of feature for the paper's per-group rescaling (marginal moments = mean + sd/mean).
SCALE_KINDS: dict[str, slice] = {
    "moments": slice(0, 64),
    "corr": slice(64, 181),
    "modpow": slice(181, 501),
    "loud": slice(501, 502),
}
SCALE_MODES = ("none", "inverse_dim", "inverse_sqrt_dim")


def scale_factors(mode: str) -> np.ndarray:
    """Per-element factors (502,) of :func:`scale_groups` for ``mode``."""
    if mode not in SCALE_MODES:
        raise ValueError(f"unknown scaling mode {mode!r}; valid modes: {', '.join(SCALE_MODES)}")
    factors = np.ones(N_FEATURES)
    for sl in SCALE_KINDS.values():
        d = sl.stop - sl.start
        if mode == "inverse_dim":
            factors[sl] = 1.0 / d
        elif mode == "inverse_sqrt_dim":
            factors[sl] = 1.0 / math.sqrt(d)
    return factors


def scale_groups(x: ArrayT, mode: str = "inverse_dim") -> ArrayT:
    """Rescale each kind of texture feature, as in Owens et al. 2018 section 3.1.

    The paper says "we rescale each kind of texture feature (i.e. marginal moments,
    correlations, modulation power, energy) inversely with the number of dimensions"; no public
    code pins down the exact rule. Kinds: marginal moments (mean + sd/mean, 64 dims),
    correlations (117), modulation power (320), energy/loudness (1). Modes:

    * ``"none"``: unchanged.
    * ``"inverse_dim"`` (default, the literal reading): each kind multiplied by 1/d.
    * ``"inverse_sqrt_dim"``: each kind multiplied by 1/sqrt(d), so each kind contributes about
      equally to squared Euclidean distances (e.g. in k-means).

    ``x`` is ``(..., 502)``; the result has the same type, shape and dtype.
    """
    factors = scale_factors(mode)
    if x.shape[-1] != N_FEATURES:
        raise ValueError(f"last dimension must be {N_FEATURES}, got shape {tuple(x.shape)}")
    if hasattr(x, "new_tensor"):  # a torch tensor (torch is not imported here)
        return x * x.new_tensor(factors)  # same dtype and device as x
    return (np.asarray(x) * factors).astype(np.asarray(x).dtype, copy=False)
