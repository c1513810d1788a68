"""L3-Net Fig. 10: t-SNE of the trained and the untrained network's embeddings.

The paper embeds Kinetics-Sounds clips' vision and audio representations of the trained L3-Net
(a: audio, c: vision) and of the same network with random weights (b, d), coloured by action
only for display. Here the clips are the world's Kinetics-Sounds-style set and the
representations the subnets' ``pool4`` embeddings (:mod:`soundsight.probes.avc_embeddings`,
the ones Table 4 clusters), at most ``n_max`` clips (stratified by label), the same clips in
every panel. Each panel's title gives the k-NN same-class share in the embedding beside
chance, which t-SNE never sees (:func:`soundsight.viz.tsne.neighbour_agreement`).

Figs. 3-8 (:func:`unit_maps_figures`): for a few ``pool4`` units of each subnet (those with a
preferred class first, :func:`soundsight.units.stream_maps.select_units`), the five clips of the
same set that activate the unit most, each with the unit's ``conv4_2`` map as a heat map over
the frame or the log-spectrogram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from torch import nn

from soundsight.probes.avc_audio import audio_spec
from soundsight.probes.avc_embeddings import image_spec_of, read_clip_inputs
from soundsight.report.results import read_npz
from soundsight.units.stream_maps import select_units, unit_heatmaps, vision_inputs
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


# ------------------------------------------------------------------------------------------------
# Figs. 3-8: units' top-5 clips with heat maps
# ------------------------------------------------------------------------------------------------

UNIT_STREAMS = ("vision", "audio")


def unit_rows(
    model: nn.Module,
    stream: str,
    arrays: Mapping[str, np.ndarray],
    manifest: str | Path,
    n_units: int,
) -> tuple[list[dict], list[tuple[np.ndarray, np.ndarray]]]:
    """The chosen units of one stream (their CSV rows) and, per unit, the heat maps and inputs
    of its top clips (:mod:`soundsight.units.stream_maps`)."""
    ids = np.asarray(arrays["item_ids"]).astype(str)
    labels = np.asarray(arrays["labels"]).astype(str)
    units = select_units(arrays[stream], labels, n_units)
    needed = sorted({ids[i] for u in units for i in u.top})
    image, audio = image_spec_of(model), audio_spec(model)
    clips = read_clip_inputs(
        manifest, image.resize_size, audio.sample_rate, audio.duration_s, keep=needed
    )
    where = {c: k for k, c in enumerate(clips.ids)}
    rows, panels = [], []
    for u in units:
        ks = [where[ids[i]] for i in u.top]
        if stream == "vision":
            x = vision_inputs(model, [clips.images[k] for k in ks])
        else:
            x = model.front_end(torch.from_numpy(np.stack([clips.waves[k] for k in ks])))
        panels.append(unit_heatmaps(model, stream, x, u.unit))
        for rank, i in enumerate(u.top, start=1):
            rows.append(
                {
                    "stream": stream, "unit": u.unit, "preferred": u.label or "",
                    "share": u.share, "rank": rank, "clip": ids[i], "label": labels[i],
                    "activation": float(arrays[stream][i, u.unit]),
                }
            )  # fmt: skip
    return rows, panels


def plot_unit_maps(
    stream: str, rows: pd.DataFrame, panels: Sequence[tuple[np.ndarray, np.ndarray]], out: Path
) -> tuple[Path, Path]:
    """One row per unit, its top clips left to right, each with the unit's heat map."""
    units = list(dict.fromkeys(rows["unit"]))
    n_top = int(rows["rank"].max())
    fig = Figure(figsize=(2.0 * n_top + 0.6, 2.1 * len(units)))
    axes = fig.subplots(len(units), n_top, squeeze=False)
    for r, (unit, (heat, shown)) in enumerate(zip(units, panels, strict=True)):
        part = rows[rows["unit"] == unit].sort_values("rank")
        for c, (_, row) in enumerate(part.iterrows()):
            ax = axes[r][c]
            if stream == "vision":
                ax.imshow(shown[c])
            else:
                ax.imshow(shown[c], origin="lower", aspect="auto", cmap="gray")
            ax.imshow(heat[c], alpha=0.45, cmap="jet", vmin=0, vmax=1, origin=(
                "lower" if stream == "audio" else "upper"
            ), aspect="auto" if stream == "audio" else None)  # fmt: skip
            ax.set_title(str(row["label"]), fontsize=7)
            ax.set_xticks([])
            ax.set_yticks([])
        pref = part["preferred"].iloc[0]
        tag = f"{pref} ({part['share'].iloc[0]}/{len(part)})" if pref else "no class"
        axes[r][0].set_ylabel(f"unit {unit}\n{tag}", fontsize=7)
    kind = "frames" if stream == "vision" else "log-spectrograms (time →, frequency ↑)"
    fig.suptitle(f"L3-Net {stream} pool4 units: top clips' {kind} with the unit's conv4_2 map")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return save_figure(fig, out)


def unit_maps_figures(
    model: nn.Module,
    embeddings: str | Path,
    manifest: str | Path,
    n_units: int,
    out_png: Mapping[str, Path],
    out_csv: Path,
) -> dict[str, int]:
    """Figs. 3-8's analogue for both streams (``out_png``: stream -> png) and their CSV of
    units and top clips; returns the units shown per stream."""
    arrays = read_npz(Path(embeddings))
    table, shown = [], {}
    for stream in UNIT_STREAMS:
        rows, panels = unit_rows(model, stream, arrays, manifest, n_units)
        plot_unit_maps(stream, pd.DataFrame(rows), panels, Path(out_png[stream]))
        table += rows
        shown[stream] = len(panels)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(table).to_csv(out_csv, index=False, float_format="%.5f")
    return shown
