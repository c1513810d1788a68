"""Logging set-up for the workflow's script adapters (the package itself only creates loggers)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def configure(log_path: str | Path | None, level: int = logging.INFO) -> logging.Logger:
    """Send log records to ``log_path`` (and stderr) and return the ``soundsight`` logger."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
    return logging.getLogger("soundsight")
