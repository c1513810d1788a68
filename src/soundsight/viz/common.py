"""Shared figure helpers: saving PNG + PDF, cochleagram axes, and frame/audio loaders.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot), so plotting never
touches global state or needs a display.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image

from soundsight.audio.texture import ENV_SR, N_BANDS, cochlear_centres
from soundsight.data.ingest import load_shard_audio

logger = logging.getLogger(__name__)

DPI = 150
TICK_BANDS: tuple[int, ...] = (1, 8, 15, 22, 30)  # cosine bands labelled on frequency axes


# ----------------------------------------------------------------------------- saving
def save_figure(fig: Figure, out_png: str | Path) -> tuple[Path, Path]:
    """Write ``fig`` as ``out_png`` and as the same name with ``.pdf``; return both paths."""
    png = Path(out_png)
    if png.suffix.lower() != ".png":
        raise ValueError(f"figure path must end in .png, got {png}")
    pdf = png.with_suffix(".pdf")
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=DPI, bbox_inches="tight")
    fig.savefig(pdf, bbox_inches="tight")
    logger.info("wrote %s and %s", png, pdf)
    return png, pdf


# ----------------------------------------------------------------------------- frequency axes
def format_hz(freq: float) -> str:
    """Short frequency label: ``0.5``, ``85``, ``1.2k``, ``10k``."""
    if freq >= 1000:
        return f"{freq / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if freq < 10:
        return f"{freq:.1f}".rstrip("0").rstrip(".")
    return f"{freq:.0f}"


def band_ticks(bands: tuple[int, ...] = TICK_BANDS) -> tuple[list[int], list[str]]:
    """Band indices and their centre-frequency labels (Hz) for a 32-band axis.

    Bands 1..30 are the ERB-spaced half-cosines, whose peaks are ``cochlear_centres()``; the
    low-pass band 0 and high-pass band 31 have no centre and are not labelled.
    """
    centres = cochlear_centres()  # (30,) Hz
    bad = [b for b in bands if not 1 <= b <= len(centres)]
    if bad:
        raise ValueError(f"tick bands must lie in 1..{len(centres)}, got {bad}")
    return list(bands), [format_hz(centres[b - 1]) for b in bands]


def set_band_axis(ax: Axes, axis: str = "y", label: str = "frequency (Hz)") -> None:
    """Label a 32-band axis (``"x"`` or ``"y"``) with centre frequencies (ERB ~ log spacing)."""
    ticks, labels = band_ticks()
    if axis == "y":
        ax.set_yticks(ticks, labels)
        ax.set_ylabel(label)
    elif axis == "x":
        ax.set_xticks(ticks, labels)
        ax.set_xlabel(label)
    else:
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")


def draw_cochleagram(ax: Axes, env: np.ndarray, title: str = "") -> AxesImage:
    """Draw a compressed cochleagram ``(32, T)`` at 400 Hz: time (s) by band, low bands down."""
    env = np.asarray(env)
    if env.ndim != 2 or env.shape[0] != N_BANDS:
        raise ValueError(f"cochleagram must be ({N_BANDS}, T), got shape {env.shape}")
    duration = env.shape[1] / ENV_SR
    image = ax.imshow(
        env,
        origin="lower",
        aspect="auto",
        cmap="magma",
        interpolation="nearest",
        extent=(0.0, duration, -0.5, N_BANDS - 0.5),
    )
    set_band_axis(ax, "y")
    ax.set_xlabel("time (s)")
    if title:
        ax.set_title(title, fontsize=9)
    return image


# ----------------------------------------------------------------------------- loaders
def align_rows(frame_ids: np.ndarray, wanted: np.ndarray, what: str) -> np.ndarray:
    """Positions of ``wanted`` ids in ``frame_ids``; KeyError naming missing ids and ``what``."""
    pos = pd.Index(np.asarray(frame_ids).astype(str))
    if not pos.is_unique:
        raise ValueError(f"{what}: frame ids are not unique")
    idx = pos.get_indexer(np.asarray(wanted).astype(str))
    if (idx < 0).any():
        missing = np.asarray(wanted)[idx < 0][:5].tolist()
        raise KeyError(f"{what}: {int((idx < 0).sum())} frame id(s) missing, e.g. {missing}")
    return idx


def read_index(ingest_dir: str | Path) -> pd.DataFrame:
    """The ingest ``index.csv`` (one row per frame) with string ids."""
    path = Path(ingest_dir) / "index.csv"
    if not path.is_file():
        raise FileNotFoundError(f"ingest index not found: {path}")
    return pd.read_csv(path, dtype={"frame_id": str, "video_id": str, "shard_dir": str})


def read_audio_rate(ingest_dir: str | Path) -> int:
    """Sample rate (Hz) of the ingested audio windows, from ``ingest_summary.json``."""
    path = Path(ingest_dir) / "ingest_summary.json"
    if not path.is_file():
        raise FileNotFoundError(f"ingest summary not found: {path}")
    summary = json.loads(path.read_text(encoding="utf-8"))
    if summary.get("audio_rate") is None:
        raise KeyError(f"{path}: no 'audio_rate' entry")
    return int(summary["audio_rate"])


def load_frame_audio(ingest_dir: str | Path, rows: pd.DataFrame) -> np.ndarray:
    """Audio windows ``(len(rows), n)`` float32 of index rows (``shard_dir``, ``audio_row``)."""
    if rows.empty:
        raise ValueError("no frames given to load audio for")
    rows = rows.reset_index(drop=True)
    out: np.ndarray | None = None
    for shard_dir, group in rows.groupby("shard_dir", sort=False):
        audio = load_shard_audio(Path(ingest_dir) / str(shard_dir))  # (n_frames, n) memmap
        block = np.asarray(audio[group["audio_row"].to_numpy()], dtype=np.float32)
        if out is None:
            out = np.empty((len(rows), audio.shape[1]), dtype=np.float32)
        out[group.index.to_numpy()] = block
    assert out is not None
    return out  # (n_rows, n_samples)


def load_frame_image(ingest_dir: str | Path, row: pd.Series) -> np.ndarray:
    """RGB image ``(H, W, 3)`` uint8 of one index row (``shard_dir`` / ``jpg``)."""
    path = Path(ingest_dir) / str(row["shard_dir"]) / str(row["jpg"])
    if not path.is_file():
        raise FileNotFoundError(f"frame image not found: {path}")
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))
