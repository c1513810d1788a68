"""Owens et al. 2018 Fig. 3: audio clusters, their nearest test frames and centroid statistics.

For each of ``n`` chosen clusters one row: (a) the ``m`` test frames whose (scaled) sound
textures are closest to the cluster centroid, at most one frame per video, nearest first; (b)
the centroid's per-band mean (bars) and sd/mean (line), both *as stored* in the texture — sd/mean
is the band's standard deviation divided by its mean, not an absolute standard deviation — after
undoing the per-group texture scaling; (c) the cochleagram of the leftmost (nearest) frame.

Cluster choice (seeded, documented in :func:`choose_clusters`): clusters whose assigned test
frames come from at least ``m`` distinct videos are eligible; ``n`` of them are drawn uniformly at
random with ``numpy.random.default_rng(seed)`` and shown in ascending cluster id.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from soundsight.audio.texture import (
    N_BANDS,
    N_FEATURES,
    TEXTURE_GROUPS,
    cochlear_envelopes,
    scale_factors,
    scale_groups,
)
from soundsight.labels.clusters import ClusterModel
from soundsight.viz.cochleagram import draw_moments
from soundsight.viz.common import (
    align_rows,
    draw_cochleagram,
    load_frame_audio,
    load_frame_image,
    read_audio_rate,
    read_index,
    save_figure,
)

logger = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- selection
def centroid_distances(X: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    """Euclidean distance ``(N,)`` of each row of ``X`` (N, D) to ``centroid`` (D,)."""
    X = np.asarray(X, dtype=np.float64)
    c = np.asarray(centroid, dtype=np.float64)
    if X.ndim != 2 or c.shape != (X.shape[1],):
        raise ValueError(f"need X (N, D) and centroid (D,), got {X.shape} and {c.shape}")
    d2 = (X**2).sum(axis=1) - 2.0 * (X @ c) + (c**2).sum()  # (N,)
    return np.sqrt(np.maximum(d2, 0.0))


def nearest_frames_per_video(distance: np.ndarray, video_ids: np.ndarray, m: int) -> np.ndarray:
    """Indices of the ``m`` nearest rows, nearest first, keeping at most one row per video.

    Ties in distance go to the lower row index. Fewer than ``m`` are returned when the rows
    span fewer than ``m`` videos.
    """
    distance, video_ids = np.asarray(distance), np.asarray(video_ids)
    if distance.shape != video_ids.shape or distance.ndim != 1:
        raise ValueError(f"distance {distance.shape} and video_ids {video_ids.shape} must be (N,)")
    if m < 1:
        raise ValueError(f"m must be >= 1, got {m}")
    seen: set[str] = set()
    picked: list[int] = []
    for i in np.argsort(distance, kind="stable"):
        video = str(video_ids[i])
        if video in seen:
            continue
        seen.add(video)
        picked.append(int(i))
        if len(picked) == m:
            break
    return np.array(picked, dtype=np.int64)


def choose_clusters(
    labels: np.ndarray, video_ids: np.ndarray, k: int, n: int, min_videos: int, seed: int
) -> np.ndarray:
    """Seeded choice of ``n`` cluster ids to show, ascending.

    Rule: a cluster is *eligible* when the frames assigned to it (``labels``, usually the test
    frames) come from at least ``min_videos`` distinct videos. ``n`` eligible clusters are drawn
    uniformly without replacement by ``numpy.random.default_rng(seed)``. If fewer than ``n`` are
    eligible, all eligible ones are kept and the rest filled with the clusters spanning the most
    videos (lower id first on ties), with a warning.
    """
    labels, video_ids = np.asarray(labels), np.asarray(video_ids)
    if not 1 <= n <= k:
        raise ValueError(f"number of clusters to show must be in 1..{k}, got {n}")
    if labels.shape != video_ids.shape:
        raise ValueError(f"labels {labels.shape} and video_ids {video_ids.shape} differ in shape")
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"cluster labels must lie in 0..{k - 1}")
    spread = pd.Series(video_ids.astype(str)).groupby(labels).nunique()
    n_videos = spread.reindex(range(k), fill_value=0).to_numpy()  # (k,)
    eligible = np.flatnonzero(n_videos >= min_videos)
    rng = np.random.default_rng(seed)
    if eligible.size >= n:
        return np.sort(rng.choice(eligible, size=n, replace=False))
    logger.warning(
        "only %d of %d clusters span >= %d videos; filling with the most varied clusters",
        eligible.size,
        k,
        min_videos,
    )
    taken = set(eligible.tolist())
    rest = [c for c in np.lexsort((np.arange(k), -n_videos)) if int(c) not in taken]
    return np.sort(np.concatenate([eligible, rest[: n - eligible.size]]).astype(np.int64))


def centroid_moments(centroid: np.ndarray, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-band mean and sd/mean ``((32,), (32,))`` of a centroid in scaled texture space.

    The per-group ``scaling`` used before clustering is undone, so the values are in the units
    of the stored texture (sd/mean stays normalised by the mean, as stored).
    """
    c = np.asarray(centroid, dtype=np.float64)
    if c.shape != (N_FEATURES,):
        raise ValueError(
            f"Fig. 3 needs sound-texture clusters: centroid must be ({N_FEATURES},), got {c.shape}"
        )
    raw = c / scale_factors(scaling)
    return raw[TEXTURE_GROUPS["mean"]], raw[TEXTURE_GROUPS["sdmean"]]


def select_cluster_frames(
    X: np.ndarray, video_ids: np.ndarray, centroids: np.ndarray, clusters: np.ndarray, m: int
) -> list[np.ndarray]:
    """For each chosen cluster, rows of ``X`` (N, D) nearest its centroid, <= 1 per video."""
    return [
        nearest_frames_per_video(centroid_distances(X, centroids[c]), video_ids, m)
        for c in clusters
    ]


# ----------------------------------------------------------------------------- figure
def plot_audio_clusters(
    images: list[list[np.ndarray]],
    means: np.ndarray,
    sdmeans: np.ndarray,
    cochleagrams: list[np.ndarray],
    cluster_ids: list[int],
    out_png: str | Path,
    sizes: list[int] | None = None,
) -> tuple[Path, Path]:
    """Fig. 3: one row per cluster (frames, centroid mean and sd/mean, cochleagram).

    ``images[r]`` holds the row's frames (H, W, 3), nearest first (rows may be shorter than the
    longest; gaps stay blank). ``means``/``sdmeans`` are (n, 32) centroid statistics as stored,
    ``cochleagrams[r]`` the (32, T) envelopes of the row's leftmost frame, ``sizes[r]`` an
    optional frame count printed in the row label. Writes PNG and PDF; returns both paths.
    """
    n = len(cluster_ids)
    means, sdmeans = np.asarray(means), np.asarray(sdmeans)
    if not n or len(images) != n or len(cochleagrams) != n:
        raise ValueError(
            f"need one entry per cluster: {n} ids, {len(images)} image rows, "
            f"{len(cochleagrams)} cochleagrams"
        )
    if means.shape != (n, N_BANDS) or sdmeans.shape != (n, N_BANDS):
        raise ValueError(
            f"means/sdmeans must be ({n}, {N_BANDS}), got {means.shape}, {sdmeans.shape}"
        )
    if sizes is not None and len(sizes) != n:
        raise ValueError(f"{len(sizes)} sizes for {n} clusters")
    m = max(1, max(len(row) for row in images))
    fig = Figure(figsize=(1.45 * m + 8.5, 1.75 * n + 0.4), layout="constrained")
    grid = fig.add_gridspec(n, m + 2, width_ratios=(*([1.0] * m), 3.0, 3.4))
    for r, cluster in enumerate(cluster_ids):
        label = f"cluster {cluster}" + (f"\n({sizes[r]} frames)" if sizes is not None else "")
        for j in range(m):
            ax = fig.add_subplot(grid[r, j])
            ax.set_axis_off()
            if j < len(images[r]):
                ax.imshow(np.asarray(images[r][j]))
            if j == 0:
                ax.text(
                    -0.08,
                    0.5,
                    label,
                    transform=ax.transAxes,
                    rotation=90,
                    ha="right",
                    va="center",
                    fontsize=8,
                )
        title = "centroid: mean (bars), sd/mean as stored (line)" if r == 0 else ""
        draw_moments(fig.add_subplot(grid[r, m]), means[r], sdmeans[r], title)
        draw_cochleagram(
            fig.add_subplot(grid[r, m + 1]),
            cochleagrams[r],
            "cochleagram of leftmost frame" if r == 0 else "",
        )
    return save_figure(fig, out_png)


# ----------------------------------------------------------------------------- loader
def audio_clusters_from_files(
    ingest_dir: str | Path,
    sound_npz: str | Path,
    clusters_csv: str | Path,
    clusters_npz: str | Path,
    out_png: str | Path,
    n_clusters: int = 5,
    n_frames: int = 6,
    seed: int = 0,
    split: str = "test",
) -> dict[str, object]:
    """Load the cluster table/model, textures, frames and audio, then draw Fig. 3.

    Frames come from ``split`` of ``clusters_csv``; distances are measured in the scaled texture
    space the clusters were fitted in. Returns a JSON-able summary of the chosen clusters/frames.
    """
    model = ClusterModel.load(clusters_npz)
    table = pd.read_csv(clusters_csv, dtype={"frame_id": str, "video_id": str})
    table = table[table["split"] == split].reset_index(drop=True)
    if table.empty:
        raise ValueError(f"{clusters_csv}: no frames in split {split!r}")
    with np.load(sound_npz, allow_pickle=False) as z:
        rows = align_rows(z["frame_id"].astype(str), table["frame_id"].to_numpy(), "sound.npz")
        texture = np.asarray(z["texture"][rows], dtype=np.float64)  # (N, 502)
    if texture.shape[1] != model.centroids.shape[1]:
        raise ValueError(
            f"texture has {texture.shape[1]} dims but the clusters {model.centroids.shape[1]}"
        )
    X = scale_groups(texture, model.scaling)  # (N, 502) space of the centroids
    videos = table["video_id"].to_numpy()
    clusters = choose_clusters(
        table["label"].to_numpy(), videos, model.k, n_clusters, n_frames, seed
    )
    picks = select_cluster_frames(X, videos, model.centroids, clusters, n_frames)
    index = read_index(ingest_dir)
    frames = _load_rows(ingest_dir, index, table, picks)
    return _draw_from_rows(ingest_dir, model, table, clusters, frames, out_png, seed)


def _load_rows(
    ingest_dir: str | Path, index: pd.DataFrame, table: pd.DataFrame, picks: list[np.ndarray]
) -> list[pd.DataFrame]:
    """Index rows (shard_dir, jpg, audio_row, ...) of each cluster's picked frames."""
    out = []
    for pick in picks:
        ids = table["frame_id"].to_numpy()[pick]
        out.append(index.iloc[align_rows(index["frame_id"].to_numpy(), ids, "index.csv")])
    return out


def _draw_from_rows(
    ingest_dir: str | Path,
    model: ClusterModel,
    table: pd.DataFrame,
    clusters: np.ndarray,
    frames: list[pd.DataFrame],
    out_png: str | Path,
    seed: int,
) -> dict[str, object]:
    """Load images and leftmost audio, compute cochleagrams and moments, plot; summary dict."""
    sr = read_audio_rate(ingest_dir)
    images = [[load_frame_image(ingest_dir, row) for _, row in rows.iterrows()] for rows in frames]
    first = pd.concat([rows.iloc[:1] for rows in frames])
    waves = load_frame_audio(ingest_dir, first)  # (n, samples)
    env = cochlear_envelopes(waves, sr, dtype=torch.float64).numpy()  # (n, 32, T)
    moments = [centroid_moments(model.centroids[c], model.scaling) for c in clusters]
    sizes = [int((table["label"] == c).sum()) for c in clusters]
    png, pdf = plot_audio_clusters(
        images,
        np.stack([mo[0] for mo in moments]),
        np.stack([mo[1] for mo in moments]),
        list(env),
        [int(c) for c in clusters],
        out_png,
        sizes,
    )
    return {
        "clusters": [int(c) for c in clusters],
        "frames": {
            int(c): rows["frame_id"].tolist() for c, rows in zip(clusters, frames, strict=True)
        },
        "n_frames_in_cluster": dict(zip(map(int, clusters), sizes, strict=True)),
        "scaling": model.scaling,
        "seed": seed,
        "png": str(png),
        "pdf": str(pdf),
    }
