"""Real-dataset readers on tiny fixtures in each dataset's official layout (SUN397, ESC-50,
DCASE 2013 scenes, AudioSet): parsing, validation errors naming the path, and rejects that
reconcile with the inputs."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from scipy.io import wavfile
from torch import nn

from soundsight.data.audioset import (
    read_ontology,
    read_segments,
    segments_manifest,
    write_manifest,
)
from soundsight.data.dcase2013 import CLASSES as DCASE_CLASSES
from soundsight.data.dcase2013 import read_dcase2013
from soundsight.data.esc50 import esc10_subset, fold_splits, read_esc50
from soundsight.data.manifest import list_videos
from soundsight.data.sun import is_jpeg, read_sun
from soundsight.probes.run import sun_probe

# ------------------------------------------------------------------------------------------------
# SUN397: listed files whose content is not a JPEG are rejected with the format their header shows
# ------------------------------------------------------------------------------------------------


def _sun(root: Path, formats: dict[str, str]) -> Path:
    """SUN397 folder with one partition; ``formats`` maps image rel path -> PIL format."""
    root.mkdir()
    (root / "ClassName.txt").write_text("/a/abbey\n/b/beach\n")
    for rel, fmt in formats.items():
        (root / rel[1:]).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8), (200, 10, 10)).save(root / rel[1:], format=fmt)
    rels = list(formats)
    (root / "Training_01.txt").write_text("".join(r + "\n" for r in rels[:4]))
    (root / "Testing_01.txt").write_text("".join(r + "\n" for r in rels[4:]))
    return root


def test_is_jpeg_reads_the_header_not_the_suffix(tmp_path):
    for fmt in ("JPEG", "PNG", "GIF"):
        Image.new("RGB", (4, 4)).save(tmp_path / f"x_{fmt}.jpg", format=fmt)
    assert is_jpeg(tmp_path / "x_JPEG.jpg")
    assert not is_jpeg(tmp_path / "x_PNG.jpg")
    assert not is_jpeg(tmp_path / "x_GIF.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert not is_jpeg(tmp_path / "empty.jpg")


def test_read_sun_rejects_non_jpeg_files_with_the_format(tmp_path, caplog):
    formats = {
        "/a/abbey/sun_a1.jpg": "JPEG",
        "/a/abbey/sun_a2.jpg": "PNG",
        "/b/beach/sun_b1.jpg": "JPEG",
        "/b/beach/sun_b2.jpg": "GIF",
        "/a/abbey/sun_a3.jpg": "JPEG",
        "/b/beach/sun_b3.jpg": "BMP",
    }
    root = _sun(tmp_path / "SUN397", formats)
    (root / "a/abbey/sun_a4.jpg").write_bytes(b"not an image at all")
    with (root / "Testing_01.txt").open("a") as f:
        f.write("/a/abbey/sun_a4.jpg\n")
    with caplog.at_level("WARNING"):
        split = read_sun(root, 1)
    assert split.train_paths == [root / "a/abbey/sun_a1.jpg", root / "b/beach/sun_b1.jpg"]
    assert split.train_labels.tolist() == [0, 1]
    assert split.test_paths == [root / "a/abbey/sun_a3.jpg"]
    assert split.test_labels.tolist() == [0]
    assert split.rejected == [
        (root / "a/abbey/sun_a2.jpg", "not a JPEG (PNG signature)"),
        (root / "b/beach/sun_b2.jpg", "not a JPEG (GIF signature)"),
        (root / "b/beach/sun_b3.jpg", "not a JPEG (BMP signature)"),
        (root / "a/abbey/sun_a4.jpg", "not a JPEG (unknown signature)"),
    ]
    # nothing lost: kept + rejected = the 7 listed files
    assert len(split.train_paths) + len(split.test_paths) + len(split.rejected) == 7
    assert "4 listed images rejected" in caplog.text


def test_read_sun_fails_when_no_listed_file_is_a_jpeg(tmp_path):
    formats = {f"/a/abbey/sun_{k}.jpg": "PNG" for k in range(5)}
    root = _sun(tmp_path / "SUN397", formats)
    with pytest.raises(ValueError, match=r"none of the 4 images listed in .*Training_01.txt"):
        read_sun(root, 1)


def test_read_sun_all_jpeg_has_no_rejects(tmp_path):
    formats = {f"/b/beach/sun_{k}.jpg": "JPEG" for k in range(5)}
    split = read_sun(_sun(tmp_path / "SUN397", formats), 1)
    assert split.rejected == []
    assert np.array_equal(split.train_labels, np.ones(4, dtype=np.int64))


class _MeanColour(nn.Module):
    """Stand-in model whose only layer ("fc6") is a linear map of the mean colour."""

    input_size = 16

    def __init__(self) -> None:
        super().__init__()
        self.fc6 = nn.Linear(3, 3)

    def forward_intermediates(self, x: torch.Tensor, layers: list[str]) -> dict:
        return {"fc6": self.fc6(x.mean((2, 3)))}


def test_sun_probe_summary_lists_the_rejected_images(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "SUN397"
    root.mkdir()
    (root / "ClassName.txt").write_text("/a/abbey\n/b/beach\n")
    train, test = [], []
    for c in ("a/abbey", "b/beach"):
        (root / c).mkdir(parents=True)
        for k in range(7):
            fmt = "PNG" if (c, k) == ("b/beach", 6) else "JPEG"
            pixels = rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / c / f"sun_{k}.jpg", format=fmt)
            (train if k < 4 else test).append(f"/{c}/sun_{k}.jpg")
    (root / "Training_01.txt").write_text("\n".join(train) + "\n")
    (root / "Testing_01.txt").write_text("\n".join(test) + "\n")
    summary, _ = sun_probe(_MeanColour(), root, ["fc6"], 16, 3, seed=0)
    assert summary["rejected_images"] == [
        {"path": "b/beach/sun_6.jpg", "reason": "not a JPEG (PNG signature)"}
    ]
    assert len(summary["layers"]["fc6"]["accuracy"]) == 1


# ------------------------------------------------------------------------------------------------
# ESC-50 / ESC-10
# ------------------------------------------------------------------------------------------------

ESC_CLASSES = [(0, "dog", True), (1, "rooster", True), (2, "pig", False), (10, "rain", True)]
ESC_HEADER = "filename,fold,target,category,esc10,src_file,take\n"


def _wav(path: Path, seconds: float = 0.01, rate: int = 8000) -> Path:
    """A short sine wav file (int16 mono)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    wavfile.write(path, rate, (3000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16))
    return path


def _esc50(base: Path) -> Path:
    """ESC-50-master with 5 folds x 4 classes, one clip each, in the official layout."""
    root = base / "ESC-50-master"
    lines = []
    for fold in range(1, 6):
        for target, category, esc10 in ESC_CLASSES:
            name = f"{fold}-{1000 + target}-A-{target}.wav"
            lines.append(f"{name},{fold},{target},{category},{esc10},{1000 + target},A\n")
            _wav(root / "audio" / name)
    (root / "meta").mkdir()
    (root / "meta" / "esc50.csv").write_text(ESC_HEADER + "".join(lines))
    return root


def test_read_esc50_official_layout_and_rejects(tmp_path):
    root = _esc50(tmp_path)
    (root / "audio" / "3-1002-A-2.wav").unlink()  # listed, missing
    _wav(root / "audio" / "9-9999-A-9.wav")  # on disk, not listed
    (root / "audio" / "README.txt").write_text("not audio")
    clips, rejects = read_esc50(tmp_path)  # the folder holding ESC-50-master/ works too
    assert list(clips.columns) == ["path", "fold", "target", "category", "esc10"]
    assert len(clips) == 19 and all(Path(p).is_file() for p in clips["path"])
    assert clips["fold"].dtype == np.int64 and clips["esc10"].dtype == bool
    assert sorted(clips["fold"].value_counts().tolist()) == [3, 4, 4, 4, 4]
    assert rejects.to_dict("records") == [
        {"path": str(root / "audio/3-1002-A-2.wav"), "reason": "missing audio file"},
        {"path": str(root / "audio/9-9999-A-9.wav"), "reason": "not listed in meta/esc50.csv"},
    ]
    # counts reconcile: accepted + missing = 20 CSV rows, accepted + unlisted = 20 wav files
    n_missing = (rejects["reason"] == "missing audio file").sum()
    assert len(clips) + n_missing == 20
    assert len(clips) + (len(rejects) - n_missing) == len(list((root / "audio").glob("*.wav")))
    assert read_esc50(root)[0].equals(clips)


def test_esc10_subset_renumbers_targets_in_category_order(tmp_path):
    clips, _ = read_esc50(_esc50(tmp_path))
    esc10 = esc10_subset(clips)
    assert len(esc10) == 15 and "pig" not in set(esc10["category"])
    mapping = dict(zip(esc10["category"], esc10["target"], strict=True))
    assert mapping == {"dog": 0, "rain": 1, "rooster": 2}  # sorted by category name
    assert dict(zip(esc10["category"], esc10["esc50_target"], strict=True)) == {
        "dog": 0,
        "rain": 10,
        "rooster": 1,
    }
    with pytest.raises(ValueError, match="ESC-10"):
        esc10_subset(clips[~clips["esc10"]])


def test_fold_splits_are_the_five_official_folds(tmp_path):
    clips, _ = read_esc50(_esc50(tmp_path))
    splits = list(fold_splits(clips))
    assert [f for f, _, _ in splits] == [1, 2, 3, 4, 5]
    for fold, train, test in splits:
        assert set(clips["fold"].iloc[test]) == {fold}
        assert fold not in set(clips["fold"].iloc[train])
        assert sorted([*train, *test]) == list(range(len(clips)))
    assert sorted(np.concatenate([t for _, _, t in splits]).tolist()) == list(range(20))
    with pytest.raises(ValueError, match="fold 3 has no clips"):
        list(fold_splits(clips[clips["fold"] != 3]))


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda t: t.replace(",esc10,", ",flag,"), r"missing column\(s\) \['esc10'\]"),
        (lambda t: t.replace("\n2-1000-A-0.wav,2,", "\n2-1000-A-0.wav,6,"), r"outside 1..5 at"),
        (lambda t: t.replace(",1,rooster,", ",0,rooster,"), r"target 0 has several category"),
        (lambda t: t.replace(",rain,True,", ",rain,yes,"), r"'esc10' neither True nor False"),
        (lambda t: t.replace(",10,rain,", ",ten,rain,"), r"non-integer 'target' at line"),
    ],
)
def test_read_esc50_validates_the_metadata(tmp_path, edit, error):
    root = _esc50(tmp_path)
    meta = root / "meta" / "esc50.csv"
    meta.write_text(edit(meta.read_text()))
    with pytest.raises(ValueError, match=error) as err:
        read_esc50(root)
    assert str(meta) in str(err.value)


def test_read_esc50_missing_layout_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no meta/esc50.csv in .*nowhere.*ESC-50 layout"):
        read_esc50(tmp_path / "nowhere")
    root = _esc50(tmp_path)
    for wav in (root / "audio").glob("*.wav"):
        wav.unlink()
    with pytest.raises(FileNotFoundError, match=r"none of the 20 clips listed is in .*audio"):
        read_esc50(root)


# ------------------------------------------------------------------------------------------------
# DCASE 2013 scenes
# ------------------------------------------------------------------------------------------------


def test_read_dcase2013_labels_from_file_names_and_rejects(tmp_path):
    dev, test = tmp_path / "scenes_stereo", tmp_path / "scenes_stereo_testset"
    for name in ("bus01.wav", "busystreet05.wav", "tubestation10.wav", "cafe01.wav", "bus.wav"):
        _wav(dev / name)
    _wav(dev / "__MACOSX" / "._bus01.wav")
    _wav(dev / "copy" / "bus01.wav")
    (dev / "readme.txt").write_text("ignored")
    _wav(test / "scenes_stereo_testset" / "office03.wav")  # zip unpacked one level deeper
    _wav(test / "scenes_stereo_testset" / "Park01.WAV")
    clips, rejects = read_dcase2013(tmp_path)
    assert list(clips.columns) == ["path", "split", "label", "target"]
    got = [(Path(p).relative_to(tmp_path).as_posix(), s, lab, t) for p, s, lab, t in clips.values]
    assert got == [
        ("scenes_stereo/bus01.wav", "dev", "bus", 0),
        ("scenes_stereo/busystreet05.wav", "dev", "busystreet", 1),
        ("scenes_stereo/tubestation10.wav", "dev", "tubestation", 9),
        ("scenes_stereo_testset/scenes_stereo_testset/Park01.WAV", "test", "park", 4),
        ("scenes_stereo_testset/scenes_stereo_testset/office03.wav", "test", "office", 2),
    ]
    reasons = {Path(p).relative_to(tmp_path).as_posix(): r for p, _, r in rejects.values}
    assert reasons == {
        "scenes_stereo/__MACOSX/._bus01.wav": "file name '._bus01.wav' is not <class><number>.wav",
        "scenes_stereo/bus.wav": "file name 'bus.wav' is not <class><number>.wav",
        "scenes_stereo/cafe01.wav": reasons["scenes_stereo/cafe01.wav"],
        "scenes_stereo/copy/bus01.wav": f"same clip name as {dev / 'bus01.wav'}",
    }
    assert reasons["scenes_stereo/cafe01.wav"].startswith("unknown class 'cafe' (known: bus, ")
    n_wav = sum(1 for p in tmp_path.rglob("*") if p.suffix.lower() == ".wav")
    assert len(clips) + len(rejects) == n_wav == 9  # nothing lost; readme.txt ignored
    assert list(DCASE_CLASSES) == sorted(DCASE_CLASSES) and len(DCASE_CLASSES) == 10


def test_read_dcase2013_needs_one_of_the_two_sets(tmp_path):
    _wav(tmp_path / "scenes_stereo_testset" / "tube07.wav")
    clips, rejects = read_dcase2013(tmp_path)  # test set alone is fine
    assert clips[["split", "label", "target"]].values.tolist() == [["test", "tube", 8]]
    assert rejects.empty
    with pytest.raises(FileNotFoundError, match=r"neither .*other/scenes_stereo nor .*testset"):
        read_dcase2013(tmp_path / "other")
    (tmp_path / "empty" / "scenes_stereo").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match=r"empty/scenes_stereo holds no .wav files"):
        read_dcase2013(tmp_path / "empty")


# ------------------------------------------------------------------------------------------------
# AudioSet: segment CSVs, ontology, manifest of downloaded clips
# ------------------------------------------------------------------------------------------------

SEGMENTS_CSV = """\
# Segments csv created Sun Mar  5 10:54:25 2017
# num_ytids=5, num_segs=5, num_unique_labels=3, num_positive_labels=7
# YTID, start_seconds, end_seconds, positive_labels
--PJHxphWEs, 30.000, 40.000, "/m/09x0r,/t/dd00088"
-0RWZT-miFs, 420.000, 430.000, "/m/05zppz"
0FMdORf5iGs, 0.000, 10.000, "/m/09x0r"
1ZuDiGbu1Rk, 12.500, 22.500, "/m/nope,/m/09x0r"
5kRo6tA2x0M, 80.000, 90.000, "/m/05zppz,/t/dd00088"
--PJHxphWEs, 30.000, 40.000, "/m/09x0r"
"""


def _entry(node: str, name: str, children: list[str]) -> dict:
    """An ontology.json entry with every official key."""
    return {
        "id": node,
        "name": name,
        "description": f"{name}.",
        "citation_uri": "",
        "positive_examples": [],
        "child_ids": children,
        "restrictions": [],
    }


ONTOLOGY = [
    _entry("/m/0dgw9r", "Human sounds", ["/m/09l8g", "/m/09x0r"]),
    _entry("/m/09l8g", "Human voice", ["/m/09x0r"]),
    _entry("/m/09x0r", "Speech", ["/m/05zppz"]),
    _entry("/m/05zppz", "Male speech, man speaking", []),
    _entry("/t/dd00088", "Gush", []),
]


def _write_json(path: Path, entries: list[dict]) -> Path:
    path.write_text(json.dumps(entries))
    return path


def test_read_segments_official_format(tmp_path):
    (tmp_path / "eval_segments.csv").write_text(SEGMENTS_CSV)
    seg = read_segments(tmp_path / "eval_segments.csv")
    assert list(seg.columns) == ["ytid", "start", "end", "labels"]
    assert seg["ytid"].tolist()[:3] == ["--PJHxphWEs", "-0RWZT-miFs", "0FMdORf5iGs"]
    assert seg["start"].tolist()[3] == 12.5 and seg["end"].tolist()[1] == 430.0
    assert seg["labels"].tolist()[0] == ["/m/09x0r", "/t/dd00088"]
    assert len(seg) == 6


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (SEGMENTS_CSV.replace("# YTID, start_seconds", "# id, start"), r"data before the column"),
        (SEGMENTS_CSV + 'abc, 1.0, "/m/09x0r"\n', r"eval_segments.csv:10: malformed row"),
        (SEGMENTS_CSV + 'abc, 5.0, 1.0, "/m/09x0r"\n', r":10: need a YTID, 0 <= start < end"),
        (SEGMENTS_CSV + 'abc, 0.0, 1.0, ""\n', r":10: need a YTID, .* and labels"),
        ("# only a comment\n", r"no '# YTID, start_seconds, ...' header line"),
    ],
)
def test_read_segments_errors_name_the_line(tmp_path, text, error):
    path = tmp_path / "eval_segments.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=error):
        read_segments(path)
    with pytest.raises(FileNotFoundError, match="missing AudioSet segments file"):
        read_segments(tmp_path / "nope.csv")


def test_ontology_graph(tmp_path):
    onto = read_ontology(_write_json(tmp_path / "ontology.json", ONTOLOGY))
    assert onto.names["/m/09x0r"] == "Speech"
    assert onto.children["/m/0dgw9r"] == ("/m/09l8g", "/m/09x0r")
    assert set(onto.parents["/m/09x0r"]) == {"/m/0dgw9r", "/m/09l8g"}  # two parents
    assert onto.ancestors("/m/05zppz") == {"/m/09x0r", "/m/09l8g", "/m/0dgw9r"}
    assert onto.ancestors("/m/0dgw9r") == set()
    assert [onto.depth(n) for n in ("/m/0dgw9r", "/m/09l8g", "/m/09x0r", "/m/05zppz")] == [
        0,
        1,
        1,  # shortest path: Speech is also a direct child of Human sounds
        2,
    ]
    with pytest.raises(KeyError, match="unknown AudioSet class id '/m/zzz'"):
        onto.depth("/m/zzz")


def test_ontology_validation(tmp_path):
    path = tmp_path / "ontology.json"
    bad_child = [*ONTOLOGY[:-1], _entry("/t/dd00088", "Gush", ["/m/missing"])]
    with pytest.raises(ValueError, match=r"'/t/dd00088' lists unknown child id '/m/missing'"):
        read_ontology(_write_json(path, bad_child))
    cyclic = [*ONTOLOGY[:3], _entry("/m/05zppz", "Male speech", ["/m/09l8g"]), ONTOLOGY[4]]
    with pytest.raises(ValueError, match=r"cycle: /m/09l8g -> /m/09x0r -> /m/05zppz -> /m/09l8g"):
        read_ontology(_write_json(path, cyclic))
    with pytest.raises(ValueError, match=r"cycle: /t/dd00088 -> /t/dd00088"):
        read_ontology(_write_json(path, [_entry("/t/dd00088", "Gush", ["/t/dd00088"])]))
    with pytest.raises(ValueError, match="appears twice"):
        read_ontology(_write_json(path, [*ONTOLOGY, ONTOLOGY[0]]))
    with pytest.raises(ValueError, match="entry 0 lacks id/name/child_ids"):
        read_ontology(_write_json(path, [{"id": "/m/x", "name": "X"}]))


def test_segments_manifest_matches_downloads_and_round_trips(tmp_path):
    (tmp_path / "eval_segments.csv").write_text(SEGMENTS_CSV)
    seg = read_segments(tmp_path / "eval_segments.csv")
    onto = read_ontology(_write_json(tmp_path / "ontology.json", ONTOLOGY))
    clips = tmp_path / "data" / "clips"
    clips.mkdir(parents=True)
    for name in ("--PJHxphWEs_30.mp4", "-0RWZT-miFs.webm", "1ZuDiGbu1Rk_12.mp4"):
        (clips / name).write_bytes(b"\0")
    (clips / "5kRo6tA2x0M.mkv").write_bytes(b"\0")
    (clips / "5kRo6tA2x0M.mp4").write_bytes(b"\0")  # mp4 preferred over mkv
    (clips / "0FMdORf5iGs.txt").write_text("not a video")

    manifest, rejects = segments_manifest(seg, clips, onto)
    assert manifest.to_dict("list") == {
        "video_id": ["--PJHxphWEs_30", "-0RWZT-miFs_420", "5kRo6tA2x0M_80"],
        "path": [str(clips.resolve() / n) for n in ("--PJHxphWEs_30.mp4", "-0RWZT-miFs.webm")]
        + [str(clips.resolve() / "5kRo6tA2x0M.mp4")],
        "start": [pytest.approx(np.nan, nan_ok=True), 420.0, 80.0],
        "end": [pytest.approx(np.nan, nan_ok=True), 430.0, 90.0],
        "labels": ["Speech;Gush", "Male speech, man speaking", "Male speech, man speaking;Gush"],
    }
    assert rejects.to_dict("records") == [
        {"ytid": "0FMdORf5iGs", "reason": "not downloaded"},
        {"ytid": "1ZuDiGbu1Rk", "reason": "unknown label id /m/nope"},
        {"ytid": "--PJHxphWEs", "reason": "duplicate segment --PJHxphWEs_30"},
    ]
    assert len(manifest) + len(rejects) == len(seg)  # every segment accounted for

    written = write_manifest(manifest, tmp_path / "data" / "audioset_eval.csv")
    assert "clips/--PJHxphWEs_30.mp4" in written.read_text()  # relative to the manifest folder
    videos = list_videos(written)
    assert videos["video_id"].tolist() == manifest["video_id"].tolist()
    assert videos["path"].tolist() == manifest["path"].tolist()
    assert np.allclose(videos["start"], manifest["start"], equal_nan=True)
    assert np.allclose(videos["end"], manifest["end"], equal_nan=True)
    assert videos["labels"].tolist() == manifest["labels"].tolist()
    elsewhere = list_videos(write_manifest(manifest, tmp_path / "other" / "m.csv"))
    assert elsewhere["path"].tolist() == manifest["path"].tolist()  # absolute when outside


def test_segments_manifest_needs_the_clips_folder(tmp_path):
    onto = read_ontology(_write_json(tmp_path / "ontology.json", ONTOLOGY))
    seg = pd.DataFrame({"ytid": ["a"], "start": [0.0], "end": [10.0], "labels": [["/m/09x0r"]]})
    with pytest.raises(FileNotFoundError, match="clips folder not found: .*missing"):
        segments_manifest(seg, tmp_path / "missing", onto)
