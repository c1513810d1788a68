"""L3-Net Fig. 10: t-SNE of the trained and the untrained network's embeddings.

The paper embeds Kinetics-Sounds clips' vision and audio representations of the trained L3-Net
(a: audio, c: vision) and of the same network with random weights (b, d), coloured by action
only for display. Here the clips are the world's Kinetics-Sounds-style set and the
representations the subnets' ``pool4`` embeddings (:mod:`soundsight.probes.avc_embeddings`,
the ones Table 4 clusters), at most ``n_max`` clips (stratified by label), the same clips in
every panel. Each panel's title gives the k-NN same-class share in the embedding beside
chance, which t-SNE never sees (:func:`soundsight.viz.tsne.neighbour_agreement`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from soundsight.report.results import read_npz
from soundsight.viz.common import save_figure
from soundsight.viz.tsne import (
    draw_classes,
    neighbour_agreement,
    same_class_chance,
    stratified_subset,
    tsne_embedding,
)

PANELS = (("audio", "a"), ("vision", "c"))  # stream, the trained network's panel letter


def fig10_points(
    embeddings: Mapping[str, Mapping[str, np.ndarray]], seed: int, perplexity: float, n_max: int
) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Every panel's points (columns ``model, stream, item_id, label, x, y``) and its k-NN
    same-class share (``{"<model>/<stream>": {agreement, chance}}``); ``embeddings``: model ->
    its ``embeddings.npz`` arrays, in panel-column order (trained first). The models must
    share their clips."""
    first = next(iter(embeddings.values()))
    ids = np.asarray(first["item_ids"]).astype(str)
    labels = np.asarray(first["labels"]).astype(str)
    for model, arrays in embeddings.items():
        if not np.array_equal(np.asarray(arrays["item_ids"]).astype(str), ids):
            raise ValueError(f"{model}'s embeddings are of other clips than the first model's")
    keep = stratified_subset(labels, n_max, seed)
    frames, stats = [], {}
    for model, arrays in embeddings.items():
        for stream, _ in PANELS:
            points = tsne_embedding(np.asarray(arrays[stream])[keep], seed, perplexity)  # (n, 2)
            frames.append(
                pd.DataFrame(
                    {
                        "model": model,
                        "stream": stream,
                        "item_id": ids[keep],
                        "label": labels[keep],
                        "x": points[:, 0],
                        "y": points[:, 1],
                    }
                )  # fmt: skip
            )
            stats[f"{model}/{stream}"] = {
                "agreement": neighbour_agreement(points, labels[keep]),
                "chance": same_class_chance(labels[keep]),
            }
    return pd.concat(frames, ignore_index=True), stats


def plot_fig10(
    points: pd.DataFrame,
    stats: Mapping[str, Mapping[str, float]],
    titles: Mapping[str, str],
    out_png: Path,
) -> tuple[Path, Path]:
    """Fig. 10: one row per stream (audio, vision), one column per model (``titles``: model ->
    its column title, trained first); one legend of the labels."""
    models = list(titles)
    fig = Figure(figsize=(4.0 * len(models) + 1.8, 7.6))
    axes = fig.subplots(len(PANELS), len(models), squeeze=False)
    for r, (stream, letter) in enumerate(PANELS):
        for c, model in enumerate(models):
            ax = axes[r][c]
            part = points[(points["model"] == model) & (points["stream"] == stream)]
            draw_classes(ax, part[["x", "y"]].to_numpy(), part["label"], size=12)
            s = stats[f"{model}/{stream}"]
            panel = chr(ord(letter) + c)
            ax.set_title(
                f"({panel}) {stream}, {titles[model]}\n5-NN same class "
                f"{100 * s['agreement']:.0f}% (chance {100 * s['chance']:.0f}%)",
                fontsize=9,
            )
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, fontsize=7, loc="center right")
    fig.suptitle("L3-Net Fig. 10: t-SNE of pool4 embeddings (labels only colour the points)")
    fig.tight_layout(rect=(0, 0, 1 - 1.8 / (4.0 * len(models) + 1.8), 0.96))
    return save_figure(fig, out_png)


def fig10(
    embedding_files: Mapping[str, str | Path],
    titles: Mapping[str, str],
    seed: int,
    perplexity: float,
    n_max: int,
    out_png: Path,
    out_csv: Path,
) -> dict[str, dict[str, float]]:
    """Fig. 10 from the models' ``embeddings.npz`` files: the figure, its points' CSV and the
    panels' neighbour statistics (returned)."""
    embeddings = {model: read_npz(path) for model, path in embedding_files.items()}
    points, stats = fig10_points(embeddings, seed, perplexity, n_max)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    points.to_csv(out_csv, index=False, float_format="%.4f")
    plot_fig10(points, stats, titles, Path(out_png))
    return stats
