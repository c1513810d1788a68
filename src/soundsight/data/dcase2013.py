"""Reader for the DCASE 2013 acoustic scene classification data (challenge task 1, "scenes").

``root`` holds the development set, the private test set, or both, unpacked from the official zips
(``scenes_stereo.zip``, ``scenes_stereo_testset.zip``)::

    root/
      scenes_stereo/bus01.wav ... tubestation10.wav            split "dev"
      scenes_stereo_testset/bus01.wav ... tubestation10.wav    split "test"

Each set has 10 clips of 30 s per class; the label is the file name without its trailing digits
(``busystreet05.wav`` -> ``busystreet``) and the target its index in ``CLASSES``. Each folder is
searched recursively (a zip that unpacks to ``scenes_stereo/scenes_stereo/`` works); non-wav
files are ignored; wav files whose name does not parse, that name an unknown class or repeat a
clip name are rejected with a reason (accepted + rejected = wav files found).

``classes=None`` reads a set with another class list (the embedded world's mini-DCASE, whose
classes are its scenes): the classes are then the labels found, sorted; the default checks
against the official 10.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

CLASSES = (
    "bus", "busystreet", "office", "openairmarket", "park",
    "quietstreet", "restaurant", "supermarket", "tube", "tubestation",
)  # fmt: skip
SPLITS = {"dev": "scenes_stereo", "test": "scenes_stereo_testset"}
LAYOUT = (
    "expected the DCASE 2013 scenes layout: <root>/scenes_stereo/<class><nn>.wav (development "
    "set) and/or <root>/scenes_stereo_testset/<class><nn>.wav (test set), e.g. bus01.wav"
)
_NAME = re.compile(r"(?P<label>[a-z]+)(?P<number>\d+)", re.IGNORECASE)


def read_dcase2013(
    root: Path, classes: Sequence[str] | None = CLASSES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clips ``(path, split, label, target)`` and rejects ``(path, split, reason)``; ``target`` is
    the index of ``label`` in ``classes`` (None: in the sorted labels found)."""
    root = Path(root)
    folders = {s: root / name for s, name in SPLITS.items() if (root / name).is_dir()}
    if not folders:
        raise FileNotFoundError(
            f"neither {root / SPLITS['dev']} nor {root / SPLITS['test']}; {LAYOUT}"
        )
    clips, rejects = [], []
    for split, folder in folders.items():
        wavs = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".wav")
        if not wavs:
            raise FileNotFoundError(f"{folder} holds no .wav files; {LAYOUT}")
        seen: dict[str, Path] = {}
        for path in wavs:
            label, reason = parse_name(path.name, classes)
            key = path.stem.lower()
            if reason is None and key in seen:
                reason = f"same clip name as {seen[key]}"
            if reason is not None:
                rejects.append({"path": str(path), "split": split, "reason": reason})
                continue
            seen[key] = path
            clips.append({"path": str(path), "split": split, "label": label})
        log.info("DCASE 2013 %s: %d clips, %d rejected", split, len(seen), len(wavs) - len(seen))
    table = pd.DataFrame(clips, columns=["path", "split", "label"])
    known = sorted(table["label"].unique()) if classes is None else list(classes)
    table["target"] = table["label"].map({c: k for k, c in enumerate(known)}).astype("int64")
    return table, pd.DataFrame(rejects, columns=["path", "split", "reason"])


def parse_name(
    filename: str, classes: Sequence[str] | None = CLASSES
) -> tuple[str | None, str | None]:
    """``(label, None)`` for a name like ``bus01.wav``, else ``(None, reason)`` (an unknown class
    is a reason only when ``classes`` is given)."""
    stem = Path(filename).stem
    match = _NAME.fullmatch(stem)
    if match is None:
        return None, f"file name {filename!r} is not <class><number>.wav"
    label = match["label"].lower()
    if classes is not None and label not in classes:
        return None, f"unknown class {label!r} (known: {', '.join(classes)})"
    return label, None
