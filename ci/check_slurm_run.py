"""Checks for ci/test-slurm.sh: a Snakemake run through Slurm, then Slurm vs local outputs.

  check_slurm_run.py sacct   --log LOG --since TIME --profile YAML --account A --partition P
  check_slurm_run.py compare SLURM_RESULTS LOCAL_RESULTS

`sacct`: every job of the run went through sbatch and COMPLETED (exit 0:0), under the expected
account and partition, and each job asked for a GPU exactly when its rule does (gres/gpu=1 in
ReqTRES and AllocTRES); prints the job list. `compare`: the two runs' ingest index, label tables,
tables (Table 2 first), audit and trained weights are the same, and training used the same number
of torch threads.
Both exit 1 naming each failed check.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (.+)\)\.")
SACCT_FIELDS = [
    "JobIDRaw",
    "JobName",
    "Comment",
    "State",
    "ExitCode",
    "Account",
    "Partition",
    "ReqTRES",
    "AllocTRES",
    "Elapsed",
]
GPU_TRES = "gres/gpu=1"
FLOAT_ATOL = 1e-9


class Checks:
    """Collects named pass/fail checks and prints them."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: bool, what: str) -> bool:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            self.failed.append(what)
        return ok


def job_stats(log_text: str) -> Counter:
    """Per-rule job counts from the first 'Job stats' table of a Snakemake log."""
    counts: Counter = Counter()
    lines = log_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Job stats:"))
    for line in lines[start + 3 :]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


def submitted_jobs(log_text: str) -> dict[str, dict[str, str]]:
    """SLURM job id -> rule and wildcard path, from the plugin's 'submitted' lines."""
    jobs = {}
    for _, slurm_id, log_path in SUBMITTED.findall(log_text):
        parts = Path(log_path).parts
        i = next(i for i, p in enumerate(parts) if p.startswith("rule_"))
        jobs[slurm_id] = {
            "rule": parts[i][len("rule_") :],
            "wildcards": "/".join(parts[i + 1 : -1]),
        }
    return jobs


def sacct_jobs(since: str) -> pd.DataFrame:
    """Job allocations (no steps) since ``since``, one row per job."""
    out = subprocess.run(
        ["sacct", "-X", "-P", "-n", "-S", since, "-o", ",".join(SACCT_FIELDS)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line.strip()]
    return pd.DataFrame(rows, columns=SACCT_FIELDS, dtype=str)


def gpu_rules(profile: Path) -> set[str]:
    """Rules whose workflow-profile resources ask for a GPU."""
    resources = yaml.safe_load(profile.read_text()).get("set-resources", {})
    return {rule for rule, res in resources.items() if int(res.get("gpu", 0)) > 0}


def check_sacct(args: argparse.Namespace) -> list[str]:
    """The run's jobs as Slurm accounted them."""
    check = Checks()
    log_text = Path(args.log).read_text()
    stats = job_stats(log_text)
    local = Counter(re.findall(r"^localrule (\w+):", log_text, flags=re.M))
    expected = {rule: n - local[rule] for rule, n in stats.items() if n - local[rule] > 0}
    submitted = submitted_jobs(log_text)
    by_rule = Counter(job["rule"] for job in submitted.values())
    print(f"DAG: {sum(stats.values())} jobs, local: {dict(local)}")
    check(by_rule == Counter(expected), f"each non-local DAG job submitted once: {dict(by_rule)}")

    acct = sacct_jobs(args.since)
    names = set(acct.loc[acct["JobIDRaw"].isin(submitted), "JobName"])
    check(len(names) == 1, f"the run's jobs share one Slurm job name: {sorted(names)}")
    run = acct[acct["JobName"].isin(names)].copy()
    check(
        set(run["JobIDRaw"]) == set(submitted),
        f"sacct lists exactly the {len(submitted)} submitted jobs ({len(run)} found)",
    )
    run["rule"] = run["JobIDRaw"].map(lambda i: submitted.get(i, {}).get("rule", "?"))
    run["wildcards"] = run["JobIDRaw"].map(lambda i: submitted.get(i, {}).get("wildcards", ""))
    bad = run[(run["State"] != "COMPLETED") | (run["ExitCode"] != "0:0")]
    check(bad.empty, f"every job COMPLETED with exit 0:0 (not: {bad['JobIDRaw'].tolist()})")
    check((run["Account"] == args.account).all(), f"every job ran under account {args.account}")
    check(
        (run["Partition"] == args.partition).all(),
        f"every job ran in partition {args.partition}",
    )

    wants_gpu = run["rule"].isin(gpu_rules(Path(args.profile)) | {"train_pretext"})
    req, alloc = run["ReqTRES"].str, run["AllocTRES"].str
    has_gpu = req.contains(GPU_TRES, regex=False) & alloc.contains(GPU_TRES, regex=False)
    any_gpu = req.contains("gres/gpu", regex=False) | alloc.contains("gres/gpu", regex=False)
    pretext = run[run["rule"] == "train_pretext"]
    check(
        len(pretext) == expected.get("train_pretext", -1) and has_gpu[pretext.index].all(),
        f"all {len(pretext)} train_pretext jobs requested and got {GPU_TRES}",
    )
    check(
        (has_gpu[wants_gpu]).all() and not any_gpu[~wants_gpu].any(),
        f"{int(wants_gpu.sum())} GPU-rule jobs have {GPU_TRES}; the other "
        f"{int((~wants_gpu).sum())} have no GPU",
    )

    cols = ["JobIDRaw", "rule", "wildcards", "State", "ExitCode", "Elapsed", "AllocTRES"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(run[cols].sort_values("JobIDRaw", key=lambda s: s.astype(int)).to_string(index=False))
    return check.failed


def read_table(path: Path, root: Path) -> pd.DataFrame:
    """A CSV with the run's own results directory stripped from string cells."""
    df = pd.read_csv(path, keep_default_na=False, dtype={"code": str})
    for col in df.select_dtypes(exclude=["number", "bool"]).columns:
        df[col] = df[col].astype(str).str.replace(str(root), "<results>", regex=False)
    return df


def max_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest absolute difference over numeric cells (0 when there are none)."""
    num = a.select_dtypes("number").columns
    if len(num) == 0:
        return 0.0
    diff = np.abs(a[num].to_numpy(float) - b[num].to_numpy(float))
    return float(np.nanmax(diff)) if diff.size else 0.0


def same_table(a: pd.DataFrame, b: pd.DataFrame) -> tuple[bool, float]:
    """Equal shape, columns and text cells; numbers within FLOAT_ATOL (NaN where NaN)."""
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return False, float("inf")
    num = a.select_dtypes("number").columns
    text = [c for c in a.columns if c not in num]
    if not a[text].equals(b[text]):
        return False, float("inf")
    x, y = a[num].to_numpy(float), b[num].to_numpy(float)
    return bool(np.allclose(x, y, rtol=0, atol=FLOAT_ATOL, equal_nan=True)), max_diff(a, b)


def weights_diff(a: Path, b: Path) -> float:
    """Largest absolute difference between two checkpoints' tensors."""
    import torch

    sa, sb = (torch.load(p, map_location="cpu", weights_only=False) for p in (a, b))
    sa, sb = (s.get("state_dict", s) if isinstance(s, dict) else s for s in (sa, sb))
    if set(sa) != set(sb):
        return float("inf")
    diffs = [
        (sa[k].double() - sb[k].double()).abs().max().item()
        for k in sa
        if torch.is_tensor(sa[k]) and sa[k].numel()
    ]
    return max(diffs, default=0.0)


def check_compare(args: argparse.Namespace) -> list[str]:
    """Slurm outputs against local outputs."""
    check = Checks()
    slurm, local = Path(args.slurm), Path(args.local)
    tables = [
        "corpora/videos/ingest/index.csv",
        "corpora/videos/ingest/rejects.csv",
        "tables/owens2018/table2.csv",
    ]
    patterns = ("corpora/*/ingest/*.csv", "corpora/*/labels/*.csv", "tables/*/*.csv", "audit/*.csv")
    for pattern in patterns:
        tables += sorted({str(p.relative_to(slurm)) for p in slurm.glob(pattern)} - set(tables))
    for rel in tables:
        a, b = read_table(slurm / rel, slurm), read_table(local / rel, local)
        ok, diff = same_table(a, b)
        check(ok, f"{rel}: {len(a)} rows equal (max |diff| {diff:.3g})")

    for metrics in sorted((slurm / "models").glob("*/metrics.json")):
        model = metrics.parent.name
        t_slurm = json.loads(metrics.read_text()).get("torch_threads")
        t_local = json.loads((local / "models" / model / "metrics.json").read_text()).get(
            "torch_threads"
        )
        diff = weights_diff(metrics.parent / "model.pt", local / "models" / model / "model.pt")
        check(
            t_slurm == t_local and diff == 0.0,
            f"model {model}: torch threads {t_slurm} (slurm) / {t_local} (local), "
            f"max |weight diff| {diff:.3g}",
        )
    return check.failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sacct", help="the run's jobs in Slurm accounting")
    p.add_argument("--log", required=True, help="the Snakemake log of the Slurm run")
    p.add_argument("--since", required=True, help="sacct -S: when the run started")
    p.add_argument("--profile", required=True, help="the workflow profile (per-rule gpu)")
    p.add_argument("--account", required=True)
    p.add_argument("--partition", required=True)
    p.set_defaults(func=check_sacct)
    p = sub.add_parser("compare", help="Slurm outputs vs local outputs")
    p.add_argument("slurm", help="results directory of the Slurm run")
    p.add_argument("local", help="results directory of the local run")
    p.set_defaults(func=check_compare)
    args = parser.parse_args(argv)
    failed = args.func(args)
    if failed:
        print(f"{args.cmd}: {len(failed)} check(s) failed: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
