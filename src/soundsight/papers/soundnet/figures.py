"""SoundNet's Figs. 3, 4 and 5 for the sheet's distilled student (``soundnet8``).

- **Fig. 3** (confusions on ESC-50; DCASE 2013 beside it): the row-normalised confusion matrix
  of a layer probe's own test predictions over all folds, read from the probe's ``clips.npz``
  arrays ``labels_<bench>_f<k>`` / ``predictions_<bench>_f<k>``
  (:func:`soundsight.probes.clips.clips_npz_arrays`); no SVM is refitted here. Per-class
  accuracies go to a CSV beside the figure.
- **Fig. 4** (t-SNE of conv7 sound features): the paper embeds its 44-category annotated videos;
  here the stand-in is the world's mini-ESC-50 recordings, each one a conv7 feature mean-pooled
  over its time steps (the probe's windows), embedded by :class:`sklearn.manifold.TSNE` without
  labels and coloured by class only for display.
- **Fig. 5** (conv1 filters): each first-layer filter as a waveform and its magnitude spectrum
  (Hz at the model's input rate), sorted by the spectrum's peak frequency.

Figures are :class:`matplotlib.figure.Figure` objects (Agg canvas, no pyplot state), saved as
PNG + PDF by :func:`soundsight.viz.common.save_figure`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix
from torch import nn

from soundsight.viz.common import save_figure
from soundsight.viz.tsne import (
    NEIGHBOURS,
    draw_classes,
    neighbour_agreement,
    same_class_chance,
    stratified_subset,
    tsne_embedding,
)

# Fig. 3's panels: probe dataset (its npz ``<dataset>_layers.npz``, benchmark
# ``<dataset>_<layer>``) -> panel title
CONFUSION_SETS = {"esc50": "ESC-50", "dcase2013": "DCASE 2013"}


# ----------------------------------------------------------------------------- Fig. 3
@dataclass(frozen=True)
class Confusion:
    """Test predictions of one probe, pooled over its folds."""

    name: str  # panel title, e.g. "ESC-50"
    labels: np.ndarray  # (N,) true class of each test recording
    predictions: np.ndarray  # (N,) predicted class
    fold_accuracies: tuple[float, ...]  # (K,) per fold, as the probe summary has them

    @property
    def classes(self) -> np.ndarray:
        """Sorted classes seen as a label or a prediction (K,)."""
        return np.unique(np.concatenate([self.labels, self.predictions]))

    @property
    def counts(self) -> np.ndarray:
        """Confusion counts (K, K): row = true class, column = predicted."""
        return confusion_matrix(self.labels, self.predictions, labels=self.classes)

    @property
    def normalised(self) -> np.ndarray:
        """Row-normalised confusion (K, K); a row of a class never a label is all zeros."""
        counts = self.counts.astype(np.float64)
        support = counts.sum(axis=1, keepdims=True)  # (K, 1)
        return np.divide(counts, support, out=np.zeros_like(counts), where=support > 0)

    @property
    def accuracy(self) -> float:
        """Mean of the folds' accuracies (the number the probe's table shows)."""
        return float(np.mean(self.fold_accuracies))


def class_names(dataset: str, root: str | Path) -> dict[str, str]:
    """The probe's class codes (its ``target``, as str) -> class names, from the set's own
    table: ESC-50's ``category`` (meta/esc50.csv), DCASE 2013's scene ``label`` (file names)."""
    if dataset == "esc50":
        from soundsight.data.esc50 import read_esc50

        table, column = read_esc50(Path(root))[0], "category"
    elif dataset == "dcase2013":
        from soundsight.data.dcase2013 import read_dcase2013

        table, column = read_dcase2013(Path(root), classes=None)[0], "label"
    else:
        raise ValueError(f"no class names for {dataset!r}; expected esc50 or dcase2013")
    pairs = table[["target", column]].astype(str).drop_duplicates()
    if pairs["target"].duplicated().any():
        raise ValueError(
            f"{root}: a {dataset} target has several names: {pairs.to_dict('records')}"
        )
    return dict(zip(pairs["target"], pairs[column], strict=True))


def _named(codes: np.ndarray, names: Mapping[str, str] | None, what: str) -> np.ndarray:
    if names is None:
        return codes
    unknown = sorted(set(codes.tolist()) - set(names))
    if unknown:
        raise ValueError(f"{what}: class code(s) {unknown[:5]} have no name")
    return np.array([names[c] for c in codes.tolist()], dtype=str)


def read_confusion(
    arrays: Mapping[str, np.ndarray], bench: str, name: str, names: Mapping[str, str] | None = None
) -> Confusion:
    """A probe's predictions of benchmark ``bench`` (e.g. ``esc50_pool5``) from its npz arrays,
    folds 1..K pooled; each fold's ``correct`` must agree with its labels and predictions.
    ``names``: class code -> name (:func:`class_names`), applied to labels and predictions."""
    folds = sorted(int(k.rsplit("_f", 1)[1]) for k in arrays if k.startswith(f"correct_{bench}_f"))
    if not folds:
        raise ValueError(f"the probe arrays have no benchmark {bench!r} (no correct_{bench}_f<k>)")
    labels, predictions, accs = [], [], []
    for k in folds:
        keys = (f"labels_{bench}_f{k}", f"predictions_{bench}_f{k}")
        missing = [key for key in keys if key not in arrays]
        if missing:
            raise ValueError(
                f"the probe arrays lack {missing}: made before probes wrote their predictions; "
                "rerun the layer probe"
            )
        y, p = (np.asarray(arrays[key]).astype(str) for key in keys)  # (C_k,) each
        correct = np.asarray(arrays[f"correct_{bench}_f{k}"], dtype=bool)
        if y.shape != p.shape or y.shape != correct.shape or not np.array_equal(y == p, correct):
            raise ValueError(f"{bench} fold {k}: labels, predictions and correct disagree")
        labels.append(y)
        predictions.append(p)
        accs.append(float(correct.mean()))
    y, p = (_named(np.concatenate(v), names, name) for v in (labels, predictions))
    return Confusion(name, y, p, tuple(accs))


def check_summary_accuracy(confusion: Confusion, summary: Mapping, layer: str) -> None:
    """ValueError unless the probe summary's accuracy at ``layer`` is the confusion's."""
    layers = summary.get("layers", {})
    if layer not in layers:
        raise ValueError(f"{confusion.name}: layer {layer!r} was not probed: {list(layers)}")
    stored = float(layers[layer]["accuracy"])
    if not math.isclose(stored, confusion.accuracy, abs_tol=1e-9):
        raise ValueError(
            f"{confusion.name}: the summary says accuracy {stored:.6f} at {layer}, "
            f"the predictions give {confusion.accuracy:.6f}"
        )


def probe_root(root: str | Path) -> Path:
    """A probe set's folder from the path a rule names (DCASE: its world.json, beside it)."""
    root = Path(root)
    return root.parent if root.is_file() else root


def confusion_figure(
    datasets: Sequence[str],
    clips: Sequence[str | Path],
    summaries: Sequence[str | Path],
    roots: Sequence[str | Path],
    layer: str,
    out_png: Path,
    out_csv: Path,
) -> pd.DataFrame:
    """Fig. 3 from each dataset's probe arrays (``clips``: ``<dataset>_layers.npz``), checked
    against its summary; writes the figure and the per-class CSV and returns the latter."""
    from soundsight.report.results import read_json, read_npz

    confusions = []
    for dataset, npz, summary, root in zip(datasets, clips, summaries, roots, strict=True):
        if dataset not in CONFUSION_SETS:
            raise ValueError(f"no Fig. 3 panel for {dataset!r}; expected {list(CONFUSION_SETS)}")
        names = class_names(dataset, probe_root(root))
        bench = f"{dataset}_{layer}"
        confusion = read_confusion(read_npz(npz), bench, CONFUSION_SETS[dataset], names)
        check_summary_accuracy(confusion, read_json(summary, "layer-probe summary"), layer)
        confusions.append(confusion)
    frame = pd.concat([per_class_frame(c) for c in confusions], ignore_index=True)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False, float_format="%.2f")
    plot_confusions(confusions, Path(out_png), layer)
    return frame


def per_class_frame(confusion: Confusion) -> pd.DataFrame:
    """One row per class: test count, right, accuracy %, its most frequent wrong prediction."""
    counts = confusion.counts
    classes = confusion.classes
    rows = []
    for i, cls in enumerate(classes):
        wrong = counts[i].copy()
        wrong[i] = 0
        n = int(counts[i].sum())
        top = int(wrong.argmax())
        rows.append({
            "dataset": confusion.name, "class": cls, "n": n, "correct": int(counts[i, i]),
            "accuracy": 100.0 * counts[i, i] / n if n else float("nan"),
            "confused_with": classes[top] if wrong[top] else "",
            "confused_pct": 100.0 * wrong[top] / n if n else float("nan"),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _confusion_panel(ax: Axes, confusion: Confusion) -> None:
    classes = confusion.classes
    image = ax.imshow(confusion.normalised, cmap="Blues", vmin=0.0, vmax=1.0)
    ticks = np.arange(len(classes))
    size = max(4.0, min(8.0, 160.0 / len(classes)))
    ax.set_xticks(ticks, [str(c) for c in classes], rotation=90, fontsize=size)
    ax.set_yticks(ticks, [str(c) for c in classes], fontsize=size)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    n_folds = len(confusion.fold_accuracies)
    folds = f"mean of {n_folds} folds" if n_folds > 1 else "test set"
    ax.set_title(f"{confusion.name}: accuracy {100 * confusion.accuracy:.1f}% ({folds})")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="fraction of the row")


def plot_confusions(
    confusions: Sequence[Confusion], out_png: Path, layer: str
) -> tuple[Path, Path]:
    """Fig. 3: one row-normalised confusion matrix per probe set, side by side."""
    if not confusions:
        raise ValueError("no confusion matrices to plot")
    widths = [max(4.0, 0.22 * len(c.classes) + 2.5) for c in confusions]
    fig = Figure(figsize=(sum(widths), max(widths) * 0.85))
    axes = fig.subplots(1, len(confusions), gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, confusion in zip(axes[0], confusions, strict=True):
        _confusion_panel(ax, confusion)
    fig.suptitle(f"SoundNet-8 ({layer} probe): confusions over all test folds")
    fig.tight_layout()
    return save_figure(fig, out_png)


# ----------------------------------------------------------------------------- Fig. 4
def mean_pooled(windows: Sequence[np.ndarray]) -> np.ndarray:
    """One feature per recording (N, C): the mean of its (T, C) windows over time."""
    if not windows or any(w.ndim != 2 or not len(w) for w in windows):
        raise ValueError("need one non-empty (T, C) window array per recording")
    return np.stack([w.mean(axis=0) for w in windows]).astype(np.float64)


def esc50_recording_features(
    model: nn.Module, root: str | Path, layer: str, device: str = "cpu"
) -> pd.DataFrame:
    """ESC-50 recordings with one ``layer`` feature each: columns ``clip_id``, ``fold``,
    ``category``, ``esc10`` and ``feature`` ((C,) arrays: the layer's windows, as the probe
    makes them, mean-pooled over time)."""
    from soundsight.data.esc50 import read_esc50
    from soundsight.probes.waveform import layer_windows, read_wave

    clips = read_esc50(Path(root))[0]
    rate = model.input_spec.sample_rate
    waves = [read_wave(path, rate) for path in clips["path"]]  # (n,) each, [-1, 1]
    windows = layer_windows(model, waves, [layer], device)[layer]  # [(T, C)] per recording
    out = clips[["fold", "category", "esc10"]].copy()
    out.insert(0, "clip_id", [Path(path).stem for path in clips["path"]])
    out["feature"] = list(mean_pooled(windows))
    return out


def embed_recordings(
    recordings: pd.DataFrame, seed: int, perplexity: float, n_max: int
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Fig. 4's data: at most ``n_max`` recordings (stratified by ``category``) with their t-SNE
    position ``x``, ``y``; and the k-NN class agreement in feature space and in the embedding
    beside chance (the share of same-class pairs), which t-SNE never sees."""
    keep = stratified_subset(recordings["category"], n_max, seed)
    chosen = recordings.iloc[keep].reset_index(drop=True)
    X = np.stack(chosen["feature"].to_list())  # (N, C)
    points = tsne_embedding(X, seed, perplexity)  # (N, 2)
    y = chosen["category"].astype(str).to_numpy()
    stats = {
        "n_points": float(len(chosen)), "k": float(NEIGHBOURS),
        "agreement_features": neighbour_agreement(X, y),
        "agreement_tsne": neighbour_agreement(points, y),
        "agreement_chance": same_class_chance(y),
    }  # fmt: skip
    frame = chosen.drop(columns="feature").assign(x=points[:, 0], y=points[:, 1])
    return frame, stats


def tsne_title(stats: Mapping[str, float], layer: str, source: str) -> str:
    """Fig. 4's title: what is embedded and how well neighbours share a class."""
    k = int(stats["k"])
    return (
        f"t-SNE of SoundNet-8 {layer} features (mean over time) of {int(stats['n_points'])} "
        f"{source} recordings\n{k}-NN same-class share: {100 * stats['agreement_features']:.0f}% "
        f"in {layer} space, {100 * stats['agreement_tsne']:.0f}% in the embedding "
        f"(chance {100 * stats['agreement_chance']:.0f}%); labels only colour the points"
    )


def tsne_figure(
    model: nn.Module,
    root: str | Path,
    layer: str,
    seed: int,
    perplexity: float,
    n_max: int,
    out_png: Path,
    out_csv: Path,
    device: str = "cpu",
) -> dict[str, float]:
    """Fig. 4 on the ESC-50 set at ``root``: the figure, the points' CSV (clip, class, x, y)
    and the neighbour statistics (returned)."""
    recordings = esc50_recording_features(model, root, layer, device)
    frame, stats = embed_recordings(recordings, seed, perplexity, n_max)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False, float_format="%.4f")
    title = tsne_title(stats, layer, "ESC-50")
    plot_tsne(frame[["x", "y"]].to_numpy(), frame["category"], Path(out_png), title)
    return stats


def plot_tsne(
    points: np.ndarray, labels: Sequence[object], out_png: Path, title: str
) -> tuple[Path, Path]:
    """Fig. 4: the embedding (N, 2), one colour (and marker cycle) per class, legend outside."""
    classes = np.unique(np.asarray(labels).astype(str))
    fig = Figure(figsize=(8.0 if len(classes) > 25 else 7.0, 5.0))
    ax = fig.subplots()
    draw_classes(ax, points, labels)
    ax.set_title(title, fontsize=9)
    ax.legend(
        fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5), ncol=1 + len(classes) // 26
    )
    fig.tight_layout()
    return save_figure(fig, out_png)


# ----------------------------------------------------------------------------- Fig. 5
def first_conv_filters(model: nn.Module, layer: str = "conv1") -> np.ndarray:
    """The first 1-D convolution's weights in ``layer`` as (C_out, kernel) float64."""
    module = getattr(model, layer, None)
    if module is None:
        raise ValueError(f"{type(model).__name__} has no layer {layer!r}")
    convs = [m for m in module.modules() if isinstance(m, nn.Conv1d)]
    if not convs:
        raise ValueError(f"{type(model).__name__}.{layer} holds no Conv1d")
    w = convs[0].weight.detach().cpu().double().numpy()  # (C_out, C_in, kernel)
    if w.shape[1] != 1:
        raise ValueError(f"{layer} filters read {w.shape[1]} input channels, not a waveform")
    return w[:, 0, :]


def filter_spectra(filters: np.ndarray, rate: float, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (F,) in Hz and magnitude spectra (C, F) of filters (C, kernel), zero-padded
    to ``n_fft`` points (F = n_fft / 2 + 1)."""
    if filters.ndim != 2 or n_fft < filters.shape[1]:
        raise ValueError(
            f"need filters (C, kernel) with kernel <= n_fft={n_fft}, got {filters.shape}"
        )
    return np.fft.rfftfreq(n_fft, d=1.0 / rate), np.abs(np.fft.rfft(filters, n=n_fft, axis=1))


def peak_order(freqs: np.ndarray, spectra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Filter indices sorted by peak frequency (stable) and each filter's peak frequency (C,)."""
    peaks = freqs[spectra.argmax(axis=1)]  # (C,) Hz
    return np.argsort(peaks, kind="stable"), peaks


def filter_frame(filters: np.ndarray, rate: float, n_fft: int) -> pd.DataFrame:
    """Fig. 5's table: filters in plotted order with their peak frequency and L2 norm."""
    freqs, spectra = filter_spectra(filters, rate, n_fft)
    order, peaks = peak_order(freqs, spectra)
    return pd.DataFrame({
        "rank": np.arange(len(order)), "filter": order, "peak_hz": peaks[order],
        "norm": np.linalg.norm(filters[order], axis=1),
    })  # fmt: skip


def _khz(freq: float) -> str:
    """``700 Hz`` / ``2.5 kHz``."""
    return f"{freq:.0f} Hz" if freq < 1000 else f"{freq / 1000:.1f} kHz"


def plot_filters(
    filters: np.ndarray, rate: float, n_fft: int, out_png: Path, columns: int = 4
) -> tuple[Path, Path]:
    """Fig. 5: a grid, each cell a filter's waveform (top) over its magnitude spectrum (bottom),
    sorted by peak frequency."""
    freqs, spectra = filter_spectra(filters, rate, n_fft)
    order, peaks = peak_order(freqs, spectra)
    n = len(order)
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(2.6 * cols, 2.9 * rows))
    axes = fig.subplots(2 * rows, cols, squeeze=False)
    t_ms = 1000.0 * np.arange(filters.shape[1]) / rate
    for cell, index in enumerate(order):
        r, c = divmod(cell, cols)
        wave, spec = axes[2 * r, c], axes[2 * r + 1, c]
        wave.plot(t_ms, filters[index], lw=1.0, color="tab:blue")
        wave.axhline(0.0, lw=0.5, color="0.6")
        wave.set_title(f"filter {index}: peak {_khz(peaks[index])}", fontsize=8)
        wave.set_xlabel("ms", fontsize=7, labelpad=1)
        spec.plot(freqs, spectra[index], lw=1.0, color="tab:red")
        spec.set_xlim(0.0, rate / 2.0)
        spec.set_xlabel("Hz", fontsize=7, labelpad=1)
        for ax in (wave, spec):
            ax.tick_params(labelsize=6)
    for cell in range(n, rows * cols):
        r, c = divmod(cell, cols)
        axes[2 * r, c].set_axis_off()
        axes[2 * r + 1, c].set_axis_off()
    fig.suptitle(
        f"SoundNet-8 conv1: {n} learned filters (waveform, |FFT| at {rate:,.0f} Hz), "
        "by peak frequency",
        fontsize=9,
    )
    fig.tight_layout()
    return save_figure(fig, out_png)


def filters_figure(
    model: nn.Module, n_fft: int, out_png: Path, out_csv: Path, layer: str = "conv1"
) -> pd.DataFrame:
    """Fig. 5 of a waveform model: the figure and the filters' CSV (returned)."""
    filters = first_conv_filters(model, layer)  # (C, kernel)
    rate = float(model.input_spec.sample_rate)
    frame = filter_frame(filters, rate, n_fft)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False, float_format="%.4f")
    plot_filters(filters, rate, n_fft, Path(out_png))
    return frame
