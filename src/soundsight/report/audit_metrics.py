"""The built-in metric plugins of the audit engine (:mod:`soundsight.report.audit`).

=====================  ============  ===========================================================
plugin                 dataset       inputs (keys of ``run_audit``'s ``inputs``)
=====================  ============  ===========================================================
``voc_map``            voc           ``probe_dir``: ``<model>/voc_scores.npz`` (+ ``voc.json``)
``sun_accuracy``       sun           ``probe_dir``: ``<model>/sun_predictions.npz`` (+ ``.json``)
``cluster_accuracy``   cluster       ``cluster_dir``: ``cluster_accuracy.json``, ``_predictions``
``unit_count``         units         ``unit_labels`` {model: labels.csv}, ``unit_groups``
``finetune_map``       voc_finetune  ``finetune_dir``: ``<model>/<mode>/voc_scores.npz`` (+ json)
``ndcg``               retrieval     ``retrieval_dir``: ``<model>/ndcg.npz`` (per query)
``avc_accuracy``       avc           ``avc_dir``: ``<model>/avc.npz`` (per pair)
``pointing``           localisation  ``localisation_dir``: ``<model>/pointing.npz`` (per frame)
``map_peak``           map_peak      ``localisation_dir``: the same file's ``peak`` and
                                    ``peak_mismatched`` (per frame)
``nmi``                nmi           ``nmi_dir``: ``<model>/nmi.npz`` (per item)
``clip_accuracy``      clips         ``clip_dir``: ``<model>/clips.npz`` (per clip, per fold), or
                                    ``clip_sources``: each key's npz per benchmark
=====================  ============  ===========================================================

VOC, SUN and cluster resample test images, paired across models (the same indices for every
model, drawn from the seed and a stream name); unit counts resample each model's units
(unpaired: two networks' units do not correspond). A new metric (nDCG, NMI, pointing
accuracy, ...) is one more :class:`~soundsight.report.audit.Metric` subclass registered with
:func:`~soundsight.report.audit.register_metric`, in its own module if it is a paper's own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score
from tqdm.auto import tqdm

from soundsight.eval.clusters import preferred_classes
from soundsight.probes.metrics import voc07_ap
from soundsight.report.audit import (
    Claim,
    Comparison,
    Metric,
    PowerCheck,
    bootstrap_indices,
    percentile_interval,
    published_check,
    register_metric,
)
from soundsight.report.results import read_json, read_npz

logger = logging.getLogger(__name__)

HELDOUT_NPZ = "heldout.npz"  # soundsight.train's per-item held-out results, per model folder
MODEL_METRICS = "metrics.json"
CLUSTER_JSON = "cluster_accuracy.json"
CLUSTER_NPZ = "cluster_predictions.npz"
VOC_NPZ = "voc_scores.npz"
VOC_JSON = "voc.json"
SUN_NPZ = "sun_predictions.npz"
SUN_JSON = "sun.json"
FINETUNE_NPZ = "voc_scores.npz"  # soundsight.eval.finetune's test logits, per run folder
FINETUNE_JSON = "finetune.json"
SUMMARY_TOLERANCE = 1e-4  # |recomputed - stored| above this is logged as a warning


# ------------------------------------------------------------------------------------------------
# per-model statistics over test images (VOC mAP, SUN accuracy)
# ------------------------------------------------------------------------------------------------


class _ProbeMetric(Metric):
    """A statistic per (model, layer) from ``<probe_dir>/<model>/<npz>``, paired over images.

    Subclasses implement :meth:`_compute` (observed fraction, bootstrap (B,)); the difference
    of a pair is reported in percentage points, ``100 * (a - b)``.
    """

    npz: str = ""
    summary: tuple[str, str] = ("", "")  # (json file, key) holding the probe's own value
    bounded = True

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        self.probe_dir = Path(inputs["probe_dir"]) if inputs.get("probe_dir") else None
        self._cache: dict[tuple[str, str], tuple[float, np.ndarray]] = {}
        self.n: int = 0

    def _has_layer(self, keys: Sequence[str], layer: str) -> bool:
        raise NotImplementedError

    def missing(self, claim: Claim) -> str | None:
        """Missing npz files or layers of the claim's models."""
        if self.probe_dir is None:
            return "no probe folder given"
        reasons = []
        for model in dict.fromkeys(claim.left + claim.right):
            path = self.probe_dir / model / self.npz
            if not path.is_file():
                reasons.append(f"model {model!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                keys = data.files
            if not self._has_layer(keys, str(claim.layer)):
                reasons.append(f"{path} has no layer {claim.layer!r}")
        return "; ".join(reasons) or None

    def _compute(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed value and bootstrap distribution (B,) of one model and layer (cached)."""
        if (model, layer) not in self._cache:
            self._cache[(model, layer)] = self._compute(model, layer)
        return self._cache[(model, layer)]

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """``100 * (a - b)`` on the observed data and on every (shared) resample."""
        assert claim.layer is not None
        obs_a, boot_a = self.value(a, claim.layer)
        obs_b, boot_b = self.value(b, claim.layer)
        return Comparison(100 * (obs_a - obs_b), 100 * (boot_a - boot_b))  # percentage points

    def n_items(self, claim: Claim) -> int:
        """Test images resampled."""
        return self.n

    def _check_summary(self, model: str, layer: str, value: float) -> None:
        """Warn when the recomputed value disagrees with the probe's stored summary."""
        name, key = self.summary
        assert self.probe_dir is not None
        path = self.probe_dir / model / name
        if not path.is_file():
            return
        stored = read_json(path).get("layers", {}).get(layer, {}).get(key)
        if stored is not None and abs(float(stored) - value) > SUMMARY_TOLERANCE:
            logger.warning(
                "%s %s %s: recomputed %.6f but the summary says %.6f",
                path,
                layer,
                key,
                value,
                stored,
            )


@dataclass
class _VocReference:
    """The test set every VOC model is aligned to, with its resamples."""

    image_ids: np.ndarray  # (N,) str
    classes: np.ndarray  # (C,) str
    labels: np.ndarray  # (N, C) int8 in {+1, -1, 0}
    idx: np.ndarray  # (B, N) resampled rows
    valid: np.ndarray  # (B, C) class has a positive in the resample


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


@register_metric("voc_map")
class VocMap(_ProbeMetric):
    """VOC07 11-point mAP recomputed from the stored SVM decision values (``scores_<layer>``)."""

    dataset = "voc"
    npz, summary = VOC_NPZ, (VOC_JSON, "map11")
    method = (
        "VOC mAP (11-point AP) is recomputed from the stored SVM decision values, leaving out "
        "for all models any class without a positive in the resample"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        self._ref: _VocReference | None = None

    def _has_layer(self, keys: Sequence[str], layer: str) -> bool:
        return f"scores_{layer}" in keys

    def _align(self, model: str, data: dict[str, np.ndarray]) -> np.ndarray:
        """Row order that puts a model's test images in the reference order."""
        path = self._npz_path(model)
        for key in ("classes", "image_ids", "labels"):
            if key not in data:
                raise ValueError(f"{path}: array {key!r} missing")
        ids, labels = data["image_ids"].astype(str), data["labels"]
        if self._ref is None:
            self._set_reference(path, ids, data["classes"].astype(str), labels)
            return np.arange(len(ids))
        ref = self._ref
        if list(data["classes"].astype(str)) != list(ref.classes):
            raise ValueError(f"{path}: classes differ from the other models' {list(ref.classes)}")
        pos = {image_id: i for i, image_id in enumerate(ids)}
        if len(pos) != len(ids) or set(pos) != set(ref.image_ids.tolist()):
            raise ValueError(f"{path}: test image ids differ from the other models' (unpaired)")
        order = np.array([pos[i] for i in ref.image_ids])
        if not np.array_equal(labels[order], ref.labels):
            raise ValueError(f"{path}: labels differ from the other models' for the same images")
        return order

    def _set_reference(
        self, path: Path, ids: np.ndarray, classes: np.ndarray, labels: np.ndarray
    ) -> None:
        """Fix the test set (the first model loaded) and draw its resamples."""
        if labels.ndim != 2 or labels.shape != (len(ids), len(classes)):
            raise ValueError(f"{path}: labels {labels.shape} != (images, classes)")
        if len(set(ids.tolist())) != len(ids):
            raise ValueError(f"{path}: repeated image ids")
        labels = labels.astype(np.int8)
        idx = bootstrap_indices(len(ids), self.n_boot, self.seed, "voc")  # (B, N)
        valid = np.stack([(labels[rows] == 1).any(axis=0) for rows in idx])  # (B, C)
        self._ref = _VocReference(ids, classes, labels, idx, valid)
        self.n = len(ids)

    def _npz_path(self, model: str) -> Path:
        """The file holding a model's test scores."""
        assert self.probe_dir is not None
        return self.probe_dir / model / VOC_NPZ

    def _scores(self, data: dict[str, np.ndarray], layer: str) -> np.ndarray:
        """Test scores (N, C) of one layer."""
        return data[f"scores_{layer}"]

    def _compute(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed mAP and its bootstrap distribution (B,)."""
        data = read_npz(self._npz_path(model))
        order = self._align(model, data)
        scores = self._scores(data, layer)[order].astype(np.float64)  # (N, C)
        ref = self._ref
        assert ref is not None
        if scores.shape != ref.labels.shape:
            raise ValueError(f"{model} scores_{layer} {scores.shape} != {ref.labels.shape}")
        observed = _voc_map(scores, ref.labels, ref.classes)
        self._check_summary(model, layer, observed)
        boot = _voc_boot_map(scores, ref, f"bootstrap VOC {model}/{layer}", self.progress)
        return observed, boot


@register_metric("sun_accuracy")
class SunAccuracy(_ProbeMetric):
    """SUN397 accuracy: per-image correctness ``correct_<layer>_p<k>``, averaged over partitions."""

    dataset = "sun"
    npz, summary = SUN_NPZ, (SUN_JSON, "mean_accuracy")
    method = (
        "SUN accuracy resamples images within each partition and averages the partition accuracies"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        self._idx: dict[int, np.ndarray] | None = None

    def _has_layer(self, keys: Sequence[str], layer: str) -> bool:
        return any(k.startswith(f"correct_{layer}_p") for k in keys)

    def _parts(self, model: str, layer: str) -> list[np.ndarray]:
        """Per-partition correctness (Nk,) of one model and layer, partitions 1..K."""
        assert self.probe_dir is not None
        path = self.probe_dir / model / SUN_NPZ
        data = read_npz(path)
        prefix = f"correct_{layer}_p"
        ks = sorted(int(k[len(prefix) :]) for k in data if k.startswith(prefix))
        if ks != list(range(1, len(ks) + 1)):
            raise ValueError(f"{path}: partitions of {layer!r} are {ks}, expected 1..K")
        parts = [data[f"{prefix}{k}"].astype(bool).ravel() for k in ks]
        if self._idx is None:
            self._idx = {
                k: bootstrap_indices(len(p), self.n_boot, self.seed, f"sun/p{k}")
                for k, p in enumerate(parts, start=1)
            }
            self.n = sum(len(p) for p in parts)
        sizes = {k: idx.shape[1] for k, idx in self._idx.items()}
        if {k: len(p) for k, p in enumerate(parts, start=1)} != sizes:
            raise ValueError(f"{path}: partition sizes differ from the other models' {sizes}")
        return parts

    def _compute(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed mean accuracy over partitions and its bootstrap distribution (B,)."""
        parts = self._parts(model, layer)
        assert self._idx is not None
        observed = float(np.mean([p.mean() for p in parts]))
        boot = np.mean(
            [p[self._idx[k]].mean(axis=1) for k, p in enumerate(parts, start=1)], axis=0
        )  # (B,) partition accuracies averaged
        self._check_summary(model, layer, observed)
        return observed, boot


RUN_DIFFERENCE = " - "  # a key "(<run> - <run>)": the difference of two fine-tuned runs' mAP


@register_metric("finetune_map")
class FinetuneMap(VocMap):
    """VOC07 11-point mAP after fine-tuning, from ``<finetune_dir>/<run>/voc_scores.npz``.

    A key names a run folder ``<model>/<mode>`` (``scores`` (N, C): test logits, as
    :mod:`soundsight.eval.finetune` writes them), so one model's two modes can face each other
    (``m/all`` vs ``m/head``); or a difference ``(<run> - <run>)`` (parentheses optional),
    resampled on the same images,
    to compare gains (the gain from k=2 to k=30 vs that from k=30 to k=120). No layer.
    """

    dataset = "voc_finetune"
    needs_layer = False
    method = (
        "fine-tuned VOC mAP (11-point AP) is recomputed from each run's stored test logits, "
        "leaving out for all runs any class without a positive in the resample"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get("finetune_dir")
        self.folder = Path(folder) if folder else None

    @classmethod
    def scope(cls, layer: str) -> str:
        """Fine-tuned networks are not read at a layer."""
        return "VOC fine-tuned"

    @staticmethod
    def runs(key: str) -> list[str]:
        """The run folders a key reads (one, or the two sides of a difference)."""
        inner = key[1:-1] if key.startswith("(") and key.endswith(")") else key
        return [part.strip() for part in inner.split(RUN_DIFFERENCE)]

    def _npz_path(self, model: str) -> Path:
        assert self.folder is not None
        return self.folder / model / FINETUNE_NPZ

    def _scores(self, data: dict[str, np.ndarray], layer: str) -> np.ndarray:
        return data["scores"]

    def missing(self, claim: Claim) -> str | None:
        """Missing run folders or score arrays of the claim's keys."""
        if self.folder is None:
            return "no fine-tuning folder given"
        reasons = []
        keys = dict.fromkeys(claim.left + claim.right)
        for run in dict.fromkeys(r for key in keys for r in self.runs(key)):
            path = self._npz_path(run)
            if not path.is_file():
                reasons.append(f"run {run!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                if "scores" not in data.files:
                    reasons.append(f"{path} has no 'scores'")
        return "; ".join(reasons) or None

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed mAP and bootstrap (B,) of a run, or the difference of two runs'."""
        runs = self.runs(model)
        if len(runs) == 1:
            return super().value(runs[0], "")
        if len(runs) != 2:
            raise ValueError(f"{model!r}: a difference key has exactly two runs")
        obs_a, boot_a = super().value(runs[0], "")
        obs_b, boot_b = super().value(runs[1], "")
        return obs_a - obs_b, boot_a - boot_b

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """``100 * (a - b)`` on the observed data and on every (shared) resample."""
        obs_a, boot_a = self.value(a, "")
        obs_b, boot_b = self.value(b, "")
        return Comparison(100 * (obs_a - obs_b), 100 * (boot_a - boot_b))  # percentage points

    def _check_summary(self, model: str, layer: str, value: float) -> None:
        """Warn when the recomputed mAP disagrees with the run's ``finetune.json``."""
        assert self.folder is not None
        path = self.folder / model / FINETUNE_JSON
        stored = read_json(path).get("map11") if path.is_file() else None
        if stored is not None and abs(float(stored) - value) > SUMMARY_TOLERANCE:
            logger.warning("%s: recomputed %.6f but the summary says %.6f", path, value, stored)


# ------------------------------------------------------------------------------------------------
# pretext prediction accuracy against a baseline
# ------------------------------------------------------------------------------------------------


@register_metric("cluster_accuracy")
class ClusterAccuracy(Metric):
    """Accuracy of the pretext model's cluster predictions above chance or the majority label.

    Baseline kinds only (``above_chance``, ``above_majority``): one model on the left.
    """

    dataset = "cluster"
    pairwise, needs_layer = False, False
    baselines = {"above_chance": "chance", "above_majority": "majority"}
    method = (
        "cluster accuracy is the mean per-image correctness (the majority baseline resampled on "
        "the same images, chance fixed)"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get("cluster_dir")
        self.folder = None if folder is None else Path(folder)
        self.n = 0

    @classmethod
    def scope(cls, layer: str) -> str:
        """The pretext task is not read at a layer."""
        return "cluster prediction"

    def missing(self, claim: Claim) -> str | None:
        """Why the cluster-accuracy inputs are unavailable, or None."""
        if self.folder is None:
            return "no cluster-accuracy folder given"
        absent = [str(self.folder / f) for f in (CLUSTER_JSON, CLUSTER_NPZ)]
        absent = [f for f in absent if not Path(f).is_file()]
        return f"missing {', '.join(absent)}" if absent else None

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """Accuracy minus the baseline ``b`` in points, its bootstrap (B,), a description."""
        assert self.folder is not None
        summary = read_json(self.folder / CLUSTER_JSON)
        data = read_npz(self.folder / CLUSTER_NPZ)
        for key in ("correct", "majority_correct"):
            if key not in data:
                raise ValueError(f"{self.folder / CLUSTER_NPZ}: array {key!r} missing")
        correct = data["correct"].astype(np.float64).ravel()  # (N,)
        majority = data["majority_correct"].astype(np.float64).ravel()  # (N,)
        if majority.shape != correct.shape:
            raise ValueError(
                f"{self.folder / CLUSTER_NPZ}: correct and majority_correct differ in size"
            )
        idx = bootstrap_indices(len(correct), self.n_boot, self.seed, "cluster")  # (B, N)
        self.n = len(correct)
        acc = correct.mean()
        stored = summary.get("accuracy")
        if stored is not None and abs(float(stored) - acc) > SUMMARY_TOLERANCE:
            logger.warning("%s: accuracy %.6f but predictions give %.6f", self.folder, stored, acc)
        if b == "chance":
            if "chance" not in summary:
                raise KeyError(f"{self.folder / CLUSTER_JSON}: no 'chance' entry")
            chance = float(summary["chance"])
            if not 0.0 <= chance <= 1.0:
                raise ValueError(f"{self.folder / CLUSTER_JSON}: chance={chance} is not in [0, 1]")
            about = f"accuracy {100 * acc:.1f}% vs chance {100 * chance:.1f}%"
            return Comparison(
                100 * (acc - chance), 100 * (correct[idx].mean(axis=1) - chance), about
            )
        gap = correct - majority  # (N,) paired per-image difference
        about = f"accuracy {100 * acc:.1f}% vs majority label {100 * majority.mean():.1f}%"
        return Comparison(100 * float(gap.mean()), 100 * gap[idx].mean(axis=1), about)

    def n_items(self, claim: Claim) -> int:
        """Test images of the pretext task."""
        return self.n


# ------------------------------------------------------------------------------------------------
# pretext generalisation (power checks)
# ------------------------------------------------------------------------------------------------


@register_metric("pretext_heldout")
class PretextHeldout(Metric):
    """Whether a trained pretext model generalises, from ``<models_dir>/<model>/heldout.npz``.

    Baseline kinds, one model each, bootstrap over its held-out frames:

    - ``above_baseline``: held-out score minus the score of always giving the training
      majority answer (paired per frame), minus the option ``margin`` (points, default 0);
      the score is top-1 correctness (softmax) or the fraction of right bits (multi-label);
    - ``loss_gap_within``: the option ``bound`` (nats) minus the gap between the mean held-out
      loss and the final training loss of ``metrics.json`` (positive: the gap is within bound).
    """

    dataset = "pretext"
    pairwise, needs_layer = False, False
    baselines = {"above_baseline": "train-majority answer", "loss_gap_within": "training loss"}
    method = (
        "pretext checks resample each model's held-out frames (its score paired with the "
        "train-majority answer's; its loss against the fixed final training loss)"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get("models_dir")
        self.folder = None if folder is None else Path(folder)
        self.sizes: dict[str, int] = {}

    @classmethod
    def scope(cls, layer: str) -> str:
        """The pretext task is not read at a layer."""
        return "pretext held-out"

    def missing(self, claim: Claim) -> str | None:
        """Missing held-out or metrics files of the claim's model."""
        if self.folder is None:
            return "no models folder given"
        paths = [self.folder / claim.left[0] / f for f in (HELDOUT_NPZ, MODEL_METRICS)]
        absent = [str(p) for p in paths if not p.is_file()]
        return f"missing {', '.join(absent)}" if absent else None

    def _items(self, model: str) -> dict[str, np.ndarray]:
        """The per-frame arrays ``loss``, ``score``, ``baseline`` (N,) of one model."""
        assert self.folder is not None
        path = self.folder / model / HELDOUT_NPZ
        data = read_npz(path)
        for key in ("loss", "score", "baseline"):
            if key not in data:
                raise ValueError(f"{path}: array {key!r} missing")
        arrays = {k: data[k].astype(np.float64).ravel() for k in ("loss", "score", "baseline")}
        if len({a.shape for a in arrays.values()}) != 1 or not len(arrays["loss"]):
            raise ValueError(f"{path}: loss, score and baseline must be equal, non-empty (N,)")
        self.sizes[model] = len(arrays["loss"])
        return arrays

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """The margin of model ``a`` over its baseline ``b`` (positive: the check holds)."""
        items = self._items(a)
        idx = bootstrap_indices(len(items["loss"]), self.n_boot, self.seed, f"pretext/{a}")
        if claim.kind == "above_baseline":
            margin = float(dict(claim.options).get("margin", 0.0))
            gap = 100 * (items["score"] - items["baseline"])  # (N,) points, paired per frame
            about = (
                f"held-out {100 * items['score'].mean():.1f}% vs train-majority answer "
                f"{100 * items['baseline'].mean():.1f}% (margin {margin:g} points)"
            )
            return Comparison(float(gap.mean()) - margin, gap[idx].mean(axis=1) - margin, about)
        assert self.folder is not None
        train_loss = read_json(self.folder / a / MODEL_METRICS).get("final_train_loss")
        if train_loss is None:
            raise ValueError(f"{self.folder / a / MODEL_METRICS}: no final_train_loss")
        bound = float(dict(claim.options).get("bound", 1.0))
        held = items["loss"]
        about = (
            f"held-out loss {held.mean():.3f} vs final training loss {float(train_loss):.3f} "
            f"(gap bound {bound:g} nats)"
        )
        slack = bound - (held - float(train_loss))  # (N,) nats
        return Comparison(float(slack.mean()), slack[idx].mean(axis=1), about)

    def n_items(self, claim: Claim) -> int:
        """Held-out frames of the claim's model."""
        return self.sizes.get(claim.left[0], 0)


def pretext_checks(
    models: Sequence[str], margin: float, bound: float, guards: Sequence[str] = (),
    guarded: Mapping[str, Sequence[str]] | None = None,
) -> list[PowerCheck]:  # fmt: skip
    """For each trained pretext model: it beats the train-majority answer on held-out frames by
    ``margin`` points, and its held-out loss exceeds its final training loss by at most
    ``bound`` nats; each check guards the claims that mention the model (on ``guards`` metrics,
    all when empty), or, for a model in ``guarded``, those that mention one of the models it
    maps to (e.g. a teacher's checks guarding the claims on the students it taught)."""
    guarded = guarded or {}
    checks = []
    for model in models:
        on = tuple(guarded.get(model, (model,)))
        above = Claim(
            f"generalises_{model}",
            f"{model} predicts its pretext labels on held-out videos better than the "
            f"train-majority answer by more than {margin:g} points",
            "above_baseline", (model,), (), "pretext_heldout",
            options=(("margin", str(margin)),),
        )  # fmt: skip
        gap = Claim(
            f"loss_gap_{model}",
            f"{model}'s held-out loss exceeds its final training loss by less than {bound:g} "
            "nats (it does not merely memorise its training videos)",
            "loss_gap_within", (model,), (), "pretext_heldout",
            options=(("bound", str(bound)),),
        )  # fmt: skip
        checks += [PowerCheck(c, tuple(guards), on) for c in (above, gap)]
    return checks


# ------------------------------------------------------------------------------------------------
# unit counts
# ------------------------------------------------------------------------------------------------


def unit_claim(
    name: str,
    text: str,
    left: str,
    right: str,
    stat: str,
    which: str,
    published: Any = None,
) -> Claim:
    """``stat(left) - stat(right) > 0`` with stat ``count`` or ``share`` (% of a model's
    detectors) of the detectors of ``which`` ("all", or a named group of categories)."""
    options = (("stat", stat), ("which", which))
    return Claim(
        name, text, "greater", (left,), (right,), "unit_count", "conv5", published, options
    )


@register_metric("unit_count")
class UnitCount(Metric):
    """Counts (or shares) of object-detector units from ``units/<model>/labels.csv``."""

    dataset = "units"
    blank_items = ""

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        self.files = {m: Path(p) for m, p in (inputs.get("unit_labels") or {}).items()}
        groups = inputs.get("unit_groups") or {}
        self.groups = {name: set(cats) for name, cats in groups.items()}
        self.rng = np.random.default_rng(seed)  # one stream, drawn in claim order

    def check(self, claims: Sequence[Claim]) -> None:
        """Every claim names a known category group."""
        unknown = sorted({c.option("which") for c in claims} - set(self.groups) - {"all"})
        if unknown:
            raise ValueError(f"claims count detectors of unknown category groups {unknown}")

    def missing(self, claim: Claim) -> str | None:
        """Models without unit labels."""
        missing = [m for m in (*claim.left, *claim.right) if m not in self.files]
        return f"no unit labels for {missing}" if missing else None

    def _statistic(self, labels: pd.DataFrame, stat: str, which: str) -> float:
        det = labels[labels["is_detector"].astype(bool)]
        hits = (
            np.ones(len(det), bool) if which == "all" else det["category"].isin(self.groups[which])
        )
        if stat == "count":
            return float(np.sum(hits))
        return float(np.mean(hits)) * 100.0 if len(det) else 0.0

    def _boot(self, labels: pd.DataFrame, stat: str, which: str) -> np.ndarray:
        idx = self.rng.integers(0, len(labels), size=(self.n_boot, len(labels)))
        return np.array([self._statistic(labels.iloc[i], stat, which) for i in idx])

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """Difference of the statistic, each model's units resampled on their own."""
        stat, which = claim.option("stat"), claim.option("which")
        lab = {m: pd.read_csv(self.files[m]) for m in (a, b)}
        obs = self._statistic(lab[a], stat, which) - self._statistic(lab[b], stat, which)
        boot = self._boot(lab[a], stat, which) - self._boot(lab[b], stat, which)
        return Comparison(obs, boot, f"{stat} of {which} detectors, bootstrap over units")

    def n_items(self, claim: Claim) -> int:
        """Units of the left model."""
        return len(pd.read_csv(self.files[claim.left[0]]))

    def published(self, claim: Claim) -> tuple[str, float, str]:
        """The printed counts (or shares of the printed detector counts) of the two models."""
        ref = claim.published
        if ref is None:
            return "n/a", float("nan"), "the paper gives no number for this comparison"
        (lcol,), (rcol,) = ref.left_rows, ref.right_rows
        lv, rv = ref.value(lcol), ref.value(rcol)
        if ref.per is not None:  # share = this measure / the per measure
            ln, rn = ref.value(lcol, ref.per), ref.value(rcol, ref.per)
            lv, rv = 100.0 * lv / ln, 100.0 * rv / rn
        diff = lv - rv
        return ("holds" if diff > 0 else "fails"), diff, f"{lcol} {lv:.1f} vs {rcol} {rv:.1f}"


# ------------------------------------------------------------------------------------------------
# per-item statistics of the audio-visual papers (nDCG, AVC, pointing, NMI, clip accuracy)
# ------------------------------------------------------------------------------------------------

NDCG_NPZ = "ndcg.npz"  # <retrieval_dir>/<model>/: query_ids (Q,), ndcg_<direction> (Q,)
AVC_NPZ = "avc.npz"  # <avc_dir>/<model>/: pair_ids (N,), correct (N,)
POINTING_NPZ = "pointing.npz"  # <localisation_dir>/<model>/: frame_ids, hits, centre_hits (N,)
NMI_NPZ = "nmi.npz"  # <nmi_dir>/<model>/: item_ids, labels, clusters_<modality> (N,)
CLIPS_NPZ = "clips.npz"  # <clip_dir>/<model>/: correct_<benchmark>_f<k>, clip_ids_<...>_f<k>
AV_CHANCE = 0.5  # balanced correspondence pairs


@dataclass
class _ItemSet:
    """The items every model of one operand is aligned to, and their shared resamples."""

    ids: np.ndarray  # (N,) str, the first model's order
    idx: np.ndarray  # (B, N)
    labels: np.ndarray | None = None  # (N,) per-item labels that must agree (NMI)


class _PerItemMetric(Metric):
    """A mean of per-item values in ``<folder>/<model>/<npz>``, paired over items by their ids.

    Subclasses name the folder's input key, the file, the id array and :meth:`_array` (the
    per-item values of an operand). Models are aligned to the first one loaded; a model whose
    ids differ (a different test set) is resampled on its own (noted in the details). Values
    are fractions; differences are reported ×100 (points).
    """

    folder_key: ClassVar[str] = ""
    npz: ClassVar[str] = ""
    ids_key: ClassVar[str] = ""
    bounded = True
    blank_items = ""
    # printed values that are fractions (nDCG, NMI) are scaled to the replicated side's points
    published_scale: ClassVar[float] = 1.0

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get(self.folder_key)
        self.folder = Path(folder) if folder else None
        self._sets: dict[str, _ItemSet] = {}
        self._cache: dict[tuple[str, str], tuple[float, np.ndarray, bool]] = {}

    def _path(self, model: str) -> Path:
        assert self.folder is not None
        return self.folder / model / self.npz

    def _array(self, layer: str) -> str:
        """The npz array holding the per-item values of an operand."""
        raise NotImplementedError

    def missing(self, claim: Claim) -> str | None:
        """Missing folder, files or arrays of the claim's models."""
        if self.folder is None:
            return f"no {self.folder_key} given"
        reasons = []
        for model in dict.fromkeys(claim.left + claim.right):
            if model in self.baselines.values():
                continue
            path = self._path(model)
            if not path.is_file():
                reasons.append(f"model {model!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                keys = set(data.files)
            need = {self.ids_key, *self._needed(claim)}
            if need - keys:
                reasons.append(f"{path} lacks {sorted(need - keys)}")
        return "; ".join(reasons) or None

    def _needed(self, claim: Claim) -> list[str]:
        return [self._array(claim.layer or "")]

    def _items(self, model: str, layer: str, keys: Sequence[str]) -> tuple[list, _ItemSet, bool]:
        """Arrays ``keys`` of a model in its item set's order, the set, and whether it is shared."""
        path = self._path(model)
        data = read_npz(path)
        for key in (self.ids_key, *keys):
            if key not in data:
                raise ValueError(f"{path}: array {key!r} missing")
        ids = data[self.ids_key].astype(str).ravel()
        arrays = [data[k].ravel() for k in keys]
        if any(len(a) != len(ids) for a in arrays) or not len(ids):
            raise ValueError(f"{path}: {list(keys)} must match {self.ids_key} ({len(ids)},)")
        if len(set(ids.tolist())) != len(ids):
            raise ValueError(f"{path}: repeated {self.ids_key}")
        ref = self._sets.get(layer)
        if ref is None:
            ref = self._sets[layer] = self._new_set(ids, f"{self.name}/{layer}")
            return arrays, ref, True
        if set(ids.tolist()) != set(ref.ids.tolist()):
            own = self._new_set(ids, f"{self.name}/{layer}/{model}")
            return arrays, own, False
        pos = {item: i for i, item in enumerate(ids)}
        order = np.array([pos[i] for i in ref.ids])
        return [a[order] for a in arrays], ref, True

    def _new_set(self, ids: np.ndarray, stream: str) -> _ItemSet:
        return _ItemSet(ids, bootstrap_indices(len(ids), self.n_boot, self.seed, stream))

    def _statistic(self, model: str, layer: str) -> tuple[float, np.ndarray, bool]:
        """Observed mean, bootstrap (B,) and whether paired with the other models (nanmean)."""
        (values,), items, shared = self._items(model, layer, [self._array(layer)])
        v = values.astype(np.float64)  # (N,)
        return float(np.nanmean(v)), np.nanmean(v[items.idx], axis=1), shared

    def _value(self, model: str, layer: str) -> tuple[float, np.ndarray, bool]:
        if (model, layer) not in self._cache:
            self._cache[(model, layer)] = self._statistic(model, layer)
        return self._cache[(model, layer)]

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed value and bootstrap (B,) of one model (fractions)."""
        obs, boot, _ = self._value(model, layer)
        return obs, boot

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """``100 * (a - b)`` on the observed data and on every resample (paired when the
        two models share their items)."""
        layer = claim.layer or ""
        obs_a, boot_a, shared_a = self._value(a, layer)
        obs_b, boot_b, shared_b = self._value(b, layer)
        about = None
        if not (shared_a and shared_b):
            lo, hi = percentile_interval(100 * (boot_a - boot_b))
            about = (
                f"{a} − {b}: {100 * (obs_a - obs_b):+.1f} [{lo:+.1f}, {hi:+.1f}] "
                "(different items: resampled unpaired)"
            )
        return Comparison(100 * (obs_a - obs_b), 100 * (boot_a - boot_b), about)

    def n_items(self, claim: Claim) -> int:
        """Items resampled for the claim's operand."""
        ref = self._sets.get(claim.layer or "")
        return len(ref.ids) if ref is not None else 0

    def published(self, claim: Claim) -> tuple[str, float, str]:
        """The claim's predicate on the printed numbers, its difference in the replicated
        side's unit (``published_scale`` x the printed difference)."""
        verdict, diff, details = published_check(claim.published)
        return verdict, diff * self.published_scale, details


@register_metric("ndcg")
class Ndcg(_PerItemMetric):
    """nDCG@30 per query (``soundsight.eval.retrieval``), layer = direction (``im-aud`` ...)."""

    dataset = "retrieval"
    published_scale = 100.0  # printed as fractions (.578), compared in points
    folder_key, npz, ids_key = "retrieval_dir", NDCG_NPZ, "query_ids"
    method = (
        "nDCG@30 is the mean of the stored per-query values (undefined queries left out), "
        "queries resampled paired across models"
    )

    def _array(self, layer: str) -> str:
        return f"ndcg_{layer}"

    @classmethod
    def scope(cls, layer: str) -> str:
        """``nDCG@30 im-aud``."""
        return f"nDCG@30 {layer}"


@register_metric("avc_accuracy")
class AvcAccuracy(_PerItemMetric):
    """Audio-visual correspondence accuracy from per-pair correctness; ``above_chance``: 50%."""

    dataset = "avc"
    needs_layer = False
    baselines = {"above_chance": "chance"}
    folder_key, npz, ids_key = "avc_dir", AVC_NPZ, "pair_ids"
    method = (
        "AVC accuracy is the mean per-pair correctness on balanced held-out pairs, pairs "
        "resampled paired across models (chance fixed at 50%)"
    )

    def _array(self, layer: str) -> str:
        return "correct"

    @classmethod
    def scope(cls, layer: str) -> str:
        """The correspondence task is not read at a layer."""
        return "AVC held-out pairs"

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """Against chance: ``100 * (acc - 0.5)``; else the paired difference."""
        if b != "chance":
            return super().compare(a, b, claim)
        obs, boot = self.value(a, "")
        about = f"accuracy {100 * obs:.1f}% vs chance {100 * AV_CHANCE:.0f}%"
        return Comparison(100 * (obs - AV_CHANCE), 100 * (boot - AV_CHANCE), about)


class _InFileBaseline(_PerItemMetric):
    """Per-frame values of a model's ``localisation_dir`` file, with one baseline kind
    (``baselines``) read from another array of the same file, paired frame by frame."""

    dataset = "localisation"
    needs_layer = False
    folder_key, npz, ids_key = "localisation_dir", POINTING_NPZ, "frame_ids"
    values_key: ClassVar[str] = ""
    baseline_key: ClassVar[str] = ""
    measure: ClassVar[str] = ""  # how the about line names the values

    def _array(self, layer: str) -> str:
        return self.values_key

    def _needed(self, claim: Claim) -> list[str]:
        if claim.kind in self.baselines:
            return [self.values_key, self.baseline_key]
        return [self.values_key]

    @classmethod
    def scope(cls, layer: str) -> str:
        """Localisation frames."""
        return "localisation frames"

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """Against the in-file baseline: per-frame ``values - baseline`` in points."""
        (label,) = self.baselines.values()
        if b != label:
            return super().compare(a, b, claim)
        keys = [self.values_key, self.baseline_key]
        (own, base), items, _ = self._items(a, "", keys)
        gap = 100 * (own.astype(np.float64) - base.astype(np.float64))  # (N,) paired
        return Comparison(float(gap.mean()), gap[items.idx].mean(axis=1), self._about(own, base))

    def _about(self, own: np.ndarray, base: np.ndarray) -> str:
        """The details line: both means, in %."""
        (label,) = self.baselines.values()
        return f"{self.measure} {100 * own.mean():.1f}% vs {label} {100 * base.mean():.1f}%"


@register_metric("pointing")
class Pointing(_InFileBaseline):
    """Pointing accuracy from per-frame hits; ``above_centre``: paired with the centre
    baseline's hits ``centre_hits`` on the same frames (same file)."""

    dataset = "localisation"
    baselines = {"above_centre": "centre baseline"}
    values_key, baseline_key, measure = "hits", "centre_hits", "pointing"
    method = (
        "pointing accuracy is the mean per-frame hit of the map's mode, frames resampled "
        "paired across models and with the centre-of-image baseline"
    )


@register_metric("map_peak")
class MapPeak(_InFileBaseline):
    """The localisation map's peak (a probability) per frame with the frame's own audio;
    ``above_mismatched``: paired with the same frame's peak under a mismatched frame's audio
    (``peak_mismatched``, same file)."""

    dataset = "map_peak"
    baselines = {"above_mismatched": "mismatched audio"}
    values_key, baseline_key = "peak", "peak_mismatched"
    method = (
        "the map's peak is the maximum of the sigmoid localisation map, frames resampled "
        "paired with the same frames under a mismatched frame's audio"
    )

    def _about(self, own: np.ndarray, base: np.ndarray) -> str:
        """Peaks are probabilities: shown as such (the difference is in points)."""
        return f"mean peak {own.mean():.3f} vs {base.mean():.3f} with mismatched audio"


@register_metric("nmi")
class Nmi(_PerItemMetric):
    """NMI of stored cluster ids ``clusters_<modality>`` vs ``labels``, recomputed on each
    resample of the items (layer = modality: ``vision`` or ``audio``)."""

    dataset = "nmi"
    published_scale = 100.0  # printed as fractions (.578), compared in points
    folder_key, npz, ids_key = "nmi_dir", NMI_NPZ, "item_ids"
    method = (
        "NMI is recomputed from the stored cluster ids and labels on every resample of the "
        "items, paired across models (random assignment is a model folder of random ids)"
    )

    def _array(self, layer: str) -> str:
        return f"clusters_{layer}"

    def _needed(self, claim: Claim) -> list[str]:
        return [self._array(claim.layer or ""), "labels"]

    @classmethod
    def scope(cls, layer: str) -> str:
        """``NMI vision``."""
        return f"NMI {layer}"

    def _statistic(self, model: str, layer: str) -> tuple[float, np.ndarray, bool]:
        (clusters, labels), items, shared = self._items(
            model, layer, [self._array(layer), "labels"]
        )
        labels = labels.astype(str)
        if shared:
            if items.labels is None:
                items.labels = labels
            elif not np.array_equal(items.labels, labels):
                raise ValueError(f"{self._path(model)}: labels differ from the other models'")
        observed = float(normalized_mutual_info_score(labels, clusters))
        _, y = np.unique(labels, return_inverse=True)
        _, c = np.unique(clusters, return_inverse=True)
        boot = np.array([_nmi_codes(y[rows], c[rows]) for rows in items.idx])  # (B,)
        return observed, boot, shared


def _nmi_codes(y: np.ndarray, c: np.ndarray) -> float:
    """sklearn's NMI (arithmetic normalisation) of two integer codings (N,), from their
    contingency table (the same value, without sklearn's per-call checks)."""
    ny, nc = int(y.max()) + 1, int(c.max()) + 1
    joint = np.bincount(y * nc + c, minlength=ny * nc).reshape(ny, nc) / len(y)  # (Y, C)
    py, pc = joint.sum(axis=1), joint.sum(axis=0)
    py, pc = py[py > 0], pc[pc > 0]
    if len(py) == len(pc) == 1:
        return 1.0  # one class and one cluster: sklearn's convention
    nz = joint > 0
    outer = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    mi = float(np.sum(joint[nz] * np.log(joint[nz] / outer[nz])))
    h = -float(np.sum(py * np.log(py))) - float(np.sum(pc * np.log(pc)))
    return max(mi, 0.0) / max(h / 2, np.finfo(np.float64).eps)


EMBEDDINGS_NPZ = "kinetics_sounds.npz"  # <embeddings_dir>/<model>/: labels (N,), <stream> (N, U)


@register_metric("unit_preference")
class UnitPreference(Metric):
    """Classes covered by a model's units (L3-Net Sect. 4.4): a unit prefers a class when at
    least m of its top n clips are of that class (``soundsight.eval.clusters``); the statistic
    is how many classes some unit prefers. Read from the clips' embeddings
    ``<embeddings_dir>/<model>/kinetics_sounds.npz`` (layer = stream: each unit's activation is
    its ``pool4`` value, the global max of its map); option ``rule``: ``"4of5"`` / ``"3of5"``.
    """

    dataset = "preference"
    blank_items = ""
    method = (
        "classes covered are recounted on every resample of a model's units (with "
        "replacement), each model's units resampled on their own"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get("embeddings_dir")
        self.folder = Path(folder) if folder else None
        self.rng = np.random.default_rng(seed)  # one stream, drawn in claim order
        self._units: dict[tuple[str, str, str], np.ndarray] = {}

    def _path(self, model: str) -> Path:
        assert self.folder is not None
        return self.folder / model / EMBEDDINGS_NPZ

    def missing(self, claim: Claim) -> str | None:
        """Missing folder, files or streams of the claim's models."""
        if self.folder is None:
            return "no embeddings_dir given"
        reasons = []
        for model in dict.fromkeys(claim.left + claim.right):
            path = self._path(model)
            if not path.is_file():
                reasons.append(f"model {model!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                if not {"labels", str(claim.layer)} <= set(data.files):
                    reasons.append(f"{path} lacks labels or {claim.layer!r}")
        return "; ".join(reasons) or None

    def _preferred(self, model: str, stream: str, rule: str) -> np.ndarray:
        """Each unit's preferred class ('' for none), (U,) str."""
        key = (model, stream, rule)
        if key not in self._units:
            m, n = (int(v) for v in rule.split("of"))
            data = read_npz(self._path(model))
            prefs = preferred_classes(data[stream], data["labels"].astype(str), m, n)
            self._units[key] = np.array(["" if p is None else str(p) for p in prefs])
        return self._units[key]

    def _covered(self, units: np.ndarray) -> tuple[float, np.ndarray]:
        """Classes covered by ``units`` and by each of B resamples of them."""
        boot = np.empty(self.n_boot)
        for b in range(self.n_boot):
            drawn = units[self.rng.integers(0, len(units), size=len(units))]
            boot[b] = len(set(drawn.tolist()) - {""})
        return float(len(set(units.tolist()) - {""})), boot

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """Difference of the classes covered, each model's units resampled on their own."""
        rule, stream = claim.option("rule"), str(claim.layer)
        obs_a, boot_a = self._covered(self._preferred(a, stream, rule))
        obs_b, boot_b = self._covered(self._preferred(b, stream, rule))
        about = f"{a} {obs_a:.0f} vs {b} {obs_b:.0f} classes covered ({rule})"
        return Comparison(obs_a - obs_b, boot_a - boot_b, about)

    def n_items(self, claim: Claim) -> int:
        """Units of the left model."""
        return len(self._preferred(claim.left[0], str(claim.layer), claim.option("rule")))

    @classmethod
    def scope(cls, layer: str) -> str:
        """``pool4 vision units``."""
        return f"pool4 {layer} units"


@register_metric("clip_accuracy")
class ClipAccuracy(Metric):
    """Clip accuracy of the audio probe (ESC-50 folds, DCASE test), the mean over folds.

    ``<clip_dir>/<model>/clips.npz`` holds ``correct_<benchmark>_f<k>`` (N_k,) per fold k = 1..K
    (ESC-50: 5 test folds; DCASE 2013: one, the test set) and ``clip_ids_<benchmark>_f<k>``;
    layer = benchmark. Clips are resampled within each fold, paired across models.

    Or ``clip_sources`` ``{model key: {layer: (npz path, benchmark in the file)}}`` names each
    model key's file per claim layer: one network's layers, or baselines, become keys compared
    on one benchmark (SoundNet: ``soundnet8/pool5`` vs ``mfcc_svm/mfcc`` on ``esc50``).
    """

    dataset = "clips"
    bounded = True
    method = (
        "clip accuracy resamples the test clips within each fold (paired across models) and "
        "averages the fold accuracies"
    )

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        super().__init__(inputs, n_boot, seed, progress)
        folder = inputs.get("clip_dir")
        self.folder = Path(folder) if folder else None
        self.sources: Mapping[str, Mapping[str, tuple[str | Path, str]]] | None = inputs.get(
            "clip_sources"
        )
        self._ref: dict[str, list[np.ndarray]] = {}  # benchmark -> clip ids per fold
        self._idx: dict[str, list[np.ndarray]] = {}  # benchmark -> (B, N_k) per fold
        self._cache: dict[tuple[str, str], tuple[float, np.ndarray]] = {}

    @classmethod
    def scope(cls, layer: str) -> str:
        """``ESC50 clips``."""
        return f"{layer.upper()} clips"

    def missing(self, claim: Claim) -> str | None:
        """Missing files or benchmark folds of the claim's models."""
        if self.folder is None and self.sources is None:
            return "no clip_dir or clip_sources given"
        reasons = []
        for model in dict.fromkeys(claim.left + claim.right):
            source = self._source(model, claim.layer or "")
            if source is None:
                reasons.append(f"model {model!r} has no clip source for {claim.layer!r}")
                continue
            path, bench = source
            if not path.is_file():
                reasons.append(f"model {model!r} has no {path}")
                continue
            with np.load(path, allow_pickle=False) as data:
                if f"correct_{bench}_f1" not in data.files:
                    reasons.append(f"{path} has no correct_{bench}_f1")
        return "; ".join(reasons) or None

    def _source(self, model: str, layer: str) -> tuple[Path, str] | None:
        """The npz and the benchmark in it for ``model`` at claim layer ``layer``."""
        if self.sources is None:
            assert self.folder is not None
            return self.folder / model / CLIPS_NPZ, layer
        found = self.sources.get(model, {}).get(layer)
        return None if found is None else (Path(found[0]), found[1])

    def _folds(self, model: str, bench: str) -> list[np.ndarray]:
        """Per-fold correctness (N_k,) in the reference clip order, folds 1..K."""
        source = self._source(model, bench)
        if source is None:
            raise ValueError(f"model {model!r} has no clip source for {bench!r}")
        path, key = source
        data = read_npz(path)
        prefix = f"correct_{key}_f"
        ks = sorted(int(k[len(prefix) :]) for k in data if k.startswith(prefix))
        if ks != list(range(1, len(ks) + 1)):
            raise ValueError(f"{path}: folds of {key!r} are {ks}, expected 1..K")
        folds = []
        for k in ks:
            correct = data[f"{prefix}{k}"].astype(np.float64).ravel()
            ids = data.get(f"clip_ids_{key}_f{k}")
            ids = np.arange(len(correct)).astype(str) if ids is None else ids.astype(str).ravel()
            if len(ids) != len(correct) or len(set(ids.tolist())) != len(ids):
                raise ValueError(f"{path}: clip_ids_{key}_f{k} must be unique, one per clip")
            folds.append((ids, correct))
        if bench not in self._ref:
            self._ref[bench] = [ids for ids, _ in folds]
            self._idx[bench] = [
                bootstrap_indices(len(ids), self.n_boot, self.seed, f"clips/{bench}/f{k}")
                for k, (ids, _) in enumerate(folds, start=1)
            ]
        ref = self._ref[bench]
        if len(ref) != len(folds):
            raise ValueError(f"{path}: {len(folds)} folds of {bench!r}, the others have {len(ref)}")
        out = []
        for k, ((ids, correct), want) in enumerate(zip(folds, ref, strict=True), start=1):
            pos = {c: i for i, c in enumerate(ids)}
            if set(pos) != set(want.tolist()):
                raise ValueError(f"{path}: fold {k} of {bench!r} has other clips than the others'")
            out.append(correct[[pos[c] for c in want]])
        return out

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Mean over folds of the fold accuracies, and its bootstrap (B,) (fractions)."""
        if (model, layer) not in self._cache:
            folds = self._folds(model, layer)
            idx = self._idx[layer]
            observed = float(np.mean([f.mean() for f in folds]))
            boot = np.mean([f[i].mean(axis=1) for f, i in zip(folds, idx, strict=True)], axis=0)
            self._cache[(model, layer)] = (observed, boot)
        return self._cache[(model, layer)]

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """``100 * (a - b)`` on the observed clips and on every shared resample."""
        assert claim.layer is not None
        obs_a, boot_a = self.value(a, claim.layer)
        obs_b, boot_b = self.value(b, claim.layer)
        return Comparison(100 * (obs_a - obs_b), 100 * (boot_a - boot_b))

    def n_items(self, claim: Claim) -> int:
        """Test clips over all folds."""
        return sum(len(ids) for ids in self._ref.get(claim.layer or "", []))
