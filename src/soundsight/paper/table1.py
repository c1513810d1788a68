"""Table 1 of Owens et al. 2018: object detectors among conv5 units, and whether they are heard.

Replicated values come from :func:`soundsight.units.table1.table1_row` per model; published ones
only from ``paper/published/owens2018_table1.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from soundsight.paper.published_tables import load_published

# replicated model -> (published column, display name)
TABLE1_MODELS: dict[str, tuple[str, str]] = {
    "sound_cluster": ("Sound", "Sound (cluster)"),
    "scene": ("Places", "Scene (supervised, world) — analogue of Places"),
}

# published row -> (key of table1_row, scale to the published unit)
TABLE1_ROWS: dict[str, tuple[str, float]] = {
    "# Detectors": ("n_detectors", 1.0),
    "# Detectors for objects with characteristic sounds": ("n_sound_detectors", 1.0),
    "Videos with object sound": ("videos_with_object_sound", 100.0),
    "Characteristic sound rate": ("characteristic_sound_rate", 100.0),
}


def table1_with_published(rows: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Long table (row, model, column, replicated, published, unit) from per-model Table 1 rows."""
    published = load_published("owens2018", "table1")
    out = []
    for model, values in rows.items():
        column, display = TABLE1_MODELS[model]
        for row, (key, scale) in TABLE1_ROWS.items():
            pub = published[(published["row"] == row) & (published["column"] == column)]
            out.append(
                {
                    "row": row,
                    "model": model,
                    "column": display,
                    "replicated": float(values[key]) * scale,
                    "published": float(pub["value"].iloc[0]) if len(pub) else float("nan"),
                    "published_column": column,
                    "unit": pub["unit"].iloc[0] if len(pub) else "",
                    "n_units": int(values["n_units"]),
                }
            )
    return pd.DataFrame(out)


def table1_markdown(df: pd.DataFrame, top_k: int = 60, threshold: float = 0.6) -> str:
    """Rows of the paper, one column per model: ``replicated (published)``."""
    models = list(dict.fromkeys(df["column"]))
    lines = [
        "# Owens et al. 2018, Table 1: object-selective conv5 units",
        "",
        "Replicated on this run's held-out frames with automatic labels from ground-truth masks "
        f"(Zhou et al. 2015 protocol, top-{top_k} images, {threshold:.0%} threshold); "
        "published in parentheses "
        "(256 units, human labels, Flickr videos).",
        "",
        "| | " + " | ".join(models) + " |",
        "|---|" + "---:|" * len(models),
    ]
    for row in TABLE1_ROWS:
        cells = []
        for m in models:
            r = df[(df["row"] == row) & (df["column"] == m)].iloc[0]
            pub = "—" if pd.isna(r["published"]) else f"{r['published']:g}"
            rep = "—" if pd.isna(r["replicated"]) else f"{r['replicated']:.1f}"
            cells.append(f"{rep} ({pub})")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    n_units = ", ".join(f"{m}: {n}" for m, n in df.groupby("column")["n_units"].first().items())
    lines += ["", f"Units per model: {n_units}.", ""]
    return "\n".join(lines)


def write_table1(
    df: pd.DataFrame, csv_path: Path, md_path: Path, top_k: int = 60, threshold: float = 0.6
) -> None:
    """CSV (full precision) and Markdown."""
    df.to_csv(csv_path, index=False)
    Path(md_path).write_text(table1_markdown(df, top_k, threshold))
