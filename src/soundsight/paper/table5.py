"""Table 5 of Owens et al. 2018 (annotations vs binary vs cluster-30/120) and Fig. 11 (mAP vs k).

Replicated values are VOC 11-point mAP of the linear probes; published ones are read only from
``paper/published/owens2018_table5.csv``. Fig. 11 has no published numbers in the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from soundsight.paper.published_tables import load_published
from soundsight.viz.common import save_figure

LAYERS = ("max5", "pool5", "fc6", "fc7")


def voc_maps(probe_dir: Path, model: str) -> dict[str, float]:
    """A model's VOC mAP (%) per layer from ``probe_dir/model/voc.json``."""
    path = Path(probe_dir) / model / "voc.json"
    if not path.exists():
        raise FileNotFoundError(f"no VOC probe result for {model}: {path}")
    layers = json.loads(path.read_text())["layers"]
    return {layer: 100.0 * float(v["map11"]) for layer, v in layers.items()}


def build_table5(probe_dir: Path, rows: Mapping[str, str]) -> pd.DataFrame:
    """Long table (row, model, column, replicated, published) for ``rows`` {model: paper row}."""
    published = load_published("owens2018", "table5")
    out = []
    for model, row in rows.items():
        maps = voc_maps(probe_dir, model)
        for layer in LAYERS:
            column = f"VOC/{layer}"
            pub = published[(published["row"] == row) & (published["column"] == column)]
            out.append(
                {
                    "row": row,
                    "model": model,
                    "column": column,
                    "replicated": maps.get(layer, np.nan),
                    "published": float(pub["value"].iloc[0]) if len(pub) else np.nan,
                }
            )
    return pd.DataFrame(out)


def table5_markdown(df: pd.DataFrame, note: str) -> str:
    """One row per method, VOC mAP per layer as ``replicated (published)``."""
    lines = [
        "# Owens et al. 2018, Table 5: sound annotations vs unsupervised sound labels",
        "",
        note,
        "",
        "| Method | model | " + " | ".join(f"VOC {la}" for la in LAYERS) + " |",
        "|---|---|" + "---:|" * len(LAYERS),
    ]
    for (row, model), g in df.groupby(["row", "model"], sort=False):
        cells = g.set_index("column")
        vals = []
        for la in LAYERS:
            rep, pub = cells.loc[f"VOC/{la}", "replicated"], cells.loc[f"VOC/{la}", "published"]
            vals.append(f"{rep:.1f} ({'—' if pd.isna(pub) else f'{pub:g}'})")
        lines.append(f"| {row} | `{model}` | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def cluster_sweep(probe_dir: Path, ks: Sequence[int], layer: str) -> pd.DataFrame:
    """Fig. 11 data: VOC mAP (%) at ``layer`` of the sweep models ``sweep_k{k}``."""
    return pd.DataFrame(
        {"k": list(ks), "map": [voc_maps(probe_dir, f"sweep_k{k}")[layer] for k in ks]}
    )


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
