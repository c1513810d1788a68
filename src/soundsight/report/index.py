"""The audit overview across papers: one line of verdict counts per paper's audit.

Each paper's audit (:mod:`soundsight.report.audit`) writes ``results/audit/<paper>.csv``; this
module counts its verdicts (with the engine's :func:`~soundsight.report.audit.audit_counts`) and
writes ``results/audit/index.md`` (and ``index.csv``) with a
header saying at what scale the run was (read from the config) and a legend of the verdicts.

An audit frame may carry a ``role`` column: ``check`` rows are power checks (sanity predicates
evaluated like claims), ``claim`` rows are the paper's claims, which may then be judged
``no power`` when a check they depend on failed. A frame without ``role`` (the audits written
before power checks existed) is all claims, so the overview reads both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.report.audit import VERDICTS, audit_counts

logger = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("check", "claim")  # a power check passes when its predicate holds
LEGEND: tuple[tuple[str, str], ...] = (
    ("held", "the 95% bootstrap interval of the claim's difference lies above 0"),
    ("failed", "the interval lies below 0: the replication contradicts the claim"),
    ("inconclusive", "the interval contains 0: the run cannot tell the models apart"),
    (
        "no power",
        "a power check the claim depends on failed, so the run cannot judge it (never counted "
        "as failed)",
    ),
    ("not evaluated", "the claim's inputs are missing in this run (the reason is in its audit)"),
    ("power checks", "sanity predicates of the testbed (passed when they hold) / all of them"),
)
INDEX_COLUMNS: tuple[str, ...] = (
    "paper",
    "title",
    "claims",
    "held",
    "failed",
    "inconclusive",
    "no_power",
    "not_evaluated",
    "checks_passed",
    "checks_total",
    "audit",
)


@dataclass(frozen=True)
class AuditCounts:
    """Verdict counts of one paper's audit: its claims, and its power checks passed of total."""

    claims: int
    held: int
    failed: int
    inconclusive: int
    no_power: int
    not_evaluated: int
    checks_passed: int
    checks_total: int


def paper_counts(frame: pd.DataFrame) -> AuditCounts:
    """Count an audit frame's verdicts (columns ``verdict`` and, optionally, ``role``).

    Without a ``role`` column every row is a claim and there are no power checks (a blank role
    is a claim, as for the engine). An unknown role or claim verdict is a ValueError naming it:
    a typo must not drop a row from the counts silently.
    """
    if "verdict" not in frame.columns:
        raise ValueError("not an audit frame: no `verdict` column")
    roles = frame["role"].fillna("claim") if "role" in frame.columns else None
    if roles is not None:
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise ValueError(f"audit rows with unknown role {unknown}; expected one of {ROLES}")
    claims = frame["verdict"] if roles is None else frame.loc[roles == "claim", "verdict"]
    odd = sorted(set(claims) - set(VERDICTS))
    if odd:
        raise ValueError(f"claims with unknown verdict {odd}; expected one of {VERDICTS}")
    n = audit_counts(frame)
    return AuditCounts(
        claims=n["claims"],
        held=n["holds"],
        failed=n["fails"],
        inconclusive=n["inconclusive"],
        no_power=n["no power"],
        not_evaluated=n["not evaluated"],
        checks_passed=n["checks_passed"],
        checks_total=n["checks"],
    )


def _size(world: Mapping[str, Any]) -> str:
    """``240 videos of 8.0 s at 128×128 px, 10 fps``."""
    return (
        f"{world['n_videos']} videos of {float(world['duration_s']):g} s at "
        f"{world['width']}×{world['height']} px, {world['fps']} fps"
    )


def run_scale(config: Mapping[str, Any]) -> list[str]:
    """What the run was made of, one sentence per aspect (the index's header lines).

    The videos are the embedded AmbientWorld's (its size) or a local source (its path); the
    pretext models' iterations, batch and input size are the config's defaults (a sheet row
    may override them); the seed is the global one.
    """
    sources = config.get("sources", {})
    if sources.get("videos", "world") == "world":
        videos = f"the embedded AmbientWorld: {_size(config['world'])}"
    else:
        videos = f"real videos from `{sources['videos']}`"
    images = ", ".join(
        f"{name} {'world' if sources.get(key, 'world') == 'world' else 'real'}"
        for key, name in (("voc2007", "VOC 2007"), ("sun397", "SUN397"))
    )
    pretext = config["pretext"]
    lines = [
        f"**Videos:** {videos}.",
        f"**Image datasets:** {images}.",
        f"**Pretext training:** {pretext['iterations']} iterations, batch {pretext['batch_size']},"
        f" input {pretext['input_size']} px (sheet rows may override).",
        f"**Seed:** {config['seed']}; audit bootstrap B = {config['audit']['bootstrap']}.",
    ]
    return lines


def audit_title(md_path: Path, paper: str) -> str:
    """A paper's name from its audit: the first ``# `` heading of the Markdown, less its
    ``: claims audit`` suffix; the paper key when there is no heading."""
    for line in Path(md_path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().removesuffix(": claims audit")
    return paper


def index_frame(audits: Mapping[str, tuple[Path, Path]], index_md: Path) -> pd.DataFrame:
    """One row per paper (INDEX_COLUMNS): ``audits`` maps paper -> (audit csv, audit md).

    ``audit`` is the link to the paper's Markdown audit, relative to ``index_md``'s folder.
    """
    rows = []
    for paper, (csv_path, md_path) in audits.items():
        counts = paper_counts(pd.read_csv(csv_path))
        link = Path(os.path.relpath(md_path, Path(index_md).parent)).as_posix()
        rows.append({"paper": paper, "title": audit_title(md_path, paper), **asdict(counts)})
        rows[-1]["audit"] = link
    return pd.DataFrame.from_records(rows, columns=list(INDEX_COLUMNS))


def _checks_cell(passed: int, total: int) -> str:
    """``3 of 4``, or a dash when the audit has no power checks."""
    return f"{passed} of {total}" if total else "—"


def index_markdown(frame: pd.DataFrame, scale: Sequence[str]) -> str:
    """The overview: title, scale of the run, one table row per paper, the verdicts' legend."""
    lines = ["# Claims audit: overview of all papers", "", "## Scale of this run", ""]
    lines += [f"- {line}" for line in scale]
    lines += [
        "",
        "## Verdicts per paper",
        "",
        "| Paper | Claims | Held | Failed | Inconclusive | No power | Not evaluated "
        "| Power checks passed | Audit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _, r in frame.iterrows():
        cells = [
            f"{r['title']} (`{r['paper']}`)",
            *(str(r[c]) for c in INDEX_COLUMNS[2:8]),
            _checks_cell(int(r["checks_passed"]), int(r["checks_total"])),
            f"[{r['audit']}]({r['audit']})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if frame.empty:
        lines.append("| (no paper registers an audit) | | | | | | | | |")
    lines += ["", "## Legend", ""]
    lines += [f"- **{word}**: {meaning}." for word, meaning in LEGEND]
    lines += [
        "",
        "Verdicts measure this testbed at this scale, not the paper alone: where a paper's "
        "power checks do not all pass, its claims cannot be confirmed or refuted here.",
        "",
    ]
    return "\n".join(lines)


def write_index(
    audits: Mapping[str, tuple[Path, Path]],
    config: Mapping[str, Any],
    csv_path: Path,
    md_path: Path,
) -> pd.DataFrame:
    """Write the overview as CSV and Markdown; returns the frame (one row per paper)."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    frame = index_frame(audits, md_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(csv_path, index=False)
    md_path.write_text(index_markdown(frame, run_scale(config)), encoding="utf-8")
    logger.info("audit overview of %d papers: %s", len(frame), md_path)
    return frame
