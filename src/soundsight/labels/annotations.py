"""Human-style sound annotations as multi-label targets (the AudioSet model of Owens et al. §6.1).

A video manifest may carry AudioSet-style labels (``labels``: ';'-joined sound categories); the
world writes the audible sources there. Every frame inherits its video's labels.
"""

from __future__ import annotations

import pandas as pd


def label_sets(labels: pd.Series) -> list[set[str]]:
    """';'-joined label strings (NaN or '' = none) -> sets of labels."""
    return [{s for s in str(v).split(";") if s} if isinstance(v, str) else set() for v in labels]


def annotation_codes(frames: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Bit-string codes over the label vocabulary of the training frames.

    ``frames``: frame_id, video_id, split, labels. Returns the code table (frame_id, video_id,
    split, code) and the vocabulary (sorted labels seen in training; others are ignored).
    """
    sets = label_sets(frames["labels"])
    train = (frames["split"] == "train").to_numpy()
    vocab = sorted(set().union(*(s for s, t in zip(sets, train, strict=True) if t)))
    if not vocab:
        raise ValueError("no training frame carries a label: the manifest has no `labels` column")
    codes = ["".join("1" if v in s else "0" for v in vocab) for s in sets]
    table = frames[["frame_id", "video_id", "split"]].assign(code=codes)
    return table, vocab
