"""The audit overview across papers (soundsight.report.index) and the report's front page."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docutils.core import publish_parts
from jinja2 import Environment

from soundsight.report.audit import AUDIT_COLUMNS, write_audit
from soundsight.report.index import (
    INDEX_COLUMNS,
    AuditCounts,
    index_frame,
    index_markdown,
    paper_counts,
    run_scale,
    write_index,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text())


def today_frame() -> pd.DataFrame:
    """An audit as written before power checks: no `role` column, four claim verdicts."""
    verdicts = ["holds", "fails", "fails", "inconclusive", "not evaluated", "holds", "holds"]
    return pd.DataFrame({"name": [f"c{i}" for i in range(len(verdicts))], "verdict": verdicts})


def power_frame() -> pd.DataFrame:
    """An audit with power checks (`role`) and claims judged `no power` (column `power`)."""
    rows = [
        ("object_beats_random_pool5", "check", "holds", ""),
        ("object_beats_random_fc7", "check", "fails", ""),
        ("sun_not_saturated", "check", "inconclusive", ""),
        ("sound_beats_random", "claim", "no power", "object_beats_random_fc7"),
        ("sound_beats_texton", "claim", "holds", ""),
        ("cluster_above_chance", "claim", "fails", ""),
        ("binary_beats_spectrum", "claim", "no power", "object_beats_random_fc7"),
        ("k30_beats_k2", "claim", "not evaluated", ""),
    ]
    return pd.DataFrame(rows, columns=["name", "role", "verdict", "power"])


def test_a_frame_without_role_is_all_claims_and_has_no_checks():
    assert paper_counts(today_frame()) == AuditCounts(
        claims=7,
        held=3,
        failed=2,
        inconclusive=1,
        no_power=0,
        not_evaluated=1,
        checks_passed=0,
        checks_total=0,
    )


def test_checks_are_counted_apart_and_pass_only_when_they_hold():
    counts = paper_counts(power_frame())
    assert (counts.checks_passed, counts.checks_total) == (1, 3)  # inconclusive is not a pass
    assert counts == AuditCounts(
        claims=5,
        held=1,
        failed=1,
        inconclusive=0,
        no_power=2,
        not_evaluated=1,
        checks_passed=1,
        checks_total=3,
    )


def test_an_unknown_role_or_claim_verdict_is_an_error_naming_it():
    bad_role = power_frame().assign(role=["check"] * 7 + ["clam"])
    with pytest.raises(ValueError, match="clam"):
        paper_counts(bad_role)
    bad_verdict = today_frame().assign(verdict=["holds"] * 6 + ["fail"])
    with pytest.raises(ValueError, match="'fail'"):
        paper_counts(bad_verdict)
    with pytest.raises(ValueError, match="verdict"):
        paper_counts(pd.DataFrame({"name": ["x"]}))


def write_audits(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """Two papers' audits on disk, as the paper rules write them (CSV + Markdown)."""
    out = {}
    for paper, frame, title in (
        ("owens2018", today_frame(), "Owens et al. 2018: claims audit"),
        ("student", power_frame(), "Student reproduction: claims audit"),
    ):
        csv, md = tmp_path / f"audit/{paper}.csv", tmp_path / f"audit/{paper}.md"
        csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv, index=False)
        md.write_text(f"# {title}\n\n**Summary:** ...\n")
        out[paper] = (csv, md)
    return out


def test_index_frame_has_a_row_per_paper_with_a_relative_link(tmp_path):
    frame = index_frame(write_audits(tmp_path), tmp_path / "audit/index.md")
    assert list(frame.columns) == list(INDEX_COLUMNS)
    assert list(frame["paper"]) == ["owens2018", "student"]
    assert list(frame["audit"]) == ["owens2018.md", "student.md"]
    assert frame.set_index("paper").loc["student", ["no_power", "checks_passed"]].tolist() == [2, 1]
    assert frame["title"].tolist() == ["Owens et al. 2018", "Student reproduction"]
    # an index in another folder links up to the audits
    elsewhere = index_frame(write_audits(tmp_path), tmp_path / "overview/index.md")
    assert elsewhere["audit"].iloc[1] == "../audit/student.md"


def test_run_scale_reads_the_world_size_iterations_and_seed():
    lines = run_scale(CONFIG | {"seed": 3})
    text = "\n".join(lines)
    w = CONFIG["world"]
    assert (
        f"{w['n_videos']} videos of {w['duration_s']:g} s at {w['width']}×{w['height']} px" in text
    )
    assert f"{CONFIG['pretext']['iterations']} iterations" in text
    assert "**Seed:** 3" in text and "AmbientWorld" in text
    real = CONFIG | {
        "sources": {"videos": "/data/flickr", "voc2007": "/data/voc", "sun397": "world"}
    }
    text = "\n".join(run_scale(real))
    assert "real videos from `/data/flickr`" in text and "AmbientWorld" not in text
    assert "VOC 2007 real, SUN397 world" in text


def test_write_index_writes_the_table_the_header_and_the_legend(tmp_path):
    csv, md = tmp_path / "audit/index.csv", tmp_path / "audit/index.md"
    write_index(write_audits(tmp_path), CONFIG, csv, md)
    text = md.read_text()
    assert text.startswith("# Claims audit: overview of all papers")
    assert f"{CONFIG['world']['n_videos']} videos" in text
    row = next(line for line in text.splitlines() if "(`student`)" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    # claims, held, failed, inconclusive, no power, not evaluated, checks, link
    assert cells[1:] == ["5", "1", "1", "0", "2", "1", "1 of 3", "[student.md](student.md)"]
    owens = next(line for line in text.splitlines() if "(`owens2018`)" in line)
    assert "| — |" in owens  # no power checks in today's audit
    for word in ("held", "failed", "inconclusive", "no power", "not evaluated"):
        assert f"- **{word}**:" in text
    assert pd.read_csv(csv)["held"].tolist() == [3, 1]


def test_an_index_without_papers_says_so():
    empty = pd.DataFrame(columns=list(INDEX_COLUMNS))
    assert "no paper registers an audit" in index_markdown(empty, ["**Seed:** 0."])


Category = namedtuple("Category", "name")
Result = namedtuple("Result", "target path")
LINKS = "\n\n.. _Workflow: #w\n.. _Statistics: #s\n.. _Audit overview: #a\n.. _index.md: #i\n"
LINKS += ".. _student.md: #student\n.. _table2.md: #t\n"


def result(path: str) -> Result:
    """A report result as the front page sees it: its base name (the link target) and path."""
    return Result(Path(path).name, Path(path))


def front_page(config: dict, categories: dict, files: list) -> str:
    """workflow/report/workflow.rst rendered as Snakemake's report does (Jinja, then docutils)."""
    env = Environment(trim_blocks=True, lstrip_blocks=True)  # the report's own settings
    source = (ROOT / "workflow/report/workflow.rst").read_text() + LINKS
    snakemake = namedtuple("Snakemake", "config")(config)
    rst = env.from_string(source).render(snakemake=snakemake, categories=categories, files=files)
    return publish_parts(rst, writer="html", settings_overrides={"report_level": 2})["html_body"]


def test_the_front_page_says_the_scale_and_leads_to_the_audit_overview():
    cats = {Category("Audit overview"): {}, Category("Owens et al. 2018"): {}}
    files = [result(f"results/audit/{n}.md") for n in ("index", "student")]
    html = front_page(CONFIG, cats, [*files, result("results/tables/owens2018/table2.md")])
    assert "system-message" not in html  # every reference resolved, no rst error
    w = CONFIG["world"]
    assert f"{w['n_videos']} videos of {w['duration_s']:g} s" in html
    assert f"{CONFIG['pretext']['iterations']} iterations" in html
    assert 'href="#a"' in html and 'href="#i"' in html  # the category and the file itself
    assert 'href="#student"' in html and 'href="#t"' not in html  # each paper's audit, only
    assert "five papers" in html


def test_the_front_page_of_a_real_data_run_without_results_renders():
    real = CONFIG | {"sources": {"videos": "/data/flickr", "voc2007": "/v", "sun397": "/s"}}
    html = front_page(real, {}, [])
    assert "system-message" not in html
    assert "/data/flickr" in html and "AmbientWorld analogue" not in html
    assert "has no audit overview" in html


def engine_frame() -> pd.DataFrame:
    """A frame with every column the audit engine writes (power_frame's rows, the rest filled)."""
    base = power_frame()
    n = len(base)
    fill = {c: [""] * n for c in AUDIT_COLUMNS if c not in base.columns}
    frame = base.assign(**fill)[list(AUDIT_COLUMNS)]
    numbers = {"observed": 1.0, "ci_low": 0.5, "ci_high": 1.5, "paper_difference": float("nan")}
    return frame.assign(
        **numbers,
        dataset="voc",
        kind="greater",
        paper_verdict="n/a",
        n_images=40,
        n_boot=50,
        seed=0,
    )


def test_the_overview_reads_an_audit_the_engine_wrote(tmp_path):
    """Through write_audit's CSV (blank cells come back as NaN) and its Markdown title."""
    csv, md = tmp_path / "audit/toy.csv", tmp_path / "audit/toy.md"
    write_audit(engine_frame(), csv, md, "Toy et al. 2020: claims audit")
    row = index_frame({"toy": (csv, md)}, tmp_path / "audit/index.md").iloc[0]
    assert row["title"] == "Toy et al. 2020" and row["audit"] == "toy.md"
    assert (row["claims"], row["no_power"], row["checks_passed"], row["checks_total"]) == (
        5,
        2,
        1,
        3,
    )
