"""One audit engine: a paper's claims as predicates on replicated results, with bootstraps.

A :class:`Claim` names a **metric plugin** (registered by name with :func:`register_metric`;
the built-in ones live in :mod:`soundsight.report.audit_metrics`), the models on its left and
right side and the plugin's operands (a layer, options). The claim's statistic is the smallest
pairwise difference ``metric(left) - metric(right)`` over all (left, right) pairs, so "each of
{A1, A2} beats B" and "A beats every model of a set" hold only when every pair does. A plugin
may also declare *baseline* kinds (``above_chance``: the right side is a fixed baseline).

Each plugin returns, per pair, the observed difference and its bootstrap distribution (the
plugins over test images resample them **paired**: every model on the same resampled
indices). The verdict follows the 95 % percentile interval: ``holds`` (above 0), ``fails``
(below 0), ``inconclusive`` (contains 0); a claim whose inputs are missing is ``not evaluated``
with the reason. The paper's own numbers for the same rows are compared point-wise
(``paper_verdict``), read only from :mod:`soundsight.report.published`.
"""

from __future__ import annotations

import importlib
import logging
import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from soundsight.report.published import published_value

logger = logging.getLogger(__name__)

PAIR_KINDS: tuple[str, ...] = ("greater", "each_greater", "greater_than_all")
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
BUILTIN_METRICS = "soundsight.report.audit_metrics"


# ------------------------------------------------------------------------------------------------
# claims and the published side
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRef:
    """Where the paper's numbers for a claim's two sides live (a point comparison).

    Cells are ``(row, column)`` of the published table; ``transposed`` when the table lists
    models as columns and measures as rows (``column`` is then the measure's row). ``per``
    names a measure to divide by, comparing shares (100 * value / per) instead of values.
    """

    paper: str
    table: str
    column: str
    left_rows: tuple[str, ...]
    right_rows: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # replicated models of the claim with no published row
    transposed: bool = False
    per: str | None = None

    def value(self, entry: str, measure: str | None = None) -> float:
        """The printed value of ``entry`` (a row, or a column when transposed)."""
        measure = measure or self.column
        if self.transposed:
            return published_value(self.paper, self.table, measure, entry)
        return published_value(self.paper, self.table, entry, measure)


@dataclass(frozen=True)
class Claim:
    """One statement of a paper as a predicate on replicated results.

    ``left``/``right`` are replicated model keys; ``metric`` names a registered plugin and
    ``layer``/``options`` are its operands (``options``: ``(key, value)`` pairs). For a
    baseline kind of the plugin, ``right`` is set to the baseline's name.
    """

    name: str
    text: str
    kind: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    metric: str
    layer: str | None = None
    published: PublishedRef | None = None
    options: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        """Normalise single names to tuples and reject inconsistent claims."""
        left = (self.left,) if isinstance(self.left, str) else tuple(self.left)
        right = (self.right,) if isinstance(self.right, str) else tuple(self.right)
        plugin = metric_plugin(self.metric, where=f"claim {self.name!r}")
        if self.kind in plugin.baselines:
            right = (plugin.baselines[self.kind],)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)
        _validate_claim(self, plugin)

    @property
    def dataset(self) -> str:
        """What the metric is computed on (the audit's ``dataset`` column)."""
        return metric_plugin(self.metric).dataset

    def option(self, key: str) -> str:
        """One of the claim's options, KeyError naming the claim when absent."""
        found = dict(self.options)
        if key not in found:
            raise KeyError(f"claim {self.name!r} has no option {key!r}")
        return found[key]

    def pairs(self) -> list[tuple[str, str]]:
        """Every (left, right) comparison the claim asserts."""
        return [(a, b) for a in self.left for b in self.right]


def _validate_claim(claim: Claim, plugin: type[Metric]) -> None:
    """Raise ValueError naming what is inconsistent in a claim."""
    where = f"claim {claim.name!r}"
    kinds = (PAIR_KINDS if plugin.pairwise else ()) + tuple(plugin.baselines)
    if claim.kind not in kinds:
        raise ValueError(f"{where}: unknown kind {claim.kind!r}; expected one of {kinds}")
    if not claim.left or not claim.right:
        raise ValueError(f"{where}: both sides need at least one model")
    if claim.kind in plugin.baselines:
        if claim.layer is not None or len(claim.left) != 1:
            raise ValueError(f"{where}: {claim.kind} needs one model and no layer")
        return
    if plugin.needs_layer and not claim.layer:
        raise ValueError(f"{where}: {claim.kind} on {claim.metric!r} needs a layer")
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


def published_check(ref: PublishedRef | None) -> tuple[str, float, str]:
    """The same predicate on the paper's numbers: (verdict, smallest difference, details)."""
    if ref is None:
        return "n/a", math.nan, "no published numbers for this claim"
    diffs, parts = [], []
    try:
        for a in ref.left_rows:
            for b in ref.right_rows:
                va, vb = ref.value(a), ref.value(b)
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


# ------------------------------------------------------------------------------------------------
# resampling and verdicts
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
# metric plugins
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One (left, right) pair: observed difference and bootstrap (B,), in reported units.

    ``about`` replaces the default per-pair description when set.
    """

    observed: float
    boot: np.ndarray
    about: str | None = None


class Metric:
    """Base of metric plugins: built once per audit from the audit's ``inputs``.

    Subclasses set ``dataset`` (the audit's ``dataset`` column), say whether they compare
    models pairwise and which baseline kinds they offer, and implement :meth:`missing` and
    :meth:`compare`. ``method`` is their sentence of the report's methods note.
    """

    name: ClassVar[str] = ""
    dataset: ClassVar[str] = ""
    pairwise: ClassVar[bool] = True
    needs_layer: ClassVar[bool] = True
    baselines: ClassVar[Mapping[str, str]] = {}
    method: ClassVar[str | None] = None
    blank_items: ClassVar[int | str] = 0  # n_images of a claim that was not evaluated

    def __init__(self, inputs: Mapping[str, Any], n_boot: int, seed: int, progress: bool) -> None:
        self.inputs, self.n_boot, self.seed, self.progress = inputs, n_boot, seed, progress

    def check(self, claims: Sequence[Claim]) -> None:
        """Reject claims the plugin cannot evaluate at all (before anything runs)."""

    def missing(self, claim: Claim) -> str | None:
        """Why a claim cannot be evaluated (missing files, models or layers), or None."""
        raise NotImplementedError

    def compare(self, a: str, b: str, claim: Claim) -> Comparison:
        """The difference ``a - b`` for one pair of the claim."""
        raise NotImplementedError

    def n_items(self, claim: Claim) -> int:
        """How many items (images, units) the claim's bootstrap resampled."""
        return 0

    def published(self, claim: Claim) -> tuple[str, float, str]:
        """The claim's predicate on the printed numbers."""
        return published_check(claim.published)

    @classmethod
    def scope(cls, layer: str) -> str:
        """The report's *Scope* cell (``VOC pool5``)."""
        return f"{cls.dataset.upper()} {layer}"


_METRICS: dict[str, type[Metric]] = {}


def register_metric(name: str) -> Callable[[type[Metric]], type[Metric]]:
    """Class decorator: register a metric plugin under ``name`` (and its ``dataset`` label)."""

    def add(cls: type[Metric]) -> type[Metric]:
        if name in _METRICS:
            raise ValueError(f"metric plugin {name!r} registered twice")
        taken = {m.dataset: n for n, m in _METRICS.items()}
        if cls.dataset in taken:
            raise ValueError(
                f"metric {name!r}: dataset {cls.dataset!r} is {taken[cls.dataset]!r}'s"
            )
        cls.name = name
        _METRICS[name] = cls
        return cls

    return add


def metric_plugins() -> dict[str, type[Metric]]:
    """Every registered plugin by name, in registration order (built-ins first)."""
    importlib.import_module(BUILTIN_METRICS)
    return dict(_METRICS)


def metric_plugin(name: str, where: str = "audit") -> type[Metric]:
    """The plugin registered as ``name``; ValueError listing the registered ones."""
    plugins = metric_plugins()
    if name not in plugins:
        raise ValueError(f"{where}: unknown metric {name!r}; registered: {list(plugins)}")
    return plugins[name]


# ------------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------------


def _fmt_ci(value: float, low: float, high: float) -> str:
    """``+1.2 [+0.3, +2.0]`` in percentage points."""
    return f"{value:+.1f} [{low:+.1f}, {high:+.1f}]"


def _evaluate(claim: Claim, metric: Metric) -> dict[str, Any]:
    """Evaluate a claim: smallest pairwise difference, resampled jointly."""
    observed, boots, details = [], [], []
    for a, b in claim.pairs():
        pair = metric.compare(a, b, claim)
        lo, hi = percentile_interval(pair.boot)
        details.append(
            pair.about or f"{a} − {b}: {_fmt_ci(pair.observed, lo, hi)} {verdict_of(lo, hi)}"
        )
        observed.append(pair.observed)
        boots.append(pair.boot)
    stat_boot = np.min(np.stack(boots), axis=0)  # (B,) worst pair in each resample
    low, high = percentile_interval(stat_boot)
    return {
        "observed": float(min(observed)),
        "ci_low": low,
        "ci_high": high,
        "verdict": verdict_of(low, high),
        "n_images": metric.n_items(claim),
        "details": "; ".join(details),
    }


def evaluate_claim(claim: Claim, metric: Metric) -> dict[str, Any]:
    """One audit record for a claim (``not evaluated`` with the reason when inputs are missing)."""
    paper_verdict, paper_diff, paper_details = metric.published(claim)
    record: dict[str, Any] = {
        "name": claim.name,
        "text": claim.text,
        "kind": claim.kind,
        "dataset": metric.dataset,
        "layer": claim.layer or "",
        "left": ", ".join(claim.left),
        "right": ", ".join(claim.right),
        "observed": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "verdict": "not evaluated",
        "paper_verdict": paper_verdict,
        "paper_difference": paper_diff,
        "n_images": metric.blank_items,
        "n_boot": metric.n_boot,
        "seed": metric.seed,
        "details": "",
        "paper_details": paper_details,
        "reason": "",
    }
    reason = metric.missing(claim)
    if reason is not None:
        logger.warning("claim %s not evaluated: %s", claim.name, reason)
        record["reason"] = reason
        return record
    record.update(_evaluate(claim, metric))
    return record


def run_audit(
    claims: Sequence[Claim],
    inputs: Mapping[str, Any],
    n_boot: int = 1000,
    seed: int = 0,
    progress: bool = True,
) -> pd.DataFrame:
    """Evaluate every claim, in order; one line per claim with AUDIT_COLUMNS (differences in
    the plugins' reported units, percentage points for accuracies and mAP).

    ``inputs`` holds what the plugins read, each under the keys it documents (e.g.
    ``probe_dir``). One plugin instance per metric serves all its claims, so models and
    layers share the resamples drawn from ``seed`` and the result is deterministic.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    names = [c.name for c in claims]
    if len(set(names)) != len(names):
        raise ValueError(
            f"repeated claim names: {sorted({n for n in names if names.count(n) > 1})}"
        )
    metrics: dict[str, Metric] = {}
    for name in dict.fromkeys(c.metric for c in claims):
        metrics[name] = metric_plugin(name)(inputs, n_boot, seed, progress)
        metrics[name].check([c for c in claims if c.metric == name])
    records = [evaluate_claim(c, metrics[c.metric]) for c in claims]
    frame = pd.DataFrame.from_records(records, columns=list(AUDIT_COLUMNS))
    logger.info("audit of %d claims: %s", len(frame), frame["verdict"].value_counts().to_dict())
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


def _by_dataset() -> dict[str, type[Metric]]:
    """Registered plugins keyed by their ``dataset`` label."""
    return {m.dataset: m for m in metric_plugins().values()}


def _scope(rec: pd.Series) -> str:
    """The plugin's scope cell (``VOC pool5`` / ``cluster prediction``)."""
    plugin = _by_dataset().get(str(rec["dataset"]))
    layer = str(rec["layer"])
    return plugin.scope(layer) if plugin else f"{str(rec['dataset']).upper()} {layer}"


def _replication_cell(rec: pd.Series) -> str:
    """Observed difference with its interval, or a dash when not evaluated."""
    if rec["verdict"] == "not evaluated":
        return "—"
    return _fmt_ci(float(rec["observed"]), float(rec["ci_low"]), float(rec["ci_high"]))


def _paper_cell(rec: pd.Series) -> str:
    """The paper's verdict with its smallest published difference."""
    diff = float(rec["paper_difference"])
    return str(rec["paper_verdict"]) + ("" if math.isnan(diff) else f" ({diff:+.1f})")


def _methods_note(df: pd.DataFrame) -> str:
    """How the intervals and verdicts were obtained (each plugin present adds its sentence)."""
    n_boot = ", ".join(str(v) for v in sorted(set(df["n_boot"]))) or "—"
    seed = ", ".join(str(v) for v in sorted(set(df["seed"]))) or "—"
    present = set(df["dataset"])
    methods = [m.method for m in metric_plugins().values() if m.dataset in present and m.method]
    each = (
        "Each resample draws test images with replacement once and every model compared is "
        f"evaluated on the same images: {'; '.join(methods)}. "
        if methods
        else ""
    )
    return (
        f"Methods: paired bootstrap over test images, B = {n_boot} resamples, seed {seed}. "
        f"{each}A claim over several pairs "
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
