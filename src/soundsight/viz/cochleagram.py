"""Owens et al. 2018 Fig. 2: cochleagrams of two clips and their sound-texture statistics.

For each clip one row of panels: (a) the compressed cochleagram (32 bands x time at 400 Hz),
(b) the mean and sd/mean of each band, (c) the correlations between bands (the 117 pairs at band
offsets 1, 2, 3, 5 that the 502-d texture keeps; other pairs blank), (d) the modulation power
(band x modulation channel). The loudness (median envelope norm) is printed in the row title.

All statistics are the stored texture groups (``TEXTURE_GROUPS``) of
:func:`soundsight.audio.texture.texture_from_envelopes`, unscaled: sd/mean is the band's
standard deviation divided by its mean (as stored), and modulation power is normalised by the
band variance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from soundsight.audio.texture import (
    N_BANDS,
    N_FEATURES,
    N_MOD,
    TEXTURE_GROUPS,
    cochlear_envelopes,
    correlation_pairs,
    modulation_centres,
    texture_from_envelopes,
)
from soundsight.viz.common import (
    align_rows,
    draw_cochleagram,
    format_hz,
    load_frame_audio,
    read_audio_rate,
    read_index,
    save_figure,
    set_band_axis,
)

logger = logging.getLogger(__name__)

CONTRAST_RULES: tuple[str, ...] = ("correlation", "loudness")


@dataclass(frozen=True)
class TextureStats:
    """The groups of one 502-d texture vector, reshaped for plotting."""

    mean: np.ndarray  # (32,) mean envelope per band (loudness-normalised)
    sdmean: np.ndarray  # (32,) sd / mean per band, as stored
    corr: np.ndarray  # (117,) band-pair correlations, order of correlation_pairs()
    modpow: np.ndarray  # (32, 10) modulation power, band x modulation channel
    loudness: float  # median 32-band envelope norm


def split_texture(texture: np.ndarray) -> TextureStats:
    """Split one raw (unscaled) texture vector ``(502,)`` into its named groups."""
    x = np.asarray(texture, dtype=np.float64)
    if x.shape != (N_FEATURES,):
        raise ValueError(f"texture must have shape ({N_FEATURES},), got {x.shape}")
    g = TEXTURE_GROUPS
    return TextureStats(
        mean=x[g["mean"]],
        sdmean=x[g["sdmean"]],
        corr=x[g["corr"]],
        modpow=x[g["modpow"]].reshape(N_BANDS, N_MOD),
        loudness=float(x[g["loud"]][0]),
    )


def correlation_matrix(corr: np.ndarray) -> np.ndarray:
    """Symmetric ``(32, 32)`` matrix of the 117 stored correlations; 1 on the diagonal, NaN
    for band pairs the texture does not measure."""
    corr = np.asarray(corr, dtype=np.float64)
    pairs = correlation_pairs()
    if corr.shape != (len(pairs),):
        raise ValueError(f"expected {len(pairs)} correlations, got shape {corr.shape}")
    mat = np.full((N_BANDS, N_BANDS), np.nan)
    np.fill_diagonal(mat, 1.0)
    rows, cols = np.array(pairs).T
    mat[rows, cols] = corr
    mat[cols, rows] = corr
    return mat  # (32, 32)


def clip_statistics(waves: list[np.ndarray], sr: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Cochleagrams ``[(32, T_i)]`` (compressed, 400 Hz) and raw textures ``(B, 502)`` of clips.

    Clips may differ in length, so each is analysed on its own (float64, CPU).
    """
    if not waves:
        raise ValueError("no clips given")
    envs, textures = [], []
    for i, wave in enumerate(waves):
        w = np.asarray(wave, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"clip {i} must be 1-D (samples,), got shape {w.shape}")
        env = cochlear_envelopes(w[None, :], sr, dtype=torch.float64)  # (1, 32, T)
        envs.append(env[0].numpy())
        textures.append(texture_from_envelopes(env)[0].numpy())  # (502,)
    return envs, np.stack(textures)


# ----------------------------------------------------------------------------- panels
def draw_moments(ax: Axes, mean: np.ndarray, sdmean: np.ndarray, title: str = "") -> Axes:
    """Bars of the per-band mean and a line of sd/mean (right axis), both as stored."""
    bands = np.arange(N_BANDS)
    ax.bar(bands, mean, width=0.8, color="tab:blue", label="mean")
    ax.set_ylabel("mean", color="tab:blue")
    twin = ax.twinx()
    twin.plot(bands, sdmean, color="tab:red", marker=".", lw=1.0, label="sd/mean")
    twin.set_ylabel("sd/mean (normalised)", color="tab:red")
    set_band_axis(ax, "x")
    ax.set_xlim(-0.6, N_BANDS - 0.4)
    if title:
        ax.set_title(title, fontsize=9)
    return twin


def draw_correlations(ax: Axes, corr: np.ndarray) -> None:
    """Image of the band-pair correlation matrix (unmeasured pairs blank)."""
    image = ax.imshow(
        np.ma.masked_invalid(correlation_matrix(corr)),
        origin="lower",
        cmap="RdBu_r",
        vmin=-1.0,
        vmax=1.0,
        interpolation="nearest",
    )
    set_band_axis(ax, "x", "band (Hz)")
    set_band_axis(ax, "y", "band (Hz)")
    ax.set_title("correlation (offsets 1,2,3,5)", fontsize=9)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def draw_modulation(ax: Axes, modpow: np.ndarray) -> None:
    """Image of the modulation power, cochlear band (rows) x modulation channel (columns)."""
    image = ax.imshow(modpow, origin="lower", aspect="auto", cmap="viridis")
    centres = modulation_centres()
    ticks = [0, 3, 6, 9]
    ax.set_xticks(ticks, [format_hz(centres[t]) for t in ticks])
    ax.set_xlabel("modulation (Hz)")
    set_band_axis(ax, "y", "band (Hz)")
    ax.set_title("modulation power", fontsize=9)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def plot_texture_example(
    waves: list[np.ndarray], sr: int, titles: list[str], out_png: str | Path
) -> tuple[Path, Path]:
    """Fig. 2: one row per clip (cochleagram, moments, correlations, modulation power).

    ``waves`` are mono clips ``(n_i,)`` at ``sr`` Hz (>= 1 s). Writes ``out_png`` and the
    matching ``.pdf``; returns both paths.
    """
    if len(titles) != len(waves):
        raise ValueError(f"{len(waves)} clips but {len(titles)} titles")
    envs, textures = clip_statistics(waves, sr)
    fig = Figure(figsize=(17.0, 3.3 * len(waves)), layout="constrained")
    grid = fig.add_gridspec(len(waves), 4, width_ratios=(3.0, 1.9, 1.5, 1.6))
    for row, (env, texture, title) in enumerate(zip(envs, textures, titles, strict=True)):
        stats = split_texture(texture)
        draw_cochleagram(fig.add_subplot(grid[row, 0]), env, f"{title}: cochleagram")
        draw_moments(
            fig.add_subplot(grid[row, 1]),
            stats.mean,
            stats.sdmean,
            f"loudness {stats.loudness:.3g}; mean, sd/mean",
        )
        draw_correlations(fig.add_subplot(grid[row, 2]), stats.corr)
        draw_modulation(fig.add_subplot(grid[row, 3]), stats.modpow)
    return save_figure(fig, out_png)


# ----------------------------------------------------------------------------- choosing clips
def contrast_scores(texture: np.ndarray, rule: str) -> np.ndarray:
    """Per-clip score ``(N,)`` that the contrasting pair maximises / minimises.

    ``"correlation"``: mean of the 117 band correlations (speech-like sounds are correlated
    across bands, noise-like sounds such as wind or waves are not; the paper's Fig. 2 contrast).
    ``"loudness"``: the loudness statistic.
    """
    x = np.asarray(texture, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != N_FEATURES:
        raise ValueError(f"texture must be (N, {N_FEATURES}), got shape {x.shape}")
    if rule == "correlation":
        return x[:, TEXTURE_GROUPS["corr"]].mean(axis=1)
    if rule == "loudness":
        return x[:, TEXTURE_GROUPS["loud"]][:, 0]
    raise ValueError(f"unknown contrast rule {rule!r}; choose one of {list(CONTRAST_RULES)}")


def choose_contrasting_clips(
    texture: np.ndarray, seed: int, rule: str = "correlation", n_candidates: int = 2000
) -> np.ndarray:
    """Rows ``[high, low]`` of ``texture`` (N, 502) with the highest and lowest contrast score.

    Silent clips (loudness 0) are skipped. When there are more than ``n_candidates`` usable
    clips, a seeded random subset of that size is searched (so the pair is not always the
    single most extreme outlier of a large set); otherwise all are used.
    """
    scores = contrast_scores(texture, rule)  # (N,)
    usable = np.flatnonzero(np.asarray(texture)[:, TEXTURE_GROUPS["loud"]][:, 0] > 0)
    if usable.size < 2:
        raise ValueError(f"need >= 2 non-silent clips to choose a pair, got {usable.size}")
    if usable.size > n_candidates:
        rng = np.random.default_rng(seed)
        usable = np.sort(rng.choice(usable, size=n_candidates, replace=False))
    ranked = usable[np.argsort(scores[usable], kind="stable")]
    return np.array([ranked[-1], ranked[0]], dtype=np.int64)


def texture_example_from_files(
    ingest_dir: str | Path,
    sound_npz: str | Path,
    out_png: str | Path,
    seed: int,
    rule: str = "correlation",
    n_candidates: int = 2000,
) -> dict[str, object]:
    """Choose two contrasting frames from ``sound.npz``, load their audio, draw Fig. 2.

    Returns a small JSON-able summary (chosen frame ids, scores, rule, seed).
    """
    with np.load(sound_npz, allow_pickle=False) as z:
        frame_ids, texture = z["frame_id"].astype(str), z["texture"]  # (N,), (N, 502)
    pick = choose_contrasting_clips(texture, seed, rule, n_candidates)
    index = read_index(ingest_dir)
    rows = index.iloc[align_rows(index["frame_id"].to_numpy(), frame_ids[pick], "index.csv")]
    sr = read_audio_rate(ingest_dir)
    waves = list(load_frame_audio(ingest_dir, rows))  # 2 x (n,)
    scores = contrast_scores(texture[pick], rule)
    label = {"correlation": "mean band corr.", "loudness": "loudness"}[rule]
    titles = [f"{fid} ({label} {s:.2f})" for fid, s in zip(frame_ids[pick], scores, strict=True)]
    png, pdf = plot_texture_example(waves, sr, titles, out_png)
    return {
        "frame_ids": frame_ids[pick].tolist(),
        "scores": scores.tolist(),
        "rule": rule,
        "seed": seed,
        "sample_rate": sr,
        "png": str(png),
        "pdf": str(pdf),
    }
