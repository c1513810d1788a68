"""DAG-build time of `snakemake -n` against the number of input videos.

Writes synthetic manifests (paths need not exist: ingest reads them, not the DAG build) of
10k, 100k and 360k videos and times a dry run of the whole workflow on each, so the growth of
the build time with the corpus is visible. The number of ingest jobs must follow the number of
shards, never the number of videos.

    python benchmarks/bench_dag.py [--sizes 10000 100000 360000] [--shard-size 1000]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_manifest(path: Path, n: int) -> None:
    """A manifest of ``n`` videos (path,start,end,labels) under a fake corpus folder."""
    with path.open("w") as fh:
        fh.write("path,start,end,labels\n")
        fh.writelines(f"clips/{i // 1000:04d}/v{i:07d}.mp4,0,10,speech\n" for i in range(n))


def local_teachers(folder: Path) -> dict[str, object]:
    """SoundNet's teachers as local weights (on real videos the world's are not trained); a dry
    run only checks that the files exist."""
    entries = {}
    for name in ("imagenet", "places"):
        (folder / f"{name}.pth").write_bytes(b"")
        entries[name] = {"weights": str(folder / f"{name}.pth"), "model": "alexnet",
                         "num_outputs": 1000}  # fmt: skip
    pair = {"object": "imagenet", "scene": "places"}
    return {"teachers": pair, "weak_teachers": pair, "local_teachers": entries}


def dry_run(manifest: Path, shard_size: int, results: Path) -> tuple[float, int]:
    """Seconds for `snakemake -n` and the number of ingest_shard jobs it plans."""
    overrides = manifest.with_suffix(".yaml")
    overrides.write_text(
        json.dumps(
            {
                "sources": {"videos": str(manifest)},
                "ingest": {"shard_size": shard_size},
                "results": str(results),
                "soundnet": local_teachers(manifest.parent),
            }
        )
    )  # JSON is YAML
    cmd = [
        str(Path(sys.executable).parent / "snakemake"), "-n", "--quiet", "rules",
        "--configfile", str(overrides),
    ]  # fmt: skip
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    match = re.search(r"^ingest_shard\s+(\d+)", out.stdout + out.stderr, flags=re.M)
    return seconds, int(match.group(1)) if match else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 360_000])
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "results/benchmarks/dag_build.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            manifest = Path(tmp) / f"manifest_{n}.csv"
            write_manifest(manifest, n)
            seconds, jobs = dry_run(manifest, args.shard_size, Path(tmp) / "results")
            rows.append({"videos": n, "seconds": round(seconds, 2), "ingest_jobs": jobs})
            print(f"{n:>8} videos: {seconds:6.2f} s, {jobs} ingest jobs", flush=True)
    base = rows[0]
    for r in rows:
        r["ratio_vs_smallest"] = round(r["seconds"] / base["seconds"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"shard_size": args.shard_size, "runs": rows}, indent=2) + "\n")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
