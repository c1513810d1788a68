"""Provenance sidecars: what made an artifact (code, config, inputs, seeds, device, time)."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from soundsight import __version__


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the config serialised with sorted keys (stable across runs and machines)."""
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def file_hash(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes; for a directory, of its sorted file names and sizes."""
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(q for q in p.rglob("*") if q.is_file()):
            h.update(f"{f.relative_to(p)}:{f.stat().st_size}\n".encode())
        return h.hexdigest()
    with p.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def git_commit(cwd: str | Path | None = None) -> str:
    """The current git commit (with ``-dirty`` when the tree has changes), or ``unknown``."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance(
    config: Mapping[str, Any],
    inputs: Iterable[str | Path],
    seeds: Mapping[str, int],
    started: float,
    device: str = "cpu",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the provenance record of an artifact whose job started at ``started`` (time.time())."""
    import torch  # local: keeps this module cheap to import for non-torch rules

    return {
        "package": "soundsight",
        "version": __version__,
        "git_commit": git_commit(),
        "config_hash": config_hash(config),
        "inputs": {str(p): file_hash(p) for p in inputs},
        "seeds": dict(seeds),
        "device": device,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "host": platform.node(),
        "wall_time_s": round(time.time() - started, 3),
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(dict(extra) if extra else {}),
    }


def write_json(path: str | Path, record: Mapping[str, Any]) -> None:
    """Write ``record`` as indented JSON."""
    Path(path).write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
