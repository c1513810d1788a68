"""Objects that Sound's localisation figures (Fig. 6 and Sect. 4's examples).

Each row is one localisation frame: the frame with its sounding object's box (green) and any
silent sound maker's box (grey), then AVOL-Net's map with the frame's own audio (its mode
marked) and the map with a mismatched frame's audio (another category; the paper's "drums on
a violin frame"), both on one colour scale [0, 1] and upsampled to the frame. The rows show
the frames with two sound makers first (the paper's "two instruments of which one sounds"),
then the others, at most ``n_rows``, each row's title naming its hit and peaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from soundsight.data.localisation import read_localisation
from soundsight.eval.localisation import upsample_maps
from soundsight.probes.extract import load_image
from soundsight.report.results import read_npz
from soundsight.viz.common import save_figure

TWO = "two"  # frames.csv kind: a second, silent sound maker


def example_rows(arrays: Mapping[str, np.ndarray], n_rows: int) -> np.ndarray:
    """Indices of the frames shown: two-source frames first, then the others (file order)."""
    kinds = np.asarray(arrays["kind"]).astype(str)
    order = np.concatenate([np.flatnonzero(kinds == TWO), np.flatnonzero(kinds != TWO)])
    return order[: max(int(n_rows), 0)]


def _boxes(ax, objects: pd.DataFrame) -> None:
    for _, o in objects.iterrows():
        colour = "lime" if o["sounding"] else "0.6"
        ax.add_patch(
            Rectangle(
                (o["x0"] - 0.5, o["y0"] - 0.5), o["x1"] - o["x0"], o["y1"] - o["y0"],
                fill=False, edgecolor=colour, linewidth=1.5,
            )
        )  # fmt: skip


def plot_localisation(
    frames: pd.DataFrame, objects: pd.DataFrame, arrays: Mapping[str, np.ndarray], n_rows: int
) -> Figure:
    """The figure (see the module) from ``pointing.npz``'s arrays and the set's tables."""
    rows = example_rows(arrays, n_rows)
    if not len(rows):
        raise ValueError("no localisation frame to show")
    by_id = frames.set_index("image_id")
    ids = np.asarray(arrays["frame_ids"]).astype(str)
    fig = Figure(figsize=(7.5, 2.5 * len(rows)))
    axes = fig.subplots(len(rows), 3, squeeze=False)
    for r, i in enumerate(rows):
        frame = by_id.loc[ids[i]]
        size = (int(frame["height"]), int(frame["width"]))
        partner = int(arrays["partner"][i])
        sounding = objects[(objects["image_id"] == ids[i]) & objects["sounding"]]
        title = f"{ids[i]}: {sounding['category'].iloc[0]} sounds"
        axes[r, 0].imshow(load_image(frame["image"]))
        _boxes(axes[r, 0], objects[objects["image_id"] == ids[i]])
        axes[r, 0].set_title(title, fontsize=8)
        hit = "hit" if arrays["hits"][i] else "miss"
        panels = (
            (arrays["maps"][i], f"own audio: peak {arrays['peak'][i]:.2f} ({hit})"),
            (
                arrays["maps_mismatched"][i],
                f"{ids[partner] if partner >= 0 else 'no'} audio: "
                f"peak {arrays['peak_mismatched'][i]:.2f}",
            ),
        )
        for c, (m, text) in enumerate(panels, start=1):
            axes[r, c].imshow(upsample_maps(m, size)[0].numpy(), vmin=0.0, vmax=1.0, cmap="inferno")
            axes[r, c].set_title(text, fontsize=8)
        y, x = arrays["modes"][i]
        axes[r, 1].plot([x], [y], marker="x", color="cyan", markersize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("AVOL-Net localisation: frame, map with its audio, map with mismatched audio")
    fig.tight_layout()
    return fig


def localisation_figure(root: str | Path, pointing: str | Path, n_rows: int, out_png: Path) -> int:
    """The figure from the localisation set at ``root`` and a model's ``pointing.npz``;
    returns the number of rows drawn."""
    frames, objects = read_localisation(Path(root))
    arrays = read_npz(Path(pointing))
    fig = plot_localisation(frames, objects, arrays, n_rows)
    save_figure(fig, out_png)
    return len(example_rows(arrays, n_rows))
