"""Labelled clip sets over a rendered world corpus, in their real counterparts' layouts.

* AudioSet style: ``ontology.json`` (Google's schema) over the world's label vocabulary, a DAG
  with several levels and two-parent nodes, and ``balanced_train_segments.csv`` /
  ``eval_segments.csv`` in Google's segments format; the clips are the corpus's own videos
  (``segments_manifest`` finds ``videos/{YTID}.mp4`` as whole videos cut at start/end).
* Kinetics-Sounds style: one label per clip, the on-screen sounding object that sounds longest
  (the visible-and-audible object a Kinetics-Sounds action names), as a manifest CSV that
  ``soundsight.data.manifest.list_videos`` reads (``path,start,end,labels,video_id,split``).

Both read only the corpus's ``videos.csv`` and ``groundtruth/*.json`` (what ``generate_videos``
wrote), so they are as deterministic as the videos; the splits depend on ``cfg.seed`` alone.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from soundsight.world.categories import INSTRUMENT_CATEGORIES, LABEL_VOCAB, MUSIC_LABEL
from soundsight.world.compose import make_rng

STREAM_AUDIOSET = 7
STREAM_KINETICS = 8
SEGMENT_FILES = {"train": "balanced_train_segments.csv", "eval": "eval_segments.csv"}

# (id, name, child ids, description): internal classes and the world's labels (leaf names are
# the world's label names, so segments_manifest's labels equal videos.csv's)
_ONTOLOGY: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("/w/human", "Human sounds", ("/w/voice", "/w/group"), "Sounds people make."),
    ("/w/voice", "Human voice", ("/w/person", "/w/baby", "/w/crowd"), "Voiced sounds."),
    ("/w/group", "Human group actions", ("/w/crowd",), "Many people at once."),
    ("/w/person", "person", (), "Speech-like babble of one talker."),
    ("/w/baby", "baby", (), "A baby crying."),
    ("/w/crowd", "crowd", (), "Overlapping voices (a voice sound and a group action)."),
    ("/w/animal", "Animal", ("/w/pets", "/w/wild"), "Sounds animals make."),
    ("/w/pets", "Domestic animals, pets", ("/w/dog",), "Animals kept by people."),
    ("/w/wild", "Wild animals", ("/w/bird",), "Animals living free."),
    ("/w/dog", "dog", (), "Barking."),
    ("/w/bird", "bird", (), "Bird song: FM chirps."),
    ("/w/things", "Sounds of things", ("/w/vehicle",), "Sounds of objects and machines."),
    ("/w/vehicle", "Vehicle", ("/w/road", "/w/rail"), "Sounds of transport."),
    ("/w/road", "Motor vehicle (road)", ("/w/car",), "Road vehicles."),
    ("/w/rail", "Rail transport", ("/w/train",), "Trains."),
    ("/w/car", "car", (), "Engine hum."),
    ("/w/train", "train", (), "Wheels on rail joints over a rumble."),
    ("/w/natural", "Natural sounds", ("/w/water",), "Sounds of nature."),
    ("/w/water", "Water", ("/w/waterfall",), "Flowing water."),
    ("/w/waterfall", "waterfall", (), "Steady broadband water noise."),
    ("/w/music", MUSIC_LABEL, ("/w/instrument",), "Music (a label of its own, as in AudioSet)."),
    (
        "/w/instrument",
        "Musical instrument",
        ("/w/plucked", "/w/keyboard", "/w/percussion"),
        "Sounds of instruments.",
    ),
    ("/w/plucked", "Plucked string instrument", ("/w/guitar",), "Plucked strings."),
    ("/w/keyboard", "Keyboard (musical)", ("/w/piano",), "Keyboard instruments."),
    ("/w/percussion", "Percussion", ("/w/drum", "/w/piano"), "Struck instruments."),
    ("/w/guitar", "guitar", (), "Plucked strings (Karplus-Strong)."),
    ("/w/piano", "piano", (), "Struck strings: a keyboard and a percussion instrument."),
    ("/w/drum", "drum", (), "Kick, snare and hats."),
)


def ontology_entries() -> list[dict[str, Any]]:
    """The world's ontology as Google's ``ontology.json`` list of classes."""
    return [
        {
            "id": node,
            "name": name,
            "description": description,
            "citation_uri": "",
            "positive_examples": [],
            "child_ids": list(kids),
            "restrictions": [] if name in LABEL_VOCAB else ["abstract"],
        }
        for node, name, kids, description in _ONTOLOGY
    ]


def label_ids() -> dict[str, str]:
    """World label name -> ontology id (every label of ``LABEL_VOCAB``)."""
    ids = {name: node for node, name, _, _ in _ONTOLOGY if name in LABEL_VOCAB}
    missing = sorted(set(LABEL_VOCAB) - set(ids))
    if missing:
        raise ValueError(f"world labels without an ontology class: {missing}")
    return ids


def split_ids(video_ids: list[str], fraction: float, seed: int, stream: int) -> set[str]:
    """The ``round(fraction * n)`` ids held out, drawn from (seed, stream) alone."""
    order = make_rng(seed, stream).permutation(len(video_ids))
    n_held = int(round(fraction * len(video_ids)))
    return {video_ids[i] for i in order[:n_held]}


def write_audioset(
    world_dir: str | Path, out_dir: str | Path, seed: int, eval_fraction: float
) -> dict[str, Any]:
    """Write ``ontology.json`` and the two segments CSVs for the labelled videos of world_dir."""
    videos = _good_videos(Path(world_dir))
    videos = videos.loc[videos["labels"] != ""].reset_index(drop=True)  # AudioSet: >= 1 label
    ids = label_ids()
    held = split_ids(list(videos["video_id"]), eval_fraction, seed, STREAM_AUDIOSET)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ontology.json").write_text(json.dumps(ontology_entries(), indent=1) + "\n")
    counts = {}
    for split, filename in SEGMENT_FILES.items():
        part = videos.loc[videos["video_id"].isin(held) == (split == "eval")]
        rows = [
            (v, float(s), float(e), [ids[name] for name in labels.split(";")])
            for v, s, e, labels in part[["video_id", "start", "end", "labels"]].itertuples(False)
        ]
        (out / filename).write_text(segments_csv(rows, seed))
        counts[split] = len(rows)
    instruments = (
        videos["labels"].str.split(";").map(lambda ls: bool(set(ls) & set(INSTRUMENT_CATEGORIES)))
    )
    return {
        "seed": seed,
        "counts": counts,
        "n_with_instrument": int(instruments.sum()),
        "label_counts": {
            n: int(videos["labels"].str.split(";").map(lambda ls, n=n: n in ls).sum())
            for n in LABEL_VOCAB
        },
        "clips_dir": os.path.relpath(Path(world_dir) / "videos", out),
    }


def segments_csv(rows: list[tuple[str, float, float, list[str]]], seed: int) -> str:
    """Google's segments CSV text: three '#' lines, then ``YTID, start, end, "id,id"`` rows."""
    n_labels = len({i for *_, labels in rows for i in labels})
    n_pos = sum(len(labels) for *_, labels in rows)
    lines = [
        f"# Segments csv created by the soundsight AmbientWorld (seed {seed})",
        f"# num_ytids={len(rows)}, num_segs={len(rows)}, num_unique_labels={n_labels}, "
        f"num_positive_labels={n_pos}",
        "# YTID, start_seconds, end_seconds, positive_labels",
    ]
    lines += [f'{v}, {s:.3f}, {e:.3f}, "{",".join(labels)}"' for v, s, e, labels in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- Kinetics-Sounds
def kinetics_label(truth: dict[str, Any]) -> str | None:
    """The on-screen, audible object category that sounds in the most frames (ties: the
    vocabulary's order), or None when no visible object is heard."""
    frames: dict[str, int] = {}
    for obj in truth["objects"]:
        if obj["audible"] and obj["on_screen"] and obj["frames_visible"] > 0:
            frames[obj["category"]] = frames.get(obj["category"], 0) + obj["frames_audible"]
    if not frames:
        return None
    return max(frames, key=lambda c: (frames[c], -LABEL_VOCAB.index(c)))


def write_kinetics_sounds(
    world_dir: str | Path, out_csv: str | Path, seed: int, val_fraction: float
) -> dict[str, Any]:
    """Write the one-label-per-clip manifest ``path,start,end,labels,video_id,split`` (paths
    relative to the CSV's folder); clips without a visible sounding object are left out."""
    world, out = Path(world_dir), Path(out_csv)
    videos = _good_videos(world)
    labels = [
        kinetics_label(json.loads((world / "groundtruth" / f"{v}.json").read_text()))
        for v in videos["video_id"]
    ]
    videos = videos.assign(labels=labels).dropna(subset=["labels"]).reset_index(drop=True)
    held = split_ids(list(videos["video_id"]), val_fraction, seed, STREAM_KINETICS)
    videos["split"] = np.where(videos["video_id"].isin(held), "val", "train")
    out.parent.mkdir(parents=True, exist_ok=True)
    videos["path"] = [os.path.relpath(world / p, out.parent) for p in videos["path"]]
    buf = io.StringIO()
    columns = ["path", "start", "end", "labels", "video_id", "split"]
    videos[columns].to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.write_text(buf.getvalue())
    return {
        "seed": seed,
        "n_clips": len(videos),
        "n_left_out": len(labels) - len(videos),
        "splits": videos["split"].value_counts().sort_index().to_dict(),
        "label_counts": videos["labels"].value_counts().sort_index().to_dict(),
    }


def _good_videos(world: Path) -> pd.DataFrame:
    """The rendered (not deliberately broken) rows of a world corpus's ``videos.csv``."""
    table = pd.read_csv(world / "videos.csv", dtype=str, keep_default_na=False)
    return table.loc[table["scene"] != ""].reset_index(drop=True)
