"""Owens et al. 2018 Fig. 11: VOC mAP against the number of sound clusters (no printed numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from soundsight.report.results import probe_percent
from soundsight.viz.common import save_figure


def cluster_sweep(probe_dir: Path, ks: Sequence[int], layer: str) -> pd.DataFrame:
    """Fig. 11 data: VOC mAP (%) at ``layer`` of the sweep models ``sweep_k{k}``."""
    maps = [
        probe_percent(Path(probe_dir) / f"sweep_k{k}" / "voc.json", "map11", [layer])[layer]
        for k in ks
    ]
    return pd.DataFrame({"k": list(ks), "map": maps})


def plot_fig11(sweep: pd.DataFrame, layer: str, out_png: Path) -> tuple[Path, Path]:
    """Fig. 11: VOC mAP vs the number of sound clusters (log-scaled k)."""
    fig = Figure(figsize=(4.0, 3.0))
    ax = fig.subplots()
    ax.plot(sweep["k"], sweep["map"], marker="o")
    ax.set_xscale("log")
    ax.set_xticks(list(sweep["k"]), [str(k) for k in sweep["k"]])
    ax.set_xlabel("number of sound clusters k")
    ax.set_ylabel(f"VOC mAP % ({layer})")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, out_png)
