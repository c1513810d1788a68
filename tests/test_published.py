"""Tests for the published tables (src/soundsight/report/published_csv/) and their loader."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from soundsight.papers.student.tables import COPIED_ROWS
from soundsight.report.published import (
    PAPERS,
    PUBLISHED_COLUMNS,
    list_published,
    load_published,
    published_value,
    validate_published,
)

PAPERS_DIR = Path(os.environ.get("SOUNDSIGHT_PAPERS_DIR", "/work/shared/papers"))
PAPER_FILES = {
    "owens2018": "000_401195ecd18b6142.txt",
    "student": "001_d6af70c4c0cccc13.txt",
    "l3net": "002_5a4d1e11a6d863e2.txt",
    "soundnet": "003_7eaf9677f115a813.fulltext.txt",
    "objectsthatsound": "004_fd5773ab6c729015.txt",
}

# (cells, distinct rows, distinct columns) per table, counted from the papers.
EXPECTED_COUNTS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("owens2018", "table1"): (8, 4, 2),
    ("owens2018", "table2"): (12 * 8 - 8, 12, 8),  # Patch pos. & Egomotion fc6/fc7 are '-'
    ("owens2018", "table3"): (9, 9, 1),
    ("owens2018", "table4"): (13 * 20, 13, 20),
    ("owens2018", "table5"): (5 * 4, 5, 4),
    ("owens2018", "text"): (12, 8, 5),
    ("student", "table1"): (14 * 2 - 3, 14, 2),  # three '-' Head cells
    ("student", "table2"): (11 * 20, 11, 20),
    ("l3net", "table1"): (4, 3, 2),  # two '–' Flickr-SoundNet cells
    ("l3net", "table2"): (8 + 7, 12, 2),  # ESC-50 has 8 rows, DCASE 7, 3 shared labels
    ("l3net", "table3"): (9, 9, 1),
    ("l3net", "table4"): (6, 3, 2),
    ("l3net", "text"): (13, 6, 7),
    ("soundnet", "table1"): (11 * 5, 11, 5),
    ("soundnet", "table2"): (8 * 5, 8, 5),
    ("soundnet", "table3"): (5, 5, 1),
    ("soundnet", "table4"): (6 * 2, 6, 2),
    ("soundnet", "table5"): (9 * 2, 9, 2),
    ("soundnet", "table6"): (4 * 6, 4, 6),
    ("soundnet", "table7"): (2 * 3, 2, 3),
    ("soundnet", "text"): (4, 3, 3),
    ("objectsthatsound", "table1"): (6 * 4 - 3, 6, 4),  # VGG16-ImageNet cross-modal '–'
    ("objectsthatsound", "text"): (12, 8, 7),
}


class Spot(NamedTuple):
    """A hard-coded published value and where its printed form sits in the paper text."""

    paper: str
    table: str
    row: str
    column: str
    value: float
    anchor: str  # substring of the line where the search starts
    printed: tuple[str, ...]  # numeric tokens that must appear consecutively
    window: int = 1  # number of lines searched from the anchor line


S = Spot
# fmt: off
SPOTS: list[Spot] = [
    # Owens 2018
    S("owens2018", "table1", "# Detectors", "Sound", 91, "# Detectors\t91", ("91", "117")),
    S("owens2018", "table1", "# Detectors for objects with characteristic sounds", "Places", 26,
      "# Detectors for objects", ("49", "26")),
    S("owens2018", "table1", "Videos with object sound", "Sound", 43.7, "Videos with", ("43.7",)),
    S("owens2018", "table1", "Characteristic sound rate", "Places", 75.9,
      "Characteristic sound rate", ("75.9",)),
    S("owens2018", "table2", "Sound (binary)", "VOC/pool5", 46.7, "Sound (binary)\t39.4",
      ("39.4", "46.7")),
    S("owens2018", "table2", "Sound (binary)", "SUN/max5", 17.1, "Sound (binary)\t39.4",
      ("47.4", "17.1")),
    S("owens2018", "table2", "Sound (cluster)", "SUN/fc7", 14.9, "Sound (cluster)\t36.7",
      ("14.9",)),
    S("owens2018", "table2", "Places (Zhou et al 2014)", "SUN/fc7", 48.8,
      "Places (Zhou et al 2014)\t59.0", ("48.8",)),
    S("owens2018", "table2", "Patch pos. (Doersch et al 2015)", "SUN/pool5", 22.4, "Patch pos.",
      ("10.0", "22.4")),
    S("owens2018", "table3", "Sound (cluster)", "mAP", 44.1, "Sound (cluster)\t44.1", ("44.1",)),
    S("owens2018", "table3", "Random init. (Krähenbühl et al 2016)", "mAP", 41.3, "Random init.",
      ("41.3",)),
    S("owens2018", "table3", "Calibration + Patch (Doersch et al 2015; Krähenbühl et al 2016)",
      "mAP", 51.1, "Calibration + Patch", ("51.1",)),
    S("owens2018", "table4", "Sound (cluster)", "prs", 85, "Sound (cluster)\t68",
      ("58", "85", "25")),
    S("owens2018", "table4", "Audio class probability", "prs", 75, "Audio class probability",
      ("7", "75", "7")),
    S("owens2018", "table4", "K-means", "bt", 49, "K-means\t61", ("27", "49", "9")),
    S("owens2018", "table4", "Places (Zhou et al 2014)", "tv", 63, "Places (Zhou et al 2014)\t83",
      ("88", "63")),
    S("owens2018", "table5", "Annotations", "VOC/fc7", 58.1, "Annotations\t48.8",
      ("56.3", "58.1")),
    S("owens2018", "table5", "Cluster (120 clusters)", "VOC/max5", 40.3, "Cluster (120",
      ("40.3", "48.8")),
    S("owens2018", "table5", "Binary", "VOC/pool5", 48.6, "Binary\t38.5", ("38.5", "48.6")),
    S("owens2018", "text", "Sound (cluster)", "cluster prediction/test accuracy", 15.8,
      "chose the correct sound label", ("15.8",)),
    S("owens2018", "text", "Chance", "cluster prediction/test accuracy", 3.3, "Pure chance",
      ("3.3", "6.6")),
    S("owens2018", "text", "Most common label", "cluster prediction/test accuracy", 6.6,
      "Pure chance", ("6.6",)),
    S("owens2018", "text", "Sound (cluster)", "object-selective conv5 units/SUN+ImageNet", 67,
      "fewer detectors in total", ("67", "91")),
    # Student reproduction
    S("student", "table1", "Our model", "All", 55.1, "| Our model |", ("52.8", "55.1")),
    S("student", "table1", "Owens et al. [24]", "Head", 52.3, "| Owens et al. [24] |",
      ("52.3", "61.3")),
    S("student", "table1", "Noroozi et al. [23]", "All", 67.7, "| Noroozi et al. [23] |",
      ("67.7",)),
    S("student", "table2", "Ours - MFCC", "din", 51, "| Ours - MFCC |", ("37", "51", "43")),
    S("student", "table2", "Ours - Sound Texture", "aer", 76, "| Ours - Sound Texture |",
      ("76", "58")),
    S("student", "table2", "k-means [16]", "bt", 69, "| -means [16] |", ("27", "69", "9")),
    S("student", "table2", "Owens et al. [24]", "hrs", 71, "| Owens et al. [24] | 68",
      ("28", "71", "58")),
    # L3-Net
    S("l3net", "table1", "L3-Net", "Flickr-SoundNet", 78, "-Net\t78%", ("78", "74")),
    S("l3net", "table1", "Supervised direct", "Kinetics-Sounds", 65, "Supervised direct", ("65",)),
    S("l3net", "table1", "Supervised pretraining", "Kinetics-Sounds", 74, "Supervised pretraining",
      ("74",)),
    S("l3net", "table2", "Ours", "ESC-50", 79.3, "Ours\t<b>79.3%", ("79.3", "93")),
    S("l3net", "table2", "Ours random", "DCASE", 85, "Ours random\t62.5%", ("62.5", "85")),
    S("l3net", "table2", "SoundNet [2]", "ESC-50", 74.2, "SoundNet [2]\t74.2%",
      ("74.2", "2", "88")),
    S("l3net", "table2", "Human perf. [26]", "ESC-50", 81.3, "Human perf.", ("81.3",)),
    S("l3net", "table3", "Ours", "Top 1 accuracy", 32.3, "Ours\t32.3%", ("32.3",)),
    S("l3net", "table3", "Ours random", "Top 1 accuracy", 12.9, "Ours random\t12.9%", ("12.9",)),
    S("l3net", "table3", "Noroozi and Favaro [21]", "Top 1 accuracy", 34.7, "Noroozi and Favaro",
      ("34.7",)),
    S("l3net", "table4", "Ours (L3-Net self-supervised training)", "Vision", 0.409,
      "self-supervised training)\t0.409", ("0.409", "0.330")),
    S("l3net", "table4", "Random assignments", "Audio", 0.165, "Random assignments\t",
      ("0.165", "0.165")),
    S("l3net", "table4", "Ours random (L3-Net without training)", "Audio", 0.219,
      "-Net without training)\t0.204", ("0.204", "0.219")),
    S("l3net", "text", "L3-Net (trained)",
      "Kinetics-Sounds classes with a high-preference pool4 unit (4 of top 5)/audio", 11,
      "high-preference units for 10 and 11", ("10", "11", "34", "1", "1")),
    S("l3net", "text", "L3-Net (trained)",
      "Kinetics-Sounds classes with a high-preference pool4 unit (3 of top 5)/vision", 23,
      "subnetworks cover 23 and 20", ("23", "20")),
    S("l3net", "text", "L3-Net vision architecture (fully supervised)", "ImageNet/Top 1 accuracy",
      59.2, "achieves a higher performance", ("59.2", "51.0")),
    # SoundNet (garbled layout: tokens are searched in a window of lines)
    S("soundnet", "table1", "conv1", "Dim.", 220050, "220,050 27,506", ("220,050", "27,506")),
    S("soundnet", "table1", "conv3", "# of Filters", 64, "Table 1: SoundNet (8 Layer)",
      ("862", "64", "16", "2", "8"), 15),
    S("soundnet", "table1", "pool5", "Stride", 1, "Table 1: SoundNet (8 Layer)",
      ("54", "256", "4", "1", "0"), 35),
    S("soundnet", "table1", "conv8", "# of Filters", 1401, "Table 1: SoundNet (8 Layer)",
      ("1024", "4", "1401"), 55),
    S("soundnet", "table2", "conv5", "Stride", 12, "pool2 conv3 pool3 conv4 conv5",
      ("54", "1401", "16", "12", "4"), 50),
    S("soundnet", "table2", "pool3", "Dim.", 432, "pool2 conv3 pool3 conv4 conv5",
      ("432", "128", "8", "8", "0"), 50),
    S("soundnet", "table2", "conv1", "# of Filters", 32, "pool2 conv3 pool3 conv4 conv5",
      ("32", "64", "2", "32"), 10),
    S("soundnet", "table3", "SoundNet", "Accuracy", 88, "Accuracy", ("69", "72", "77", "78", "88"),
      8),
    S("soundnet", "table3", "RG [29]", "Accuracy", 69, "Accuracy", ("69", "72"), 4),
    S("soundnet", "table3", "Ensemble [34]", "Accuracy", 78, "Accuracy", ("77", "78", "88"), 8),
    S("soundnet", "table4", "SoundNet", "ESC-50", 74.2, "ESC-50 ESC-10", ("74.2", "92.2"), 12),
    S("soundnet", "table4", "SVM-MFCC [28]", "ESC-10", 67.5, "ESC-50 ESC-10", ("67.5", "39.6"), 4),
    S("soundnet", "table4", "Human Performance [28]", "ESC-10", 95.7, "ESC-50 ESC-10",
      ("81.3", "95.7"), 14),
    S("soundnet", "table5", "8 Layer, ℓ2 Loss", "ESC-50", 47.8, "ESC-50 ESC-10", ("47.8", "81.5"),
      2),
    S("soundnet", "table5", "8 Layer, Scratch Init", "ESC-10", 75.5, "ESC-50 ESC-10",
      ("65.0", "82.3", "51.1", "75.5"), 10),
    S("soundnet", "table5", "5 Layer, Unlabeled Video", "ESC-50", 66.1, "ESC-50 ESC-10",
      ("66.1", "86.8", "72.9", "92.2"), 10),
    S("soundnet", "table6", "ESC50/8 Layer, VGG", "pool5", 72.9, "66.0% 69.3%",
      ("66.0", "69.3", "72.9", "73.3", "59.8", "43.7")),
    S("soundnet", "table6", "ESC50/8 Layer, AlexNet", "conv8", 45.7, "66.0% 71.2%",
      ("66.0", "71.2", "74.2", "74", "63.8", "45.7")),
    S("soundnet", "table6", "DCASE/8 Layer, VGG", "conv5", 88, "conv5", ("85", "88"), 3),
    S("soundnet", "table6", "DCASE/8 Layer, AlexNet", "conv4", 84, "conv8",
      ("68", "84", "74", "77"), 6),
    S("soundnet", "table7", "8 Layer, conv7", "sound", 32.4, "32.4% 49.4%", ("32.4", "49.4")),
    S("soundnet", "table7", "8 Layer, conv8", "vision+sound", 50.5, "51.4%", ("51.4", "50.5"), 2),
    S("soundnet", "table7", "8 Layer, conv8", "sound", 32.3, "32.3% 49.4%", ("32.3", "49.4")),
    S("soundnet", "text", "SoundNet", "ESC-50 per-class accuracy/toilet flush", 97, "toilet",
      ("97",)),
    S("soundnet", "text", "Chance", "multi-modal 44 categories/accuracy", 2.2,
      "chance level of the task", ("2.2",)),
    S("soundnet", "text", "Most common category (music performance)",
      "multi-modal 44 categories/accuracy", 14, "performance) yields", ("14",)),
    # Objects that Sound
    S("objectsthatsound", "table1", "AVE-Net", "aud-im", 0.587, "AVE-Net\t.604",
      ("0.604", "0.561", "0.587", "0.665")),
    S("objectsthatsound", "table1", "Random chance", "im-im", 0.407, "Random chance\t",
      ("0.407",)),
    S("objectsthatsound", "table1", "L3-Net with CCA", "im-aud", 0.531, "-Net with CCA\t",
      ("0.578", "0.531")),
    S("objectsthatsound", "table1", "VGG16-ImageNet [30]", "im-im", 0.6, "VGG16-ImageNet [30]\t",
      ("0.600",)),
    S("objectsthatsound", "text", "AVE-Net", "AVC accuracy", 81.9, "AVE-Net achieves an accuracy",
      ("81.9", "80.8")),
    S("objectsthatsound", "text", "AVOL-Net", "localisation accuracy", 81.7,
      "The baseline achieves", ("57.2", "81.7")),
    S("objectsthatsound", "text", "AVE-Net (no shortcut prevention)", "AVC accuracy", 87.6,
      "artificially high accuracy", ("87.6", "81.9")),
]
# fmt: on

# Tables printed one row per line (tab- or '|'-separated) in the extracted text: header line
# that precedes the rows, and the full column list in printed order.
OWENS_VOC = ["VOC/max5", "VOC/pool5", "VOC/fc6", "VOC/fc7"]
VOC_CLASSES = [
    *("aer", "bk", "brd", "bt", "btl", "bus", "car", "cat", "chr", "cow"),
    *("din", "dog", "hrs", "mbk", "prs", "pot", "shp", "sfa", "trn", "tv"),
]
LINE_TABLES: dict[tuple[str, str], tuple[str, list[str]]] = {
    ("owens2018", "table1"): ("Method\tSound\tPlaces", ["Sound", "Places"]),
    ("owens2018", "table2"): (
        "\tmax5\tpool5\tfc6\tfc7\tmax5\tpool5\tfc6\tfc7",
        OWENS_VOC + ["SUN/max5", "SUN/pool5", "SUN/fc6", "SUN/fc7"],
    ),
    ("owens2018", "table3"): ("Method\t(%mAP)", ["mAP"]),
    ("owens2018", "table4"): ("Method\t" + "\t".join(VOC_CLASSES), VOC_CLASSES),
    ("owens2018", "table5"): ("\tmax5\tpool5\tfc6\tfc7", OWENS_VOC),
    ("student", "table1"): ("| Head | All | |", ["Head", "All"]),
    ("student", "table2"): ("| " + " | ".join(VOC_CLASSES) + " | |", VOC_CLASSES),
    ("l3net", "table1"): (
        "Method\tFlickr-SoundNet\tKinetics-Sounds",
        ["Flickr-SoundNet", "Kinetics-Sounds"],
    ),
    ("l3net", "table3"): ("Method\tTop 1 accuracy", ["Top 1 accuracy"]),
    ("l3net", "table4"): ("Method\tVision\tAudio", ["Vision", "Audio"]),
    ("objectsthatsound", "table1"): (
        "Method\tim-im\tim-aud\taud-im\taud-aud",
        ["im-im", "im-aud", "aud-im", "aud-aud"],
    ),
}
LABEL_ALIASES = {("student", "table2", "-means [16]"): "k-means [16]"}
NUMBER = re.compile(r"(?<![A-Za-z\d.])(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)")
MISSING = {"-", "–"}


# ----------------------------------------------------------------------------- helpers


def _paper_lines(paper: str) -> list[str]:
    """Return the lines of a paper's text, skipping the test when the shared folder is absent."""
    path = PAPERS_DIR / PAPER_FILES[paper]
    if not path.is_file():
        pytest.skip(f"paper text not available: {path}")
    return path.read_text(encoding="utf-8").splitlines()


def _clean(text: str) -> str:
    """Flatten the extraction markup the CSVs flatten (L^3, html tags)."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\$?L\^3\$?\s*-", "L3-", text)
    return re.sub(r"\(\s+", "(", text)


def _tokens(text: str) -> list[str]:
    """Numeric tokens of a text, normalised like the CSV values ('.407' -> '0.407')."""
    return [("0" + t if t.startswith(".") else t) for t in NUMBER.findall(_clean(text))]


def _contains_run(tokens: list[str], run: tuple[str, ...]) -> bool:
    """Whether ``run`` occurs as consecutive items of ``tokens``."""
    n = len(run)
    return any(tuple(tokens[i : i + n]) == run for i in range(len(tokens) - n + 1))


def _parse_row(line: str) -> tuple[str, list[str]]:
    """Split a table line into its label and printed cells ('-' kept)."""
    cells = [c.strip() for c in re.split(r"[\t|]", _clean(line))]
    cells = [c for c in cells if c]
    assert len(cells) > 1, f"cannot parse table line {line!r}"
    return cells[0], [c.rstrip("%") for c in cells[1:]]


def _region_rows(lines: list[str], header: str) -> list[str]:
    """Lines with numbers after the exact header line, up to a blank or differently styled line."""
    starts = [i for i, line in enumerate(lines) if line.rstrip() == header.rstrip()]
    assert starts, f"header {header!r} not found"
    rows = []
    for line in lines[starts[0] + 1 :]:
        if not line.strip() or (header.startswith("|") and not line.startswith("|")):
            break
        if _tokens(line.split("\t", 1)[-1] if "\t" in line else line):
            rows.append(line)
    return rows


def _as_float(printed: str) -> float:
    """Parse a printed cell as a number."""
    return float(printed.replace(",", ""))


# ----------------------------------------------------------------------------- tests


def test_every_table_is_listed() -> None:
    """All 23 CSVs are found, in paper order, and nothing else."""
    listed = list_published()
    assert sorted(listed) == sorted(EXPECTED_COUNTS)
    assert [p for p, _ in listed] == sorted((p for p, _ in listed), key=PAPERS.index)


@pytest.mark.parametrize(("paper", "table"), sorted(EXPECTED_COUNTS))
def test_counts_and_schema(paper: str, table: str) -> None:
    """Each table has the exact number of cells, rows and columns derived from the paper."""
    frame = load_published(paper, table)
    cells, rows, columns = EXPECTED_COUNTS[(paper, table)]
    assert tuple(frame.columns) == PUBLISHED_COLUMNS
    assert len(frame) == cells
    assert frame["row"].nunique() == rows
    assert frame["column"].nunique() == columns
    assert (frame["paper"] == paper).all() and (frame["table"] == table).all()
    assert frame["value"].dtype == float


@pytest.mark.parametrize(("paper", "table"), sorted(EXPECTED_COUNTS))
def test_values_in_unit_range(paper: str, table: str) -> None:
    """Percentages lie in [0, 100], NMI/nDCG in [0, 1], counts/lengths are whole numbers >= 0."""
    frame = load_published(paper, table)
    for unit, values in frame.groupby("unit")["value"]:
        if "difference" in unit:
            assert values.between(-100, 100).all(), unit
        elif "%" in unit:
            assert values.between(0, 100).all(), unit
        elif unit in {"NMI", "nDCG@30"}:
            assert values.between(0, 1).all(), unit
        else:
            assert (values >= 0).all() and (values == values.round()).all(), unit


def test_at_least_three_spot_checks_per_table() -> None:
    """The spot-check list covers every table at least three times."""
    covered = pd.Series([(s.paper, s.table) for s in SPOTS]).value_counts()
    for key in EXPECTED_COUNTS:
        assert covered.get(key, 0) >= 3, key


@pytest.mark.parametrize("spot", SPOTS, ids=lambda s: f"{s.paper}-{s.table}-{s.row}-{s.column}")
def test_spot_value(spot: Spot) -> None:
    """Hard-coded published values match the CSVs (always runs)."""
    got = published_value(spot.paper, spot.table, spot.row, spot.column)
    assert got == pytest.approx(spot.value, abs=1e-9)


@pytest.mark.parametrize("spot", SPOTS, ids=lambda s: f"{s.paper}-{s.table}-{s.row}-{s.column}")
def test_spot_value_in_paper_text(spot: Spot) -> None:
    """The printed value appears on the row's line (or in the garbled block) of the paper."""
    lines = _paper_lines(spot.paper)
    value_token = _tokens(f"{spot.value:g}" if spot.value >= 1 else f"{spot.value:.3f}")[0]
    assert any(_as_float(t) == _as_float(value_token) for t in spot.printed), spot
    starts = [i for i, line in enumerate(lines) if spot.anchor in line]
    assert starts, f"anchor {spot.anchor!r} not in {PAPER_FILES[spot.paper]}"
    found = any(
        _contains_run(_tokens("\n".join(lines[i : i + spot.window])), spot.printed) for i in starts
    )
    assert found, f"{spot.printed} not found within {spot.window} line(s) of {spot.anchor!r}"


@pytest.mark.parametrize(("paper", "table"), sorted(LINE_TABLES))
def test_line_table_matches_paper_text(paper: str, table: str) -> None:
    """Every cell of a one-row-per-line table equals the paper text, '-' cells are omitted."""
    lines = _paper_lines(paper)
    header, columns = LINE_TABLES[(paper, table)]
    frame = load_published(paper, table)
    expected: dict[tuple[str, str], float] = {}
    labels = []
    for line in _region_rows(lines, header):
        label, cells = _parse_row(line)
        label = LABEL_ALIASES.get((paper, table, label), label)
        labels.append(label)
        assert len(cells) == len(columns), (label, cells)
        for column, cell in zip(columns, cells, strict=True):
            if cell not in MISSING:
                expected[(label, column)] = _as_float(cell)
    assert labels == list(dict.fromkeys(frame["row"])), "row labels or order differ"
    got = {(r, c): v for r, c, v in frame[["row", "column", "value"]].itertuples(index=False)}
    assert got == expected


def test_l3net_table2_matches_paper_text() -> None:
    """L3-Net Table 2 prints ESC-50 and DCASE side by side: check both halves."""
    lines = _paper_lines("l3net")
    expected = {}
    for line in _region_rows(lines, "(a) ESC-50\t\t(b) DCASE\t"):
        cells = [c.strip() for c in _clean(line).split("\t")]
        for column, (label, cell) in zip(
            ("ESC-50", "DCASE"), (cells[0:2], cells[2:4]), strict=False
        ):
            if label:
                expected[(label, column)] = _as_float(cell.rstrip("%"))
    frame = load_published("l3net", "table2")
    got = {(r, c): v for r, c, v in frame[["row", "column", "value"]].itertuples(index=False)}
    assert got == expected


def test_soundnet_numbers_agree_across_papers() -> None:
    """SoundNet's own tables and L3-Net Table 2 quote the same SoundNet/baseline numbers."""
    pairs = [
        (
            ("l3net", "table2", "SoundNet [2]", "ESC-50"),
            ("soundnet", "table4", "SoundNet", "ESC-50"),
        ),
        (
            ("l3net", "table2", "SoundNet [2]", "DCASE"),
            ("soundnet", "table3", "SoundNet", "Accuracy"),
        ),
        (
            ("l3net", "table2", "Autoencoder [2]", "ESC-50"),
            ("soundnet", "table4", "Convolutional Autoencoder", "ESC-50"),
        ),
        (("l3net", "table2", "RNH [28]", "DCASE"), ("soundnet", "table3", "RNH [30]", "Accuracy")),
        (
            ("soundnet", "table6", "ESC50/8 Layer, VGG", "pool5"),
            ("soundnet", "table5", "8 Layer, Unlabeled Video", "ESC-50"),
        ),
        (
            ("soundnet", "table6", "DCASE/8 Layer, VGG", "pool5"),
            ("soundnet", "table3", "SoundNet", "Accuracy"),
        ),
    ]
    for left, right in pairs:
        assert published_value(*left) == published_value(*right), (left, right)


def test_student_per_class_table_copies_owens_except_noted_cells() -> None:
    """The student's per-class table copies Owens Table 4; exactly 3 cells differ, all noted."""
    owens = load_published("owens2018", "table4").set_index(["row", "column"])["value"]
    student = load_published("student", "table2").set_index(["row", "column"])
    mapping = COPIED_ROWS  # the student plugin's map of copied rows onto Owens' row names
    differing = []
    for (row, column), entry in student.iterrows():
        if row in mapping and owens[(mapping[row], column)] != entry["value"]:
            differing.append((row, column))
            assert "owens2018 Table 4" in entry["note"]
    assert sorted(differing) == [
        ("Colorization [38]", "cow"),
        ("Owens et al. [24]", "hrs"),
        ("k-means [16]", "bt"),
    ]


def test_missing_cells_are_omitted() -> None:
    """Cells printed '-' have no line, and asking for them names what is missing."""
    with pytest.raises(KeyError, match="no column 'VOC/fc6'"):
        published_value("owens2018", "table2", "Egomotion (Agrawal et al 2015)", "VOC/fc6")
    with pytest.raises(KeyError, match="no column 'Head'"):
        published_value("student", "table1", "Pathak et al. [26]", "Head")


def test_unknown_keys_raise_keyerror_naming_them() -> None:
    """Unknown paper, table, row and column each raise a KeyError naming the bad key."""
    with pytest.raises(KeyError, match="unknown paper 'owens2016'"):
        load_published("owens2016", "table2")
    with pytest.raises(KeyError, match="no published table 'table9'"):
        load_published("owens2018", "table9")
    with pytest.raises(KeyError, match="no row 'Sound \\(texture\\)'"):
        published_value("owens2018", "table2", "Sound (texture)", "VOC/pool5")
    with pytest.raises(KeyError, match="no column 'VOC/conv5'"):
        published_value("owens2018", "table2", "Sound (binary)", "VOC/conv5")


def test_load_returns_independent_copies() -> None:
    """Mutating a loaded table does not change what the next load returns."""
    first = load_published("owens2018", "table3")
    first.loc[:, "value"] = -1.0
    assert published_value("owens2018", "table3", "Sound (cluster)", "mAP") == 44.1


def _raw(**overrides: object) -> pd.DataFrame:
    """A valid raw (all-string) two-cell table, with optional column overrides."""
    data = {
        "paper": ["owens2018", "owens2018"],
        "table": ["table9", "table9"],
        "row": ["A", "A"],
        "column": ["x", "y"],
        "value": ["1.5", "2"],
        "unit": ["mAP %", "mAP %"],
        "note": ["", ""],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_validate_accepts_good_and_converts_values() -> None:
    """A well-formed table validates and its values become floats."""
    out = validate_published(_raw(), "owens2018", "table9")
    assert out["value"].tolist() == [1.5, 2.0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": ["1.5", "46.7%"]}, "non-numeric"),
        ({"value": ["1.5", ""]}, "non-numeric or missing"),
        ({"column": ["x", "x"]}, "repeated"),
        ({"unit": ["mAP %", " "]}, "empty 'unit'"),
        ({"table": ["table9", "table2"]}, "disagree with the file name"),
    ],
)
def test_validate_rejects_bad_tables(overrides: dict, message: str) -> None:
    """Bad values, duplicates, empty keys and mislabelled rows are rejected with a clear error."""
    with pytest.raises(ValueError, match=message):
        validate_published(_raw(**overrides), "owens2018", "table9")


def test_validate_rejects_wrong_columns() -> None:
    """A table whose columns differ from the schema is rejected."""
    frame = _raw().rename(columns={"note": "notes"})
    with pytest.raises(ValueError, match="columns"):
        validate_published(frame, "owens2018", "table9")
