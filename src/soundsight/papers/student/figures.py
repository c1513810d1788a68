"""The student reproduction's Figs. 3 and 4 (no numbers printed; regenerated from the runs).

- Fig. 3: VOC mAP after fine-tuning all layers against the number of sound-texture clusters,
  AlexNet and ResNet-18 (one model per k of ``student.sweep_k``);
- Fig. 4: sound texture vs MFCC clusters: per-class AP of the two AlexNets side by side, with
  their mAPs in the legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from soundsight.papers.student.tables import (
    alexnet,
    alexnet_mfcc,
    resnet18,
    summary_path,
)
from soundsight.report.results import finetune_class_ap, finetune_map
from soundsight.viz.common import save_figure

ARCHITECTURE_LABELS = {"alexnet": "AlexNet", "resnet18": "ResNet-18"}
SWEEP_MODELS = {"alexnet": alexnet, "resnet18": resnet18}


def sweep_frame(finetune_dir: str | Path, sweep_k: Sequence[int]) -> pd.DataFrame:
    """Fig. 3 data: one line per (architecture, k) with the model name and its mAP %."""
    rows = [
        {"architecture": arch, "k": k, "model": name(k)}
        for arch, name in SWEEP_MODELS.items()
        for k in sorted(sweep_k)
    ]
    frame = pd.DataFrame(rows)
    frame["map"] = [finetune_map(summary_path(finetune_dir, m)) for m in frame["model"]]
    return frame


def plot_fig3(sweep: pd.DataFrame, out_png: Path) -> tuple[Path, Path]:
    """Fig. 3: mAP vs the number of clusters (log-scaled k), one line per architecture."""
    fig = Figure(figsize=(4.5, 3.2))
    ax = fig.subplots()
    for arch, group in sweep.groupby("architecture", sort=False):
        label = ARCHITECTURE_LABELS.get(str(arch), str(arch))
        ax.plot(group["k"], group["map"], marker="o", label=label)
    ks = sorted(set(sweep["k"]))
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())  # only the swept k are labelled
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("number of sound-texture clusters k")
    ax.set_ylabel("VOC mAP % (all layers fine-tuned)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, out_png)


def texture_vs_mfcc(finetune_dir: str | Path, k: int) -> pd.DataFrame:
    """Fig. 4 data: per-class AP % of the texture and the MFCC AlexNet (all layers)."""
    texture = finetune_class_ap(summary_path(finetune_dir, alexnet(k)))
    mfcc = finetune_class_ap(summary_path(finetune_dir, alexnet_mfcc(k)))
    if list(texture) != list(mfcc):
        raise ValueError(f"the two runs have different classes: {list(texture)} vs {list(mfcc)}")
    return pd.DataFrame(
        {"class": list(texture), "texture": list(texture.values()), "mfcc": list(mfcc.values())}
    )


def plot_fig4(classes: pd.DataFrame, out_png: Path) -> tuple[Path, Path]:
    """Fig. 4: grouped per-class AP bars of the two targets; mAPs in the legend."""
    fig = Figure(figsize=(max(5.0, 0.45 * len(classes) + 1.5), 3.4))
    ax = fig.subplots()
    x = np.arange(len(classes))
    width = 0.4
    for offset, (column, label) in zip(
        (-width / 2, width / 2), (("texture", "sound texture"), ("mfcc", "MFCC")), strict=True
    ):
        mean = classes[column].mean()
        ax.bar(x + offset, classes[column], width, label=f"{label} (mAP {mean:.1f} %)")
    ax.set_xticks(x, list(classes["class"]), rotation=60, ha="right")
    ax.set_xlabel("class (VOC2007 protocol)")
    ax.set_ylabel("AP % (all layers fine-tuned)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, out_png)
