"""Verdict agreement between two audits (two world seeds)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from soundsight.report.audit import AUDIT_COLUMNS
from soundsight.report.stability import agreement, compare_audits, compare_folders, main


def _audit(verdicts: dict[str, str], roles: dict[str, str] | None = None) -> pd.DataFrame:
    rows = [{c: "" for c in AUDIT_COLUMNS} | {"name": n, "verdict": v} for n, v in verdicts.items()]
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame["role"] = [(roles or {}).get(n, "claim") for n in verdicts]
    return frame


def test_agreement_counts_only_claims_both_runs_judged() -> None:
    a = _audit({"c1": "holds", "c2": "fails", "c3": "no power", "c4": "holds", "k": "holds"},
               {"k": "check"})  # fmt: skip
    b = _audit({"c1": "holds", "c2": "inconclusive", "c3": "holds", "k": "fails"})
    table = compare_audits(a, b).set_index("name")
    assert table.loc["c1", "agree"] and table.loc["c1", "judged"]
    assert not table.loc["c2", "agree"] and table.loc["c2", "judged"]
    assert not table.loc["c3", "judged"]  # no power in one run
    assert not table.loc["c4", "judged"]  # absent from the second run
    assert agreement(compare_audits(a, b)) == (1, 2)  # the check 'k' is not counted


def test_folders_and_command_line(tmp_path: Path) -> None:
    for run, verdict in (("a", "holds"), ("b", "holds")):
        (tmp_path / run).mkdir()
        _audit({"c1": verdict, "c2": "fails"}).to_csv(tmp_path / run / "paper.csv", index=False)
    assert list(compare_folders(tmp_path / "a", tmp_path / "b")) == ["paper"]
    out = tmp_path / "stability.md"
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "2 of 2 judged claims agree (100 %; target 90 %: met)" in text
    with pytest.raises(FileNotFoundError):
        compare_folders(tmp_path / "a", tmp_path / "nothing")
