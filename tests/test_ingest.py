"""Tests of the video list, sharding, ingest and merge (soundsight.data)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy.signal import correlate, resample_poly

import soundsight
from soundsight.data import (
    count_videos,
    ingest_shard,
    list_videos,
    load_shard_audio,
    merge_shards,
    n_shards,
    read_clip,
    select_shard,
    shard_slices,
)
from soundsight.data.decode import (
    IngestParams,
    VideoRejectedError,
    check_extent,
    decode_video,
    sample_times,
)
from soundsight.data.npyfile import load_npy_mmap
from soundsight.data.tracks import INT16_SCALE, ShardTracks, read_tracks_table, resampled_span
from soundsight.data.video import write_mp4

RATE = 22050
FPS = 10
N_SAMPLES = round(3.75 * RATE)  # 82688
EXPECTED_REJECTS = {
    "empty": "zero_size",
    "garbage": "unreadable",
    "truncated": "truncated",
    "truncated_faststart": "truncated",
    "truncated_clean": "truncated",
    "noaudio": "no_audio",
    "audioonly": "no_video",
    "short": "too_short",
}
GOOD = {"good": (48, 64), "stereo44": (64, 48), "long": (48, 64), "sub__nested": (48, 64)}


def chirp(rate: int, seconds: float) -> np.ndarray:
    """Linear chirp 200 Hz -> 2 kHz: every instant is identifiable by cross-correlation."""
    t = np.arange(round(seconds * rate)) / rate
    return 0.5 * np.sin(2 * np.pi * (200 * t + 0.5 * 1800 / seconds * t**2))


def level_frames(n: int, height: int, width: int) -> np.ndarray:
    """(n, H, W, 3) uint8 frames whose grey level 20 + 2*i encodes the frame index."""
    levels = (20 + 2 * np.arange(n)).astype(np.uint8)
    return np.broadcast_to(levels[:, None, None, None], (n, height, width, 3)).copy()


def write_audio_only(path: Path, audio: np.ndarray, rate: int) -> None:
    """An mp4 with one aac stream and no video."""
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        for start in range(0, len(audio), 1024):
            piece = audio[None, start : start + 1024].astype(np.float32)  # (1, <=1024)
            frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def cut_at_packet(source: Path, dest: Path, fraction: float, into: float = 0.0) -> None:
    """Copy ``source`` up to ``into`` of the first audio packet after ``fraction`` of its bytes.

    ``into=0`` cuts at a packet boundary (the demuxer ends cleanly, the decode is short);
    ``into=0.5`` cuts inside a packet (the decoder fails on it).
    """
    limit = fraction * source.stat().st_size
    with av.open(str(source)) as container:
        packets = [(p.pos, p.size) for p in container.demux(audio=0) if p.pos is not None]
    pos, size = min(p for p in packets if p[0] > limit)
    dest.write_bytes(source.read_bytes()[: pos + int(into * size)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of tiny good and bad videos (see EXPECTED_REJECTS and GOOD)."""
    root = tmp_path_factory.mktemp("corpus")
    write_mp4(root / "good.mp4", level_frames(50, 48, 64), FPS, chirp(RATE, 5), RATE)
    stereo = np.stack([chirp(44100, 5), chirp(44100, 5)])  # (2, n) at 44.1 kHz
    write_mp4(root / "stereo44.mp4", level_frames(50, 64, 48), FPS, stereo, 44100)
    long_frames = level_frames(80, 48, 64)
    write_mp4(root / "long.mp4", long_frames, FPS, chirp(RATE, 8), RATE, gop=10)
    (root / "sub").mkdir()
    write_mp4(root / "sub" / "nested.mp4", level_frames(50, 48, 64), FPS, chirp(RATE, 5), RATE)
    write_mp4(root / "noaudio.mp4", level_frames(50, 48, 64), FPS, None)
    write_mp4(root / "short.mp4", level_frames(10, 48, 64), FPS, chirp(RATE, 1), RATE)
    write_audio_only(root / "audioonly.mp4", chirp(RATE, 5), RATE)
    (root / "empty.mp4").write_bytes(b"")
    (root / "garbage.mp4").write_bytes(np.random.default_rng(0).bytes(20000))
    (root / "notes.txt").write_text("not a video")
    scratch = tmp_path_factory.mktemp("scratch")
    write_mp4(scratch / "plain.mp4", level_frames(50, 48, 64), FPS, chirp(RATE, 5), RATE)
    write_mp4(scratch / "fs.mp4", level_frames(50, 48, 64), FPS, chirp(RATE, 5), faststart=True)
    plain = (scratch / "plain.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(plain[: int(0.4 * len(plain))])
    cut_at_packet(scratch / "fs.mp4", root / "truncated_faststart.mp4", 0.4, into=0.5)
    cut_at_packet(scratch / "fs.mp4", root / "truncated_clean.mp4", 0.4)
    return root


@pytest.fixture(scope="module")
def ingested(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The whole corpus ingested as one shard."""
    out = tmp_path_factory.mktemp("shard")
    return ingest_shard(list_videos(corpus), out, progress=False)


def test_list_videos_directory(corpus: Path) -> None:
    videos = list_videos(corpus)
    assert list(videos.columns) == ["video_id", "path", "start", "end", "labels"]
    assert videos["video_id"].tolist() == sorted(set(GOOD) | set(EXPECTED_REJECTS))
    assert "notes" not in set(videos["video_id"])
    nested = videos.set_index("video_id").loc["sub__nested"]
    assert Path(nested["path"]) == (corpus / "sub" / "nested.mp4").resolve()
    assert videos["start"].isna().all() and videos["end"].isna().all()
    assert count_videos(corpus) == len(videos)


def test_every_video_accounted_for(ingested) -> None:
    summary = ingested.summary
    assert summary["n_input"] == len(GOOD) + len(EXPECTED_REJECTS)
    assert summary["n_ingested"] + summary["n_rejected"] == summary["n_input"]
    assert summary["n_ingested"] == len(GOOD)
    codes = dict(zip(ingested.rejects["video_id"], ingested.rejects["code"], strict=True))
    assert codes == EXPECTED_REJECTS
    reasons = dict(zip(ingested.rejects["video_id"], ingested.rejects["reason"], strict=True))
    assert reasons["empty"] == "zero_size: 0 bytes"
    assert reasons["noaudio"] == "no_audio: no audio stream"
    assert reasons["audioonly"] == "no_video: no video stream"
    assert reasons["short"].startswith("too_short: 1.00 s < 3.75 s window")
    assert "mdat" in reasons["truncated"]  # box walk: the index is gone with the tail
    assert "decode error" in reasons["truncated_faststart"]  # opens, fails mid-decode
    assert "decodes to" in reasons["truncated_clean"]  # decodes cleanly but far too short
    on_disk = json.loads((ingested.out_dir / "summary.json").read_text())
    assert on_disk["n_rejected"] == len(EXPECTED_REJECTS)
    assert len(pd.read_csv(ingested.out_dir / "rejects.csv")) == len(EXPECTED_REJECTS)


def test_frames_and_audio_shapes(ingested) -> None:
    frames = pd.read_csv(ingested.out_dir / "frames.csv", dtype={"video_id": str})
    assert frames.groupby("video_id").size().to_dict() == {vid: 10 for vid in GOOD}
    audio = load_shard_audio(ingested.out_dir)
    assert isinstance(audio, np.memmap)
    assert audio.shape == (len(GOOD) * 10, N_SAMPLES) and audio.dtype == np.float32
    assert frames["audio_row"].tolist() == list(range(len(frames)))
    assert frames["frame_id"].is_unique
    for row in frames.itertuples():
        with Image.open(ingested.out_dir / row.jpg) as image:
            width, height = image.size
        assert min(width, height) == 128
        portrait = GOOD[row.video_id][0] > GOOD[row.video_id][1]
        assert (height > width) == portrait
    assert np.sqrt((audio**2).mean(axis=1)).min() > 0.1  # every window holds the tone


def test_times_in_range_and_nearest_frame(ingested) -> None:
    frames = ingested.frames
    duration = frames["video_id"].map({"long": 8.0}).fillna(5.0)
    assert (frames["time_s"] >= 3.75 / 2).all()
    assert (frames["time_s"] <= duration - 3.75 / 2).all()
    assert (frames.groupby("video_id")["time_s"].diff().dropna() >= 0).all()
    assert ((frames["frame_time_s"] - frames["time_s"]).abs() <= 0.5 / FPS + 1e-6).all()
    for row in frames.itertuples():
        grey = np.asarray(Image.open(ingested.out_dir / row.jpg)).mean()
        assert abs(grey - (20 + 2 * round(row.frame_time_s * FPS))) < 2.5  # the frame shown


@pytest.mark.parametrize("video_id", ["good", "stereo44", "long"])
def test_audio_window_centred_on_time(ingested, video_id: str) -> None:
    reference = chirp(RATE, 8.0 if video_id == "long" else 5.0)  # what the file encodes
    audio = load_shard_audio(ingested.out_dir)
    rows = ingested.frames[ingested.frames["video_id"] == video_id]
    for row in rows.itertuples():
        window = np.asarray(audio[row.audio_row])  # (N_SAMPLES,)
        lag = int(np.argmax(correlate(reference, window, mode="valid", method="fft")))
        expected = round(row.time_s * RATE) - N_SAMPLES // 2
        assert abs(lag - expected) <= 0.002 * RATE, (row.frame_id, lag, expected)


def test_deterministic_given_seed(corpus: Path, tmp_path: Path) -> None:
    videos = list_videos(corpus)
    videos = videos[videos["video_id"] == "good"]
    same_a, same_b, other = (
        ingest_shard(videos, tmp_path / name, seed=seed, progress=False)
        for name, seed in [("a", 3), ("b", 3), ("c", 4)]
    )
    assert same_a.frames["time_s"].tolist() == same_b.frames["time_s"].tolist()
    assert np.array_equal(load_shard_audio(same_a.out_dir), load_shard_audio(same_b.out_dir))
    jpg = same_a.frames["jpg"].iloc[0]
    assert (same_a.out_dir / jpg).read_bytes() == (same_b.out_dir / jpg).read_bytes()
    assert not np.allclose(same_a.frames["time_s"], other.frames["time_s"])


def test_sample_times_stable_across_processes() -> None:
    code = "from soundsight.data.decode import sample_times as s; print(list(s(7, 'v', 3, 0, 9)))"
    src = str(Path(soundsight.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert eval(out.stdout) == list(sample_times(7, "v", 3, 0, 9))
    assert list(sample_times(7, "v", 3, 0, 9)) != list(sample_times(7, "w", 3, 0, 9))


def test_check_extent_flags_short_decode() -> None:
    check_extent("video", 4.9, 5.0, 5.0, 5.0)  # within slack: fine
    check_extent("audio", 2.0, 10.0, 2.1, 10.0)  # stopped early on purpose: fine
    with pytest.raises(VideoRejectedError, match="truncated: audio decodes to 2.00 s of 5.00 s"):
        check_extent("audio", 2.0, 5.0, 5.0, 5.0)


def write_manifest(path: Path, rows: list[dict]) -> Path:
    """Write a manifest CSV of ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_manifest_paths_bounds_labels(corpus: Path, tmp_path: Path) -> None:
    rows = [
        {"path": "../long.mp4", "start": 3.0, "end": 8.0, "labels": "dog;bark", "site": "a"},
        {"path": str(corpus / "good.mp4"), "start": "", "end": "", "labels": "", "site": "b"},
        {"path": "../gone.mp4", "start": "", "end": "", "labels": "car", "site": "c"},
    ]
    manifest = write_manifest(corpus / "lists" / "m.csv", rows)
    videos = list_videos(manifest)
    assert Path(videos["path"].iloc[0]).resolve() == (corpus / "long.mp4").resolve()
    assert videos["video_id"].tolist()[0] == "..__long"
    assert videos["site"].tolist() == ["a", "b", "c"]  # extra columns kept
    result = ingest_shard(videos, tmp_path / "m", progress=False)
    assert result.rejects[["video_id", "reason"]].values.tolist() == [
        ["..__gone", "missing: file not found"]
    ]
    clip = result.frames[result.frames["video_id"] == "..__long"]
    assert clip["time_s"].between(3.0 + 1.875, 8.0 - 1.875).all()
    assert set(clip["labels"]) == {"dog;bark"}
    reference = chirp(RATE, 8.0)
    audio = load_shard_audio(result.out_dir)  # windows after a real keyframe seek
    for row in clip.itertuples():
        lag = int(np.argmax(correlate(reference, audio[row.audio_row], "valid", method="fft")))
        assert abs(lag - (round(row.time_s * RATE) - N_SAMPLES // 2)) <= 0.002 * RATE


def test_manifest_video_id_column_and_short_clip(corpus: Path, tmp_path: Path) -> None:
    rows = [
        {"path": "good.mp4", "video_id": "g1", "start": 0.5, "end": 3.5},
        {"path": "good.mp4", "video_id": "", "start": "", "end": ""},
    ]
    videos = list_videos(write_manifest(corpus / "m2.csv", rows))
    assert videos["video_id"].tolist() == ["g1", "good"]
    result = ingest_shard(videos, tmp_path / "m2", progress=False)
    assert result.rejects["reason"].tolist() == [
        "too_short: 3.00 s < 3.75 s window (clip 0.50-3.50 s)"
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"file": "a.mp4"}], "no 'path' column"),
        ([{"path": "a.mp4"}, {"path": "sub/../a.mkv", "video_id": "a"}], "duplicate video_ids"),
        ([{"path": "a.mp4", "start": 1}, {"path": "b.mp4", "start": 4, "end": 2}], "line.* 3"),
        ([{"path": "a.mp4", "start": "soon"}], "non-numeric 'start' at line"),
        ([{"path": "a.mp4"}, {"path": ""}], "empty 'path' at line"),
    ],
)
def test_bad_manifests(tmp_path: Path, rows: list[dict], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list_videos(write_manifest(tmp_path / "bad.csv", rows))


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        list_videos(tmp_path / "nowhere.csv")


def test_large_manifest_keeps_every_row(tmp_path: Path) -> None:
    # speed at 360k rows is measured by benchmarks/bench_dag.py, not asserted here
    n = 50_000
    table = pd.DataFrame(
        {
            "path": [f"clips/{i // 1000:03d}/v{i:06d}.mp4" for i in range(n)],
            "start": np.arange(n) % 7,
            "end": np.arange(n) % 7 + 10,
            "labels": "/m/09x0r;/m/05zppz",
        }
    )
    manifest = tmp_path / "big.csv"
    table.to_csv(manifest, index=False)
    videos = list_videos(manifest)
    assert len(videos) == n and videos["video_id"].iloc[-1] == "clips__049__v049999"
    assert videos["video_id"].is_unique


@pytest.mark.parametrize(("n", "size"), [(0, 3), (1, 3), (9, 3), (10, 3), (7, 100)])
def test_shard_slices_cover_once(n: int, size: int) -> None:
    slices = shard_slices(n, size)
    assert len(slices) == n_shards(n, size) == -(-n // size)
    covered = [i for start, stop in slices for i in range(start, stop)]
    assert covered == list(range(n))
    assert all(0 < stop - start <= size for start, stop in slices)


def test_select_shard(corpus: Path) -> None:
    videos = list_videos(corpus)
    parts = [select_shard(videos, i, 5) for i in range(n_shards(len(videos), 5))]
    assert pd.concat(parts, ignore_index=True).equals(videos)
    with pytest.raises(IndexError, match="out of range"):
        select_shard(videos, n_shards(len(videos), 5), 5)
    with pytest.raises(ValueError, match="shard_size"):
        shard_slices(10, 0)


def test_merge_shards_reconciles(corpus: Path, tmp_path: Path, ingested) -> None:
    videos = list_videos(corpus)
    size = 5
    dirs = []
    for i in range(n_shards(len(videos), size)):
        shard = select_shard(videos, i, size)
        dirs.append(ingest_shard(shard, tmp_path / f"shard_{i}", progress=False).out_dir)
    total = merge_shards(dirs, tmp_path / "merged")
    assert total["n_input"] == len(videos)
    assert total["n_ingested"] + total["n_rejected"] == total["n_input"]
    assert total["n_frames"] == len(ingested.frames)
    assert total["reject_codes"] == ingested.summary["reject_codes"]
    index = pd.read_csv(tmp_path / "merged" / "index.csv", dtype={"video_id": str})
    assert index["frame_id"].is_unique and len(index) == total["n_frames"]
    position = videos.reset_index().set_index("video_id")["index"]
    assert (index["shard"] == index["video_id"].map(position) // size).all()
    row = index[index["frame_id"] == "good_03"].iloc[0]
    shard_audio = load_shard_audio(tmp_path / "merged" / row["shard_dir"])
    single = ingested.frames.set_index("frame_id").loc["good_03", "audio_row"]
    assert np.array_equal(shard_audio[row["audio_row"]], load_shard_audio(ingested.out_dir)[single])
    merged_rejects = pd.read_csv(tmp_path / "merged" / "rejects.csv")
    assert len(merged_rejects) == total["n_rejected"]
    saved = json.loads((tmp_path / "merged" / "ingest_summary.json").read_text())
    assert saved["n_shards"] == len(dirs)
    with pytest.raises(ValueError, match="duplicate frame_id"):
        merge_shards([dirs[0], dirs[0]], tmp_path / "dup")


def test_all_rejected_shard_is_valid(corpus: Path, tmp_path: Path) -> None:
    videos = list_videos(corpus)
    bad = videos[videos["video_id"].isin(["empty", "garbage", "short"])]
    result = ingest_shard(bad, tmp_path / "bad", progress=False)
    assert result.n_ingested == 0 and result.n_rejected == 3
    assert load_shard_audio(result.out_dir).shape == (0, N_SAMPLES)
    frames = pd.read_csv(result.out_dir / "frames.csv")
    assert len(frames) == 0 and "frame_id" in frames.columns
    total = merge_shards([result.out_dir], tmp_path / "merged")
    assert (total["n_input"], total["n_frames"], total["n_rejected"]) == (3, 0, 3)


def test_empty_rejects_has_header(corpus: Path, tmp_path: Path) -> None:
    videos = list_videos(corpus)
    result = ingest_shard(videos[videos["video_id"] == "good"], tmp_path / "g", progress=False)
    text = (result.out_dir / "rejects.csv").read_text().strip()
    assert text == "video_id,path,code,reason"


def test_write_mp4_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        write_mp4(tmp_path / "x.mp4", np.zeros((2, 5, 4, 3), np.uint8), FPS, None)
    with pytest.raises(ValueError, match="audio must be"):
        write_mp4(tmp_path / "y.mp4", np.zeros((2, 4, 4, 3), np.uint8), FPS, np.zeros((3, 10)))


# --- whole tracks (soundsight.data.tracks) ---------------------------------------------------

TRACK_RATES = {"good": RATE, "stereo44": 44100, "long": RATE, "sub__nested": RATE}
DURATIONS = {"good": 5.0, "stereo44": 5.0, "long": 8.0, "sub__nested": 5.0}


def test_one_track_per_ingested_video(ingested) -> None:
    tracks = read_tracks_table(ingested.out_dir)
    assert tracks["video_id"].tolist() == ingested.frames["video_id"].drop_duplicates().tolist()
    assert dict(zip(tracks["video_id"], tracks["rate"], strict=True)) == TRACK_RATES  # native
    for row in tracks.itertuples():
        assert abs(row.duration_s - DURATIONS[row.video_id]) < 0.05
        assert row.n_samples == round(row.duration_s * row.rate)
        assert abs(row.t0_s) < 0.05
    assert tracks["offset"].tolist() == [0, *np.cumsum(tracks["n_samples"])[:-1].tolist()]
    assert (tracks["error"] == "").all() and (tracks["n_clipped"] == 0).all()
    samples = load_npy_mmap(ingested.out_dir / "tracks.npy")
    assert samples.dtype == np.int16 and samples.shape == (tracks["n_samples"].sum(),)
    summary = ingested.summary
    assert summary["n_tracks"] == summary["n_ingested"] and summary["track_rate"] == "native"
    assert summary["n_track_samples"] == len(samples)


@pytest.mark.parametrize("video_id", ["good", "stereo44", "long"])
def test_clip_from_track_equals_frame_window(corpus: Path, ingested, video_id: str) -> None:
    """A 3.75 s clip cut from the track at a frame's time is that frame's audio.npy window."""
    path = list_videos(corpus).set_index("video_id").loc[video_id, "path"]
    decoded = decode_video(path, video_id, math.nan, math.nan, IngestParams())  # exact times
    rows = ingested.frames[ingested.frames["video_id"] == video_id]
    windows = load_shard_audio(ingested.out_dir)[rows["audio_row"].to_numpy()]  # (10, n)
    assert np.array_equal(windows, decoded.audio)  # the per-frame windows, unchanged
    tracks = ShardTracks(ingested.out_dir)
    for t, window in zip(decoded.times, windows, strict=True):
        clip = tracks.clip(video_id, t - (N_SAMPLES // 2) / RATE, N_SAMPLES / RATE, RATE)
        assert clip.shape == (N_SAMPLES,) and clip.dtype == np.float32
        if TRACK_RATES[video_id] == RATE:  # no resampling: only the int16 quantisation differs
            assert np.abs(clip - window).max() <= 0.5 / INT16_SCALE + 1e-6
        else:  # scipy's polyphase filter vs FFmpeg's resampler (measured: 0.08 % rms)
            rms = np.sqrt(np.mean((clip - window) ** 2) / np.mean(window**2))
            assert rms < 0.005


@pytest.mark.parametrize(("track_rate", "rate"), [(22050, 48000), (48000, 22050), (44100, 22050)])
@pytest.mark.parametrize("first", [-700, 0, 1234, 20_000])
def test_resampled_span_is_a_cut_of_the_whole_resampled(
    track_rate: int, rate: int, first: int
) -> None:
    ints = np.random.default_rng(first + rate).integers(-20000, 20000, size=9000, dtype=np.int16)
    up, down = rate // math.gcd(rate, track_rate), track_rate // math.gcd(rate, track_rate)
    blocks = -(-25_000 // up)  # zeros either side, so spans outside the track have a reference
    zeros = np.zeros(blocks * down)
    whole = np.concatenate([zeros, ints / INT16_SCALE, zeros])
    reference = resample_poly(whole, up, down)  # output m of the track <-> m + blocks * up
    n_out = 3000
    span = resampled_span(ints, track_rate, rate, first, n_out)
    expected = reference[first + blocks * up : first + blocks * up + n_out]
    assert span.shape == (n_out,) and span.dtype == np.float32
    np.testing.assert_allclose(span, expected, atol=1e-5)


def test_clips_at_other_rates_and_outside_the_track(ingested) -> None:
    shard = ingested.out_dir
    clip = read_clip(shard, "good", 1.0, 1.0, 48000)  # an L3-style 1 s clip at 48 kHz
    assert clip.shape == (48000,)
    reference = chirp(48000, 5.0)[48000:96000]  # what the file encodes there
    assert np.corrcoef(clip, reference)[0, 1] > 0.99
    ten = read_clip(shard, "long", -1.0, 10.0, RATE)  # a SoundNet-length clip past both ends
    assert ten.shape == (10 * RATE,)
    assert not ten[: RATE - 50].any() and not ten[9 * RATE + 50 :].any()  # zero outside
    assert np.sqrt(np.mean(ten[RATE : 9 * RATE] ** 2)) > 0.2
    with pytest.raises(KeyError, match="no track"):
        read_clip(shard, "empty", 0.0, 1.0, RATE)  # rejected: no track


def test_track_covers_the_manifest_clip_and_track_rate(corpus: Path, tmp_path: Path) -> None:
    rows = [{"path": "long.mp4", "video_id": "seg", "start": 3.0, "end": 7.5}]
    videos = list_videos(write_manifest(corpus / "m3.csv", rows))
    result = ingest_shard(videos, tmp_path / "m3", track_rate=16000, progress=False)
    track = result.tracks.iloc[0]
    assert track["rate"] == 16000 and result.summary["track_rate"] == 16000
    assert abs(track["t0_s"] - 3.0) <= 0.5 / 16000 and abs(track["duration_s"] - 4.5) < 1e-3
    t = result.frames["time_s"].iloc[0]
    clip = read_clip(result.out_dir, "seg", t - 1.0, 2.0, 16000)
    reference = chirp(16000, 8.0)[round((t - 1.0) * 16000) :][: len(clip)]
    assert np.corrcoef(clip, reference)[0, 1] > 0.99


def test_track_decode_error_keeps_the_video(tmp_path: Path) -> None:
    """A file cut near its end: the frames' pass never reads the bad packet, the track's does."""
    write_mp4(tmp_path / "fs.mp4", level_frames(80, 48, 64), FPS, chirp(RATE, 8), faststart=True)
    (tmp_path / "in").mkdir()
    cut_at_packet(tmp_path / "fs.mp4", tmp_path / "in" / "cut.mp4", 0.98, into=0.5)
    result = ingest_shard(list_videos(tmp_path / "in"), tmp_path / "out", progress=False)
    assert result.n_ingested == 1 and result.summary["n_track_errors"] == 1
    track = result.tracks.iloc[0]
    assert track["error"].startswith("decode error after") and 7.0 < track["duration_s"] < 8.0


def test_merge_writes_and_checks_tracks(corpus: Path, tmp_path: Path) -> None:
    videos = list_videos(corpus)
    dirs = [
        ingest_shard(select_shard(videos, i, 6), tmp_path / f"s{i}", progress=False).out_dir
        for i in range(n_shards(len(videos), 6))
    ]
    total = merge_shards(dirs, tmp_path / "merged")
    tracks = pd.read_csv(tmp_path / "merged" / "tracks.csv", dtype={"video_id": str})
    assert sorted(tracks["video_id"]) == sorted(GOOD) and total["n_tracks"] == len(GOOD)
    assert total["track_rates"] == [RATE, 44100] and total["track_rate"] == "native"
    assert abs(total["track_s"] - sum(DURATIONS.values())) < 0.2
    row = tracks[tracks["video_id"] == "long"].iloc[0]  # a reader needs only this table
    clip = read_clip(tmp_path / "merged" / row["shard_dir"], "long", 2.0, 1.0, RATE)
    assert clip.shape == (RATE,)
    broken = tmp_path / "broken"
    shutil.copytree(dirs[0], broken)
    table = read_tracks_table(broken)
    table.iloc[1:].to_csv(broken / "tracks.csv", index=False)
    with pytest.raises(ValueError, match="tracks.csv videos == frames.csv videos"):
        merge_shards([broken], tmp_path / "m_broken")
