"""Benchmark: per-job start-up overhead of the workflow (interpreter, imports, Snakemake), before
and after, in one run.

Usage: python benchmarks/bench_overhead.py [--before e367f3a] [--repeats 3] [--scripts a,b]
       [--snakemake-log .snakemake/log/<run>.snakemake.log] [--no-snakemake]
       [--out results/benchmarks/overhead.json]

Issue 11's lever "job start-up": every job of the DAG is a fresh Python process that imports
what its ``workflow/scripts/*.py`` imports before doing any work, and the DAG build itself
imports the ``soundsight`` modules of ``workflow/rules/*.smk`` and ``workflow/papers/*.smk``.
For each of these import sets (a script's top-level import statements, verbatim; the DAG
build's), this times a fresh ``python -c '<the imports>'`` (median of ``--repeats``, minus
nothing: interpreter start included, ``python -c pass`` is reported beside it) against two
source trees in the same run, interleaved: the **before** tree (``git archive`` of
``--before``'s ``src/``) and the **after** tree (this checkout's ``src/``), and records which
heavy libraries (torch, torchvision, sklearn, scipy, pandas, matplotlib, librosa) each loads.

With Snakemake available it also times a no-op ``script:`` job (a one-rule workflow whose
script touches its output: Snakemake's job dispatch and script preamble, no package import),
and with ``--snakemake-log`` it sets each script's import time against the median wall time of
that rule's jobs in a real run (the log's 1 s stamps), so the short jobs where start-up
dominates stand out.
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger("bench_overhead")
ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "torchvision", "sklearn", "scipy", "pandas", "matplotlib", "librosa")
_SMK_IMPORT = re.compile(r"^\s*(?:from\s+(soundsight[\w.]*)\s+import|import\s+(soundsight[\w.]*))")


def script_imports(path: Path) -> str:
    """The top-level import statements of a workflow script, as source (one per line)."""
    tree = ast.parse(path.read_text())
    nodes = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(ast.unparse(n) for n in nodes)


def dag_imports(workflow: Path) -> str:
    """``import`` lines of every soundsight module the rule files import (the DAG build's)."""
    modules: set[str] = set()
    for smk in sorted([*workflow.glob("rules/*.smk"), *workflow.glob("papers/*.smk")]):
        for line in smk.read_text().splitlines():
            match = _SMK_IMPORT.match(line)
            if match:
                modules.add(match.group(1) or match.group(2))
    return "\n".join(f"import {m}" for m in sorted(modules))


def time_imports(code: str, src: Path, repeats: int) -> dict[str, Any]:
    """Median wall seconds of a fresh interpreter running ``code`` with ``src`` first on the
    path, and the heavy libraries it left loaded."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    times, loaded = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - start)
        loaded = proc.stdout.strip()
    return {"s": statistics.median(times), "runs_s": times, "heavy": loaded.split()}


def source_tree(ref: str, into: Path) -> Path:
    """``src/`` of the commit ``ref`` of this repository, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def snakemake_noop_job(tmp: Path, jobs: int = 4) -> dict[str, float] | None:
    """Seconds per no-op ``script:`` job: (workflow with ``jobs`` jobs - workflow with nothing
    to do) / ``jobs``; None without Snakemake."""
    exe = Path(sys.executable).with_name("snakemake")
    if not exe.exists():
        return None
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "noop.py").write_text("open(snakemake.output[0], 'w').close()\n")
    (tmp / "Snakefile").write_text(
        f"rule all:\n    input: expand('out/{{i}}.txt', i=range({jobs}))\n\n"
        "rule noop:\n    output: 'out/{i}.txt'\n    script: 'noop.py'\n"
    )
    cmd = [str(exe), "--cores", "1", "--quiet", "all", "-s", str(tmp / "Snakefile"), "-d", str(tmp)]
    walls = []
    for _ in range(2):  # the first run executes the jobs, the second has nothing to do
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return {
        "with_jobs_s": walls[0],
        "nothing_to_do_s": walls[1],
        "per_job_s": (walls[0] - walls[1]) / jobs,
    }


def rule_durations(log: Path) -> dict[str, float]:
    """Median wall seconds of each rule's jobs in a Snakemake run log (start and finish stamps)."""
    stamp, started, per_rule = None, {}, {}
    rule = None
    for line in log.read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            stamp = datetime.strptime(line.strip("[]"), "%a %b %d %H:%M:%S %Y")
        elif m := re.match(r"(?:local)?rule (\w+):", line):
            rule = m.group(1)
        elif (m := re.match(r"\s+jobid: (\d+)", line)) and rule:
            started[m.group(1)] = (rule, stamp)
            rule = None
        elif (m := re.match(r"Finished jobid: (\d+)", line)) and m.group(1) in started:
            name, t0 = started.pop(m.group(1))
            per_rule.setdefault(name, []).append((stamp - t0).total_seconds())
    return {name: statistics.median(d) for name, d in per_rule.items()}


def _rule_of_script(workflow: Path) -> dict[str, str]:
    """Script stem -> rule name, from the rule files' ``script:`` lines."""
    mapping: dict[str, str] = {}
    for smk in [*workflow.glob("rules/*.smk"), *workflow.glob("papers/*.smk")]:
        rule = None
        for line in smk.read_text().splitlines():
            if m := re.match(r"(?:rule|checkpoint) (\w+):", line):
                rule = m.group(1)
            elif (m := re.search(r"scripts/(\w+)\.py", line)) and rule:
                mapping.setdefault(m.group(1), rule)
    return mapping


def _log_row(name: str, row: dict[str, Any]) -> None:
    before, after = row["before"], row["after"]
    job = f"  (job median {row['job_median_s']:.0f} s)" if "job_median_s" in row else ""
    logger.info(
        "%-26s before %5.2f s [%s]  after %5.2f s [%s]%s", name, before["s"],
        ",".join(before["heavy"]), after["s"], ",".join(after["heavy"]), job,
    )  # fmt: skip


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="e367f3a", help="git ref of the 'before' tree")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scripts", default=None, help="comma-separated script stems (all)")
    parser.add_argument("--snakemake-log", type=Path, default=None)
    parser.add_argument("--no-snakemake", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/overhead.json"))
    return parser.parse_args(argv)


def _import_sets(workflow: Path, scripts: str | None) -> dict[str, str]:
    """Name -> import source: the DAG build's and every selected script's."""
    paths = sorted((workflow / "scripts").glob("*.py"))
    if scripts:
        wanted = set(scripts.split(","))
        paths = [p for p in paths if p.stem in wanted]
    return {"<dag build>": dag_imports(workflow)} | {p.stem: script_imports(p) for p in paths}


def main(argv: list[str] | None = None) -> dict:
    """Time every import set on both trees, print the table, write JSON."""
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    workflow = ROOT / "workflow"
    sets = _import_sets(workflow, args.scripts)
    durations = rule_durations(args.snakemake_log) if args.snakemake_log else {}
    rules = _rule_of_script(workflow)
    result: dict[str, Any] = {"before": args.before, "repeats": args.repeats,
                              "cpu_count": os.cpu_count(),
                              "load_average_1min_at_start": os.getloadavg()[0]}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"before": source_tree(args.before, Path(tmp)), "after": ROOT / "src"}
        result["python_start_s"] = time_imports("pass", trees["after"], args.repeats)["s"]
        jobs = {}
        for name, code in sets.items():
            row: dict[str, Any] = {"imports": code}
            for label, src in trees.items():
                row[label] = time_imports(code, src, args.repeats)
            rule = "<dag build>" if name == "<dag build>" else rules.get(name)
            if rule in durations:
                row |= {"rule": rule, "job_median_s": durations[rule]}
            jobs[name] = row
            _log_row(name, row)
        result["jobs"] = jobs
        if not args.no_snakemake:
            result["snakemake_noop_job"] = snakemake_noop_job(Path(tmp) / "noop_wf")
    scripts = [j for n, j in jobs.items() if n != "<dag build>"]
    result["total_import_s"] = {
        label: sum(j[label]["s"] for j in scripts) for label in ("before", "after")
    }
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    logger.info("python start %.2f s; sum over scripts: before %.1f s, after %.1f s",
                result["python_start_s"], *result["total_import_s"].values())  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
