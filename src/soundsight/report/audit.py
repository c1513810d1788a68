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

**Power checks** (:class:`PowerCheck`) are sanity predicates on the testbed itself (the
supervised model beats random features, no probe is saturated, each pretext model generalises),
declared by each paper beside its claims and evaluated first, the same way (bootstrap
intervals). A check *passes* only when its verdict is ``holds``. A claim that a check guards
is reported as ``no power`` (its interval kept, the failed checks named in ``power``) when the
check did not pass: a failed comparison on a testbed without power says nothing of the paper.
"""

from __future__ import annotations

import importlib
import logging
import math
import re
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
BOUND_KINDS: tuple[str, ...] = ("below", "above")  # every left model's value vs a threshold
VERDICTS: tuple[str, ...] = ("holds", "fails", "inconclusive", "no power", "not evaluated")
ROLES: tuple[str, ...] = ("check", "claim")
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
    "role",
    "power",
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
        if self.kind in BOUND_KINDS:
            right = ()  # the threshold option is the other side
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
        """Every (left, right) comparison the claim asserts (``threshold`` on the right of a
        ``below``/``above`` claim)."""
        if self.kind in BOUND_KINDS:
            return [(a, "threshold") for a in self.left]
        return [(a, b) for a in self.left for b in self.right]

    def threshold(self) -> float:
        """The bound of a ``below``/``above`` claim, in the plugin's reported units."""
        return float(self.option("threshold"))

    def models(self) -> set[str]:
        """Every model name the claim's keys mention (run keys ``m/all`` and differences too)."""
        return {t for key in self.left + self.right for t in re.findall(r"[A-Za-z0-9_.]+", key)}


def _validate_claim(claim: Claim, plugin: type[Metric]) -> None:
    """Raise ValueError naming what is inconsistent in a claim."""
    where = f"claim {claim.name!r}"
    kinds = (PAIR_KINDS if plugin.pairwise else ()) + tuple(plugin.baselines)
    kinds += BOUND_KINDS if plugin.bounded else ()
    if claim.kind not in kinds:
        raise ValueError(f"{where}: unknown kind {claim.kind!r}; expected one of {kinds}")
    if claim.kind in BOUND_KINDS:
        _validate_bound(claim, plugin, where)
        return
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


def _validate_bound(claim: Claim, plugin: type[Metric], where: str) -> None:
    """A ``below``/``above`` claim needs left models, no right ones, a numeric ``threshold``
    option and a layer if the plugin reads one."""
    if not claim.left or claim.right:
        raise ValueError(f"{where}: {claim.kind} needs left models and no right ones")
    if plugin.needs_layer and not claim.layer:
        raise ValueError(f"{where}: {claim.kind} on {claim.metric!r} needs a layer")
    try:
        value = claim.threshold()
    except KeyError:
        raise ValueError(f"{where}: {claim.kind} needs a 'threshold' option") from None
    except ValueError:
        raise ValueError(
            f"{where}: threshold {claim.option('threshold')!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: threshold must be finite, got {value}")


@dataclass(frozen=True)
class PowerCheck:
    """A sanity predicate on the testbed, evaluated like a claim (``predicate``).

    It guards the claims on the metrics ``guards`` names (empty: claims on every metric) and, when
    ``models`` is set, only those among them that mention one of these models; when ``layers``
    is set, only those at one of these layers (a clip benchmark: ``esc50``). A guarded claim
    is ``no power`` unless the check holds.
    """

    predicate: Claim
    guards: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Normalise single names to tuples and check the guarded metrics exist."""
        for name in ("guards", "models", "layers"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        for metric in self.guards:
            metric_plugin(metric, where=f"power check {self.name!r}")

    @property
    def name(self) -> str:
        """The check's name (its predicate's)."""
        return self.predicate.name

    def describe(self) -> str:
        """What the check guards, in words (``voc_map claims on object, random``)."""
        metrics = ", ".join(self.guards) or "all"
        on = f" on {', '.join(self.models)}" if self.models else ""
        at = f" at {', '.join(self.layers)}" if self.layers else ""
        return f"{metrics} claims{on}{at}"

    def guards_claim(self, claim: Claim) -> bool:
        """Whether ``claim`` rests on this check."""
        if self.guards and claim.metric not in self.guards:
            return False
        if self.layers and claim.layer not in self.layers:
            return False
        return not self.models or bool(claim.models() & set(self.models))


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
    bounded: ClassVar[bool] = False  # offers ``below``/``above`` (implements :meth:`value`)
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

    def value(self, model: str, layer: str) -> tuple[float, np.ndarray]:
        """Observed value and bootstrap (B,) of one model, as fractions (bounded plugins)."""
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


def _bound(metric: Metric, model: str, claim: Claim) -> Comparison:
    """A ``below``/``above`` pair: the margin to the threshold, in points (positive: holds)."""
    obs, boot = metric.value(model, claim.layer or "")
    value, samples = 100 * obs, 100 * boot  # fractions -> percentage points
    limit = claim.threshold()
    sign = 1.0 if claim.kind == "above" else -1.0
    lo, hi = percentile_interval(samples)
    about = f"{model} {value:.1f} [{lo:.1f}, {hi:.1f}] vs {claim.kind} {limit:g}"
    return Comparison(sign * (value - limit), sign * (samples - limit), about)


def _evaluate(claim: Claim, metric: Metric) -> dict[str, Any]:
    """Evaluate a claim: smallest pairwise difference, resampled jointly."""
    observed, boots, details = [], [], []
    for a, b in claim.pairs():
        if claim.kind in BOUND_KINDS:
            pair = _bound(metric, a, claim)
        else:
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
        "right": ", ".join(claim.right) or f"{claim.kind} {claim.option('threshold')}",
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
        "role": "claim",
        "power": "",
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
    checks: Sequence[PowerCheck] = (),
) -> pd.DataFrame:
    """Evaluate the power checks, then every claim, in order; one line per check and claim with
    AUDIT_COLUMNS (differences in the plugins' reported units, percentage points for accuracies
    and mAP; ``role`` says which is which).

    ``inputs`` holds what the plugins read, each under the keys it documents (e.g.
    ``probe_dir``). One plugin instance per metric serves all its checks and claims, so models
    and layers share the resamples drawn from ``seed`` and the result is deterministic. A claim
    guarded by a check that does not hold becomes ``no power`` (see :class:`PowerCheck`).
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    predicates = [c.predicate for c in checks] + list(claims)
    names = [c.name for c in predicates]
    if len(set(names)) != len(names):
        raise ValueError(
            f"repeated claim or check names: {sorted({n for n in names if names.count(n) > 1})}"
        )
    metrics: dict[str, Metric] = {}
    for name in dict.fromkeys(c.metric for c in predicates):
        metrics[name] = metric_plugin(name)(inputs, n_boot, seed, progress)
        metrics[name].check([c for c in predicates if c.metric == name])
    done = {}
    for check in checks:
        record = evaluate_claim(check.predicate, metrics[check.predicate.metric])
        done[check.name] = {**record, "role": "check", "power": f"guards {check.describe()}"}
    records = list(done.values())
    for claim in claims:
        records.append(
            _with_power(evaluate_claim(claim, metrics[claim.metric]), claim, checks, done)
        )
    frame = pd.DataFrame.from_records(records, columns=list(AUDIT_COLUMNS))
    logger.info("audit of %d rows: %s", len(frame), frame["verdict"].value_counts().to_dict())
    return frame


def _with_power(
    record: dict[str, Any],
    claim: Claim,
    checks: Sequence[PowerCheck],
    done: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """``record`` as ``no power`` (failed checks named) when a check guarding it did not hold."""
    failed = [
        f"{c.name} ({done[c.name]['verdict']})"
        for c in checks
        if c.guards_claim(claim) and done[c.name]["verdict"] != "holds"
    ]
    if not failed:
        return record
    record["power"] = "; ".join(failed)
    if record["verdict"] != "not evaluated":
        record["reason"] = f"would be {record['verdict']!r}, but rests on failed power checks"
        record["verdict"] = "no power"
    return record


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _roles(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(power checks, claims) of an audit frame; one without ``role`` has claims only."""
    if "role" not in df.columns:
        return df.iloc[:0], df
    role = df["role"].fillna("claim")
    return df[role == "check"], df[role != "check"]


def audit_counts(df: pd.DataFrame) -> dict[str, int]:
    """Claims per verdict (every verdict, zeros included) and ``checks``/``checks_passed``."""
    checks, claims = _roles(df)
    counts = {v: int((claims["verdict"] == v).sum()) for v in VERDICTS}
    counts["claims"] = len(claims)
    counts["checks"] = len(checks)
    counts["checks_passed"] = int((checks["verdict"] == "holds").sum())
    return counts


def audit_summary(df: pd.DataFrame) -> str:
    """``n held, n failed, n inconclusive, n no power, n not evaluated (of N claims)``, and the
    power checks passed when there are any."""
    counts = audit_counts(df)
    words = {
        "holds": "held",
        "fails": "failed",
        "inconclusive": "inconclusive",
        "no power": "no power",
        "not evaluated": "not evaluated",
    }
    parts = [f"{counts[v]} {words[v]}" for v in VERDICTS]
    text = f"{', '.join(parts)} (of {counts['claims']} claims)"
    if counts["checks"]:
        text += f"; power checks: {counts['checks_passed']} of {counts['checks']} passed"
    return text


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


def _claims_table(df: pd.DataFrame) -> list[str]:
    """The Markdown table of the claims."""
    lines = [
        "| Claim | Scope | Paper says | Paper's numbers | "
        "Replication: difference [95% CI] (points) | Verdict |",
        "|---|---|---|---|---:|---|",
    ]
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
    return lines


def _checks_table(df: pd.DataFrame) -> list[str]:
    """The Markdown table of the power checks (what each guards instead of the paper's side)."""
    lines = [
        "| Check | Scope | Predicate | Margin [95% CI] | Verdict | Guards |",
        "|---|---|---|---:|---|---|",
    ]
    for _, rec in df.iterrows():
        guards = str(rec.get("power", "")).removeprefix("guards ")
        cells = [
            f"`{rec['name']}`",
            _scope(rec),
            _md(str(rec["text"]).removeprefix("power: ")),
            _replication_cell(rec),
            f"**{rec['verdict']}**",
            _md(guards),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _details(df: pd.DataFrame) -> list[str]:
    """One bullet per row: the pairs, the reason or the failed checks, the paper's numbers."""
    lines = []
    for _, rec in df.iterrows():
        body = rec["reason"] if rec["verdict"] == "not evaluated" else rec["details"]
        power = str(rec.get("power", "") or "")
        if power and power != "nan":
            body = f"{body} — {'' if power.startswith('guards') else 'failed checks: '}{power}"
        lines.append(f"- `{rec['name']}` ({rec['left']} vs {rec['right']}): {_md(body)}")
        lines.append(f"  - paper: {_md(rec['paper_details'])}")
    return lines


POWER_NOTE = (
    "Power checks are sanity predicates on the testbed, evaluated like the claims; the margin "
    "is in points (nats for loss gaps). A check "
    "passes only when its interval lies above 0; a claim resting on a check that did not pass "
    "is **no power** (its interval is still shown): on this testbed the comparison cannot tell "
    "a true claim from a false one."
)


def audit_markdown(df: pd.DataFrame, title: str, notes: Sequence[str] = ()) -> str:
    """A readable report: summary line, ``notes`` (what the run could not check, one bullet
    each), power checks, claims table, details, methods note."""
    missing = [c for c in AUDIT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not an audit frame: columns {missing} missing")
    checks, claims = _roles(df)
    lines = [f"# {title}", "", f"**Summary:** {audit_summary(df)}.", ""]
    if notes:
        lines += [f"- {n}" for n in notes] + [""]
    if len(checks):
        lines += ["## Power checks", "", POWER_NOTE, ""]
        lines += _checks_table(checks)
        lines += ["", "## Claims", ""]
    lines += _claims_table(claims)
    lines += ["", "## Details", ""] + _details(df)
    lines += ["", _methods_note(df), ""]
    return "\n".join(lines)


def write_audit(
    df: pd.DataFrame, csv_path: Path, md_path: Path, title: str, notes: Sequence[str] = ()
) -> None:
    """Write the audit as CSV and as the Markdown report (``notes``: :func:`audit_markdown`)."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    md_path.write_text(audit_markdown(df, title, notes), encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)
