"""Claims audit: a paper's statements as predicates on replicated results, with paired bootstraps.

A :class:`Claim` names models on a left and a right side and a metric (VOC mAP or SUN accuracy at
one layer, or the sound-cluster prediction accuracy). The claim's statistic is the smallest
pairwise difference ``metric(left) - metric(right)`` over all (left, right) pairs, so "each of
{A1, A2} beats B" and "A beats every model of a set" hold only when every pair does.

The statistic is resampled with a **paired bootstrap over test images**: each resample draws test
image indices with replacement once, and every model is evaluated on the same indices (VOC: mAP
recomputed from the stored SVM decision values; SUN: per-image correctness, resampled within each
partition and averaged over partitions). The verdict follows the 95 % percentile interval:
``holds`` (above 0), ``fails`` (below 0), ``inconclusive`` (contains 0); a claim whose inputs
are missing is ``not evaluated`` with the reason. The paper's own numbers for the same rows are
compared point-wise (``paper_verdict``), read only from ``paper/published/``.
"""

from __future__ import annotations

import json
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from soundsight.paper.published_tables import published_value
from soundsight.probes.metrics import voc07_ap

logger = logging.getLogger(__name__)

PAIR_KINDS: tuple[str, ...] = ("greater", "each_greater", "greater_than_all")
CLUSTER_KINDS: tuple[str, ...] = ("above_chance", "above_majority")
KINDS: tuple[str, ...] = PAIR_KINDS + CLUSTER_KINDS
DATASETS: tuple[str, ...] = ("voc", "sun", "cluster")
VERDICTS: tuple[str, ...] = ("holds", "fails", "inconclusive", "not evaluated")
PAPER_VERDICTS: tuple[str, ...] = ("holds", "fails", "n/a")
CI_LEVEL = 95.0
AUDIT_COLUMNS: tuple[str, ...] = (
    "name",
    "text",
    "kind",
    "dataset",
    "layer",
    "left",
    "right",
    "observed",
    "ci_low",
    "ci_high",
    "verdict",
    "paper_verdict",
    "paper_difference",
    "n_images",
    "n_boot",
    "seed",
    "details",
    "paper_details",
    "reason",
)
CLUSTER_JSON = "cluster_accuracy.json"
CLUSTER_NPZ = "cluster_predictions.npz"
VOC_NPZ = "voc_scores.npz"
VOC_JSON = "voc.json"
SUN_NPZ = "sun_predictions.npz"
SUN_JSON = "sun.json"
SUMMARY_TOLERANCE = 1e-4  # |recomputed - stored| above this is logged as a warning


@dataclass(frozen=True)
class PublishedRef:
    """Where the paper's numbers for a claim's two sides live (a point comparison)."""

    paper: str
    table: str
    column: str
    left_rows: tuple[str, ...]
    right_rows: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # replicated models of the claim with no published row


@dataclass(frozen=True)
class Claim:
    """One statement of a paper as a predicate on replicated results.

    ``left``/``right`` are replicated model keys (directories under the probe folder); for the
    cluster kinds ``left`` is the model whose cluster predictions are audited and ``right`` is
    set to ``("chance",)`` or ``("majority",)``. ``layer`` is required for VOC and SUN claims.
    """

    name: str
    text: str
    kind: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    dataset: str
    layer: str | None = None
    published: PublishedRef | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Normalise single names to tuples and reject inconsistent claims."""
        left = (self.left,) if isinstance(self.left, str) else tuple(self.left)
        right = (self.right,) if isinstance(self.right, str) else tuple(self.right)
        if self.kind in CLUSTER_KINDS:
            right = ("chance",) if self.kind == "above_chance" else ("majority",)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)
        _validate_claim(self)

    def pairs(self) -> list[tuple[str, str]]:
        """Every (left, right) comparison the claim asserts."""
        return [(a, b) for a in self.left for b in self.right]


def _validate_claim(claim: Claim) -> None:
    """Raise ValueError naming what is inconsistent in a claim."""
    where = f"claim {claim.name!r}"
    if claim.kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {claim.kind!r}; expected one of {KINDS}")
    if claim.dataset not in DATASETS:
        raise ValueError(f"{where}: unknown dataset {claim.dataset!r}; expected {DATASETS}")
    if not claim.left or not claim.right:
        raise ValueError(f"{where}: both sides need at least one model")
    if claim.kind in CLUSTER_KINDS:
        if claim.dataset != "cluster" or claim.layer is not None or len(claim.left) != 1:
            raise ValueError(f"{where}: {claim.kind} needs dataset 'cluster', one model, no layer")
        return
    if claim.dataset == "cluster" or not claim.layer:
        raise ValueError(f"{where}: {claim.kind} needs dataset 'voc' or 'sun' and a layer")
    sizes = {"greater": (1, 1), "each_greater": (2, 1), "greater_than_all": (1, 2)}[claim.kind]
    if len(claim.left) < sizes[0] or len(claim.right) < sizes[1]:
        raise ValueError(
            f"{where}: {claim.kind} needs >= {sizes[0]} left and >= {sizes[1]} right models, "
            f"got {claim.left} and {claim.right}"
        )
    if claim.kind == "greater" and (len(claim.left), len(claim.right)) != (1, 1):
        raise ValueError(f"{where}: 'greater' compares exactly one model with one")
    if claim.kind == "greater_than_all" and len(claim.left) != 1:
        raise ValueError(f"{where}: 'greater_than_all' has exactly one left model")
    both = set(claim.left) & set(claim.right)
    if both:
        raise ValueError(f"{where}: models on both sides: {sorted(both)}")


# ------------------------------------------------------------------------------------------------
# resampling
# ------------------------------------------------------------------------------------------------


def bootstrap_indices(n: int, n_boot: int, seed: int, stream: str) -> np.ndarray:
    """Resampled indices (n_boot, n) into n test items; the same for every model compared.

    Determined by ``seed`` and a stream name (``voc``, ``sun/p1``, ``cluster``), so the
    indices do not depend on which claims are audited or in what order.
    """
    if n < 1 or n_boot < 1:
        raise ValueError(f"need n >= 1 items and n_boot >= 1 resamples, got n={n}, B={n_boot}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    rng = np.random.default_rng([seed, zlib.crc32(stream.encode())])
    return rng.integers(0, n, size=(n_boot, n))  # (B, n)


def percentile_interval(samples: np.ndarray, level: float = CI_LEVEL) -> tuple[float, float]:
    """Percentile interval of bootstrap samples (NaN samples ignored)."""
    tail = (100.0 - level) / 2
    lo, hi = np.nanpercentile(samples, [tail, 100.0 - tail])
    return float(lo), float(hi)


def verdict_of(low: float, high: float) -> str:
    """``holds`` if the interval lies above 0, ``fails`` if below, else ``inconclusive``."""
    if low > 0:
        return "holds"
    if high < 0:
        return "fails"
    return "inconclusive"


# ------------------------------------------------------------------------------------------------
# per-model statistics (observed value and bootstrap distribution, as fractions)
# ------------------------------------------------------------------------------------------------


@dataclass
class _VocReference:
    """The test set every VOC model is aligned to, with its resamples."""

    image_ids: np.ndarray  # (N,) str
    classes: np.ndarray  # (C,) str
    labels: np.ndarray  # (N, C) int8 in {+1, -1, 0}
    idx: np.ndarray  # (B, N) resampled rows
    valid: np.ndarray  # (B, C) class has a positive in the resample


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of an .npz file, naming the file when it is missing or unreadable."""
    if not path.is_file():
        raise FileNotFoundError(f"not found: {path}")
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file, naming the file when malformed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err


def _voc_map(scores: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> float:
    """11-point mAP of scores (N, C) over every class; names a class with no positives."""
    aps = []
    for c, name in enumerate(classes):
        try:
            aps.append(voc07_ap(scores[:, c], labels[:, c]))
        except ValueError as err:
            raise ValueError(f"VOC class {name!r}: {err}") from err
    return float(np.mean(aps))


def _voc_boot_map(scores: np.ndarray, ref: _VocReference, desc: str, progress: bool) -> np.ndarray:
    """mAP on every resample (B,), over the classes that have a positive in it."""
    out = np.full(len(ref.idx), np.nan)
    for b in tqdm(range(len(ref.idx)), desc=desc, disable=not progress, leave=False):
        rows = ref.idx[b]
        s, y = scores[rows], ref.labels[rows]  # (N, C) resampled
        aps = [voc07_ap(s[:, c], y[:, c]) for c in np.flatnonzero(ref.valid[b])]
        if aps:
            out[b] = np.mean(aps)
    return out


class _Stats:
    """Loads probe outputs lazily and caches each (dataset, model, layer) statistic."""

    def __init__(
        self, probe_dir: Path, cluster_dir: Path | None, n_boot: int, seed: int, progress: bool
    ) -> None:
        self.probe_dir, self.cluster_dir = Path(probe_dir), cluster_dir
        self.n_boot, self.seed, self.progress = n_boot, seed, progress
        self._voc_ref: _VocReference | None = None
        self._sun_idx: dict[int, np.ndarray] | None = None
        self._cache: dict[tuple[str, str, str], tuple[float, np.ndarray]] = {}
        self.n_images: dict[str, int] = {}

    # -- availability --------------------------------------------------------------------------
    def missing(self, claim: Claim) -> str | None:
        """Why a claim cannot be evaluated (missing files, models or layers), or None."""
        if claim.dataset == "cluster":
            return self._missing_cluster()
        name = VOC_NPZ if claim.dataset == "voc" else SUN_NPZ
        reasons = []
        for model in dict.fromkeys(claim.left + claim.right):
            path = self.probe_dir / model / name
            if not path.is_file():
                reasons.append(f"model {model!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                keys = data.files
            if not self._has_layer(claim, keys):
                reasons.append(f"{path} has no layer {claim.layer!r}")
        return "; ".join(reasons) or None

    @staticmethod
    def _has_layer(claim: Claim, keys: Sequence[str]) -> bool:
        """Whether an npz holds the claim's layer."""
        if claim.dataset == "voc":
            return f"scores_{claim.layer}" in keys
        return any(k.startswith(f"correct_{claim.layer}_p") for k in keys)

    def _missing_cluster(self) -> str | None:
        """Why the cluster-accuracy inputs are unavailable, or None."""
        if self.cluster_dir is None:
            return "no cluster-accuracy folder given"
        absent = [
            str(Path(self.cluster_dir) / f)
            for f in (CLUSTER_JSON, CLUSTER_NPZ)
            if not (Path(self.cluster_dir) / f).is_file()
        ]
        return f"missing {', '.join(absent)}" if absent else None

    # -- VOC -----------------------------------------------------------------------------------
    def _align_voc(self, model: str, data: dict[str, np.ndarray]) -> np.ndarray:
        """Row order that puts a model's test images in the reference order."""
        path = self.probe_dir / model / VOC_NPZ
        for key in ("classes", "image_ids", "labels"):
            if key not in data:
                raise ValueError(f"{path}: array {key!r} missing")
        ids, labels = data["image_ids"].astype(str), data["labels"]
        if self._voc_ref is None:
            self._set_voc_reference(path, ids, data["classes"].astype(str), labels)
            return np.arange(len(ids))
        ref = self._voc_ref
        if list(data["classes"].astype(str)) != list(ref.classes):
            raise ValueError(f"{path}: classes differ from the other models' {list(ref.classes)}")
        pos = {image_id: i for i, image_id in enumerate(ids)}
        if len(pos) != len(ids) or set(pos) != set(ref.image_ids.tolist()):
            raise ValueError(f"{path}: test image ids differ from the other models' (unpaired)")
        order = np.array([pos[i] for i in ref.image_ids])
        if not np.array_equal(labels[order], ref.labels):
            raise ValueError(f"{path}: labels differ from the other models' for the same images")
        return order

    def _set_voc_reference(
        self, path: Path, ids: np.ndarray, classes: np.ndarray, labels: np.ndarray
    ) -> None:
        """Fix the VOC test set and draw its resamples."""
        if labels.ndim != 2 or labels.shape != (len(ids), len(classes)):
            raise ValueError(f"{path}: labels {labels.shape} != (images, classes)")
        if len(set(ids.tolist())) != len(ids):
            raise ValueError(f"{path}: repeated image ids")
        labels = labels.astype(np.int8)
        idx = bootstrap_indices(len(ids), self.n_boot, self.seed, "voc")  # (B, N)
        valid = np.stack([(labels[rows] == 1).any(axis=0) for rows in idx])  # (B, C)
        self._voc_ref = _VocReference(ids, classes, labels, idx, valid)
        self.n_images["voc"] = len(ids)

    def voc(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed mAP and its bootstrap distribution (B,) for one model and layer."""
        key = ("voc", model, layer)
        if key not in self._cache:
            data = _load_npz(self.probe_dir / model / VOC_NPZ)
            order = self._align_voc(model, data)
            scores = data[f"scores_{layer}"][order].astype(np.float64)  # (N, C)
            ref = self._voc_ref
            assert ref is not None
            if scores.shape != ref.labels.shape:
                raise ValueError(f"{model} scores_{layer} {scores.shape} != {ref.labels.shape}")
            observed = _voc_map(scores, ref.labels, ref.classes)
            self._check_summary(model, VOC_JSON, layer, "map11", observed)
            boot = _voc_boot_map(scores, ref, f"bootstrap VOC {model}/{layer}", self.progress)
            self._cache[key] = (observed, boot)
        return self._cache[key]

    # -- SUN -----------------------------------------------------------------------------------
    def _sun_arrays(self, model: str, layer: str) -> list[np.ndarray]:
        """Per-partition correctness (Nk,) of one model and layer, partitions 1..K."""
        path = self.probe_dir / model / SUN_NPZ
        data = _load_npz(path)
        prefix = f"correct_{layer}_p"
        ks = sorted(int(k[len(prefix) :]) for k in data if k.startswith(prefix))
        if ks != list(range(1, len(ks) + 1)):
            raise ValueError(f"{path}: partitions of {layer!r} are {ks}, expected 1..K")
        parts = [data[f"{prefix}{k}"].astype(bool).ravel() for k in ks]
        if self._sun_idx is None:
            self._sun_idx = {
                k: bootstrap_indices(len(p), self.n_boot, self.seed, f"sun/p{k}")
                for k, p in enumerate(parts, start=1)
            }
            self.n_images["sun"] = sum(len(p) for p in parts)
        sizes = {k: idx.shape[1] for k, idx in self._sun_idx.items()}
        if {k: len(p) for k, p in enumerate(parts, start=1)} != sizes:
            raise ValueError(f"{path}: partition sizes differ from the other models' {sizes}")
        return parts

    def sun(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed mean accuracy over partitions and its bootstrap distribution (B,)."""
        key = ("sun", model, layer)
        if key not in self._cache:
            parts = self._sun_arrays(model, layer)
            assert self._sun_idx is not None
            observed = float(np.mean([p.mean() for p in parts]))
            boot = np.mean(
                [p[self._sun_idx[k]].mean(axis=1) for k, p in enumerate(parts, start=1)], axis=0
            )  # (B,) partition accuracies averaged
            self._check_summary(model, SUN_JSON, layer, "mean_accuracy", observed)
            self._cache[key] = (observed, boot)
        return self._cache[key]

    def _check_summary(self, model: str, name: str, layer: str, key: str, value: float) -> None:
        """Warn when the recomputed value disagrees with the probe's stored summary."""
        path = self.probe_dir / model / name
        if not path.is_file():
            return
        stored = _read_json(path).get("layers", {}).get(layer, {}).get(key)
        if stored is not None and abs(float(stored) - value) > SUMMARY_TOLERANCE:
            logger.warning(
                "%s %s %s: recomputed %.6f but the summary says %.6f",
                path,
                layer,
                key,
                value,
                stored,
            )

    # -- cluster prediction ----------------------------------------------------------------------
    def cluster(self, kind: str) -> tuple[float, np.ndarray, str]:
        """Observed accuracy minus the baseline, its bootstrap (B,), and a description."""
        folder = Path(self.cluster_dir)  # type: ignore[arg-type]
        summary = _read_json(folder / CLUSTER_JSON)
        data = _load_npz(folder / CLUSTER_NPZ)
        for key in ("correct", "majority_correct"):
            if key not in data:
                raise ValueError(f"{folder / CLUSTER_NPZ}: array {key!r} missing")
        correct = data["correct"].astype(np.float64).ravel()  # (N,)
        majority = data["majority_correct"].astype(np.float64).ravel()  # (N,)
        if majority.shape != correct.shape:
            raise ValueError(f"{folder / CLUSTER_NPZ}: correct and majority_correct differ in size")
        idx = bootstrap_indices(len(correct), self.n_boot, self.seed, "cluster")  # (B, N)
        self.n_images["cluster"] = len(correct)
        acc = correct.mean()
        stored = summary.get("accuracy")
        if stored is not None and abs(float(stored) - acc) > SUMMARY_TOLERANCE:
            logger.warning("%s: accuracy %.6f but predictions give %.6f", folder, stored, acc)
        if kind == "above_chance":
            if "chance" not in summary:
                raise KeyError(f"{folder / CLUSTER_JSON}: no 'chance' entry")
            chance = float(summary["chance"])
            if not 0.0 <= chance <= 1.0:
                raise ValueError(f"{folder / CLUSTER_JSON}: chance={chance} is not in [0, 1]")
            about = f"accuracy {100 * acc:.1f}% vs chance {100 * chance:.1f}%"
            return acc - chance, correct[idx].mean(axis=1) - chance, about
        gap = correct - majority  # (N,) paired per-image difference
        about = f"accuracy {100 * acc:.1f}% vs majority label {100 * majority.mean():.1f}%"
        return float(gap.mean()), gap[idx].mean(axis=1), about


# ------------------------------------------------------------------------------------------------
# claims
# ------------------------------------------------------------------------------------------------


def _fmt_ci(value: float, low: float, high: float) -> str:
    """``+1.2 [+0.3, +2.0]`` in percentage points."""
    return f"{value:+.1f} [{low:+.1f}, {high:+.1f}]"


def _pair_claim(claim: Claim, stats: _Stats) -> dict[str, Any]:
    """Evaluate a pairwise claim: smallest pairwise difference, jointly resampled."""
    metric = stats.voc if claim.dataset == "voc" else stats.sun
    assert claim.layer is not None
    observed, boots, details = [], [], []
    for a, b in claim.pairs():
        obs_a, boot_a = metric(a, claim.layer)
        obs_b, boot_b = metric(b, claim.layer)
        diff_obs, diff_boot = 100 * (obs_a - obs_b), 100 * (boot_a - boot_b)  # percentage points
        lo, hi = percentile_interval(diff_boot)
        details.append(f"{a} − {b}: {_fmt_ci(diff_obs, lo, hi)} {verdict_of(lo, hi)}")
        observed.append(diff_obs)
        boots.append(diff_boot)
    stat_boot = np.min(np.stack(boots), axis=0)  # (B,) worst pair in each resample
    low, high = percentile_interval(stat_boot)
    return {
        "observed": float(min(observed)),
        "ci_low": low,
        "ci_high": high,
        "verdict": verdict_of(low, high),
        "n_images": stats.n_images.get(claim.dataset, 0),
        "details": "; ".join(details),
    }


def _cluster_claim(claim: Claim, stats: _Stats) -> dict[str, Any]:
    """Evaluate a cluster-prediction claim (accuracy above chance or the majority label)."""
    observed, boot, about = stats.cluster(claim.kind)
    low, high = percentile_interval(100 * boot)
    return {
        "observed": 100 * observed,
        "ci_low": low,
        "ci_high": high,
        "verdict": verdict_of(low, high),
        "n_images": stats.n_images.get("cluster", 0),
        "details": about,
    }


def published_check(ref: PublishedRef | None) -> tuple[str, float, str]:
    """The same predicate on the paper's numbers: (verdict, smallest difference, details)."""
    if ref is None:
        return "n/a", math.nan, "no published numbers for this claim"
    diffs, parts = [], []
    try:
        for a in ref.left_rows:
            for b in ref.right_rows:
                va = published_value(ref.paper, ref.table, a, ref.column)
                vb = published_value(ref.paper, ref.table, b, ref.column)
                diffs.append(va - vb)
                parts.append(f"{a} {va:g} vs {b} {vb:g}")
    except KeyError as err:
        return "n/a", math.nan, f"published cell missing: {err.args[0]}"
    note = f"not in the paper: {', '.join(ref.skipped)}" if ref.skipped else ""
    if not diffs:
        return "n/a", math.nan, note or "no published rows on one side of the claim"
    note = f" ({note})" if note else ""
    worst = round(min(diffs), 6)  # printed values have one or two decimals
    return ("holds" if worst > 0 else "fails"), worst, "; ".join(parts) + note


def evaluate_claim(claim: Claim, stats: _Stats) -> dict[str, Any]:
    """One audit record for a claim (``not evaluated`` with the reason when inputs are missing)."""
    paper_verdict, paper_diff, paper_details = published_check(claim.published)
    record: dict[str, Any] = {
        "name": claim.name,
        "text": claim.text,
        "kind": claim.kind,
        "dataset": claim.dataset,
        "layer": claim.layer or "",
        "left": ", ".join(claim.left),
        "right": ", ".join(claim.right),
        "observed": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "verdict": "not evaluated",
        "paper_verdict": paper_verdict,
        "paper_difference": paper_diff,
        "n_images": 0,
        "n_boot": stats.n_boot,
        "seed": stats.seed,
        "details": "",
        "paper_details": paper_details,
        "reason": "",
    }
    reason = stats.missing(claim)
    if reason is not None:
        logger.warning("claim %s not evaluated: %s", claim.name, reason)
        record["reason"] = reason
        return record
    evaluate = _cluster_claim if claim.dataset == "cluster" else _pair_claim
    record.update(evaluate(claim, stats))
    return record


def run_audit(
    claims: Sequence[Claim],
    probe_dir: Path,
    cluster_dir: Path | None,
    n_boot: int = 1000,
    seed: int = 0,
    progress: bool = True,
) -> pd.DataFrame:
    """Evaluate every claim; one line per claim with AUDIT_COLUMNS (differences in points).

    ``probe_dir`` holds ``<model>/voc_scores.npz`` and ``<model>/sun_predictions.npz``;
    ``cluster_dir`` holds ``cluster_accuracy.json`` and ``cluster_predictions.npz`` (None:
    cluster claims are not evaluated). Every model and layer shares the resamples drawn from
    ``seed``, so the result is deterministic. Mismatched test sets between models raise.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    names = [c.name for c in claims]
    if len(set(names)) != len(names):
        raise ValueError(
            f"repeated claim names: {sorted({n for n in names if names.count(n) > 1})}"
        )
    cdir = None if cluster_dir is None else Path(cluster_dir)
    stats = _Stats(Path(probe_dir), cdir, n_boot, seed, progress)
    records = [evaluate_claim(c, stats) for c in claims]
    frame = pd.DataFrame.from_records(records, columns=list(AUDIT_COLUMNS))
    counts = frame["verdict"].value_counts().to_dict()
    logger.info("audit of %d claims: %s", len(frame), counts)
    return frame


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def audit_summary(df: pd.DataFrame) -> str:
    """``n held, n failed, n inconclusive, n not evaluated (of N claims)``."""
    counts = df["verdict"].value_counts()
    words = {
        "holds": "held",
        "fails": "failed",
        "inconclusive": "inconclusive",
        "not evaluated": "not evaluated",
    }
    parts = [f"{int(counts.get(v, 0))} {words[v]}" for v in VERDICTS]
    return f"{', '.join(parts)} (of {len(df)} claims)"


def _scope(rec: pd.Series) -> str:
    """``VOC pool5`` / ``SUN max5`` / ``cluster prediction``."""
    if rec["dataset"] == "cluster":
        return "cluster prediction"
    return f"{str(rec['dataset']).upper()} {rec['layer']}"


def _replication_cell(rec: pd.Series) -> str:
    """Observed difference with its interval, or the reason it is missing."""
    if rec["verdict"] == "not evaluated":
        return "—"
    return _fmt_ci(float(rec["observed"]), float(rec["ci_low"]), float(rec["ci_high"]))


def _paper_cell(rec: pd.Series) -> str:
    """The paper's verdict with its smallest published difference."""
    diff = float(rec["paper_difference"])
    return str(rec["paper_verdict"]) + ("" if math.isnan(diff) else f" ({diff:+.1f})")


def _methods_note(df: pd.DataFrame) -> str:
    """How the intervals and verdicts were obtained."""
    n_boot = ", ".join(str(v) for v in sorted(set(df["n_boot"]))) or "—"
    seed = ", ".join(str(v) for v in sorted(set(df["seed"]))) or "—"
    return (
        f"Methods: paired bootstrap over test images, B = {n_boot} resamples, seed {seed}. "
        "Each resample draws test images with replacement once and every model compared is "
        "evaluated on the same images: VOC mAP (11-point AP) is recomputed from the stored SVM "
        "decision values, leaving out for all models any class without a positive in the "
        "resample; SUN accuracy resamples images within each partition and averages the "
        "partition accuracies; cluster accuracy is the mean per-image correctness (the majority "
        "baseline resampled on the same images, chance fixed). A claim over several pairs "
        "(each of several models beats one, or one beats several) uses the smallest pairwise "
        f"difference in each resample. Verdict from the {CI_LEVEL:g}% percentile interval of "
        "the difference (percentage points): holds above 0, fails below 0, inconclusive when it "
        "contains 0. 'Paper' applies the same predicate to the published numbers of the "
        "corresponding rows (a point comparison, no interval)."
    )


def audit_markdown(df: pd.DataFrame, title: str) -> str:
    """A readable report: summary line, claims table, details, methods note."""
    missing = [c for c in AUDIT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not an audit frame: columns {missing} missing")
    lines = [f"# {title}", "", f"**Summary:** {audit_summary(df)}.", ""]
    lines.append(
        "| Claim | Scope | Paper says | Paper's numbers | "
        "Replication: difference [95% CI] (points) | Verdict |"
    )
    lines.append("|---|---|---|---|---:|---|")
    for _, rec in df.iterrows():
        cells = [
            f"`{rec['name']}`",
            _scope(rec),
            _md(rec["text"]),
            _paper_cell(rec),
            _replication_cell(rec),
            f"**{rec['verdict']}**",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Details", ""]
    for _, rec in df.iterrows():
        body = rec["reason"] if rec["verdict"] == "not evaluated" else rec["details"]
        lines.append(f"- `{rec['name']}` ({rec['left']} vs {rec['right']}): {_md(body)}")
        lines.append(f"  - paper: {_md(rec['paper_details'])}")
    lines += ["", _methods_note(df), ""]
    return "\n".join(lines)


def write_audit(df: pd.DataFrame, csv_path: Path, md_path: Path, title: str) -> None:
    """Write the audit as CSV and as the Markdown report."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    md_path.write_text(audit_markdown(df, title), encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)
