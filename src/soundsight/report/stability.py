"""Verdict stability across runs: the same audit from two world seeds, claim by claim.

``python -m soundsight.report.stability A/audit B/audit [--out stability.md]`` reads every
``<paper>.csv`` audit present in both folders and writes a Markdown table of each claim's
verdicts under the two runs and whether they agree. Agreement is counted over the claims that
neither run reports as ``no power`` or ``not evaluated`` (a claim without power has no verdict
to agree on); the power checks are listed apart, since they are the testbed's, not the paper's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from soundsight.report.audit import AUDIT_COLUMNS

UNJUDGED = ("no power", "not evaluated")
TARGET = 0.9  # issue 11: at least 90 % of the judged verdicts should agree


def compare_audits(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One row per claim or check of either audit: ``role``, ``verdict_a``, ``verdict_b``,
    ``judged`` (both runs gave a verdict) and ``agree``; rows absent from one run are kept
    with a blank verdict and count as not judged."""
    for frame, name in ((a, "first"), (b, "second")):
        absent = {"name", "verdict"} - set(frame.columns)
        if absent:
            raise ValueError(f"the {name} audit lacks columns {sorted(absent)}")
    keep = ["name", "verdict"] + (["role"] if "role" in a.columns else [])
    left = a[keep].rename(columns={"verdict": "verdict_a"})
    right = b[["name", "verdict"]].rename(columns={"verdict": "verdict_b"})
    both = left.merge(right, on="name", how="outer", sort=False).fillna("")
    if "role" not in both.columns:
        both["role"] = "claim"
    both["role"] = both["role"].replace("", "claim")
    present = (both["verdict_a"] != "") & (both["verdict_b"] != "")
    unjudged = both["verdict_a"].isin(UNJUDGED) | both["verdict_b"].isin(UNJUDGED)
    both["judged"] = present & ~unjudged
    both["agree"] = both["verdict_a"] == both["verdict_b"]
    return both[["name", "role", "verdict_a", "verdict_b", "judged", "agree"]]


def agreement(table: pd.DataFrame) -> tuple[int, int]:
    """(agreeing, judged) among the claims (checks excluded)."""
    claims = table[(table["role"] == "claim") & table["judged"]]
    return int(claims["agree"].sum()), len(claims)


def stability_markdown(tables: dict[str, pd.DataFrame], labels: tuple[str, str]) -> str:
    """The report: per paper, a summary line and the claim-by-claim table."""
    lines = [f"# Verdict stability: {labels[0]} vs {labels[1]}", ""]
    total = [0, 0]
    for paper, table in tables.items():
        agree, judged = agreement(table)
        total[0] += agree
        total[1] += judged
        share = f"{100 * agree / judged:.0f} %" if judged else "—"
        lines += [f"## {paper}", "", f"{agree} of {judged} judged claims agree ({share}).", ""]
        lines += [f"| Claim | Role | {labels[0]} | {labels[1]} | Agree |", "|---|---|---|---|---|"]
        for _, r in table.iterrows():
            mark = ("yes" if r["agree"] else "**no**") if r["judged"] else "not judged"
            lines.append(
                f"| `{r['name']}` | {r['role']} | {r['verdict_a'] or '—'} | "
                f"{r['verdict_b'] or '—'} | {mark} |"
            )
        lines.append("")
    share = total[0] / total[1] if total[1] else float("nan")
    met = "met" if total[1] and share >= TARGET else "not met"
    lines.insert(
        2,
        f"**All papers:** {total[0]} of {total[1]} judged claims agree "
        f"({100 * share:.0f} %; target {100 * TARGET:.0f} %: {met}). Judged: neither run says "
        "'no power' or 'not evaluated'.\n",
    )
    return "\n".join(lines)


def compare_folders(a: Path, b: Path) -> dict[str, pd.DataFrame]:
    """``compare_audits`` of every ``<paper>.csv`` audit found in both folders."""
    tables = {}
    for path in sorted(Path(a).glob("*.csv")):
        other = Path(b) / path.name
        frame = pd.read_csv(path, keep_default_na=False)
        if not other.is_file() or not set(AUDIT_COLUMNS[:11]) <= set(frame.columns):
            continue
        tables[path.stem] = compare_audits(frame, pd.read_csv(other, keep_default_na=False))
    if not tables:
        raise FileNotFoundError(f"no audit CSV is in both {a} and {b}")
    return tables


def main(argv: list[str] | None = None) -> int:
    """Command line: compare two audit folders, print or write the Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="audit folder of the first run")
    parser.add_argument("second", type=Path, help="audit folder of the second run")
    parser.add_argument("--labels", nargs=2, default=("seed 0", "seed 1"))
    parser.add_argument("--out", type=Path, help="Markdown file (default: stdout)")
    args = parser.parse_args(argv)
    text = stability_markdown(compare_folders(args.first, args.second), tuple(args.labels))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
