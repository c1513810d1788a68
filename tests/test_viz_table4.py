"""Owens 2018 Figs. 2-3 and Table 4 on tiny synthetic audio, images and probe outputs (fast)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from soundsight.audio.texture import N_FEATURES, TEXTURE_GROUPS, scale_groups, texture_features
from soundsight.labels.clusters import fit_clusters
from soundsight.papers.owens2018.tables import (
    AUDIO_CLASS_MODEL,
    AUDIO_CLASS_ROW,
    MAP_COLUMN,
    NOT_RUN,
    TABLE4,
    TABLE4_COLUMNS,
    build_table4,
    table4_published_row,
)
from soundsight.report.published import load_published
from soundsight.viz.clusters import (
    audio_clusters_from_files,
    centroid_distances,
    centroid_moments,
    choose_clusters,
    nearest_frames_per_video,
    plot_audio_clusters,
    select_cluster_frames,
)
from soundsight.viz.cochleagram import (
    choose_contrasting_clips,
    clip_statistics,
    correlation_matrix,
    plot_texture_example,
    split_texture,
    texture_example_from_files,
)
from soundsight.viz.common import band_ticks, format_hz

SR = 8000
DURATION_S = 1.2
WORLD_CLASSES = ("person", "car", "dog", "bird")


# ------------------------------------------------------------------------------------------------
# synthetic audio
# ------------------------------------------------------------------------------------------------


def _speechy(rng: np.random.Generator, n: int) -> np.ndarray:
    """Harmonic complex with one shared 4 Hz on/off envelope: strongly correlated bands."""
    t = np.arange(n) / SR
    f0 = rng.uniform(110, 160)
    tone = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 20) if f0 * h < SR / 2)
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0.0, None) ** 2
    return (0.3 * tone * envelope).astype(np.float32)


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Stationary white noise: nearly uncorrelated band envelopes."""
    return (0.2 * rng.standard_normal(n)).astype(np.float32)


def _clips(seed: int, n_clips: int) -> np.ndarray:
    """(n_clips, n) alternating speech-like / noise clips."""
    rng = np.random.default_rng(seed)
    n = int(DURATION_S * SR)
    return np.stack([(_speechy if i % 2 == 0 else _noise)(rng, n) for i in range(n_clips)])


# ------------------------------------------------------------------------------------------------
# Fig. 2
# ------------------------------------------------------------------------------------------------


def test_split_texture_and_correlation_matrix() -> None:
    x = np.arange(N_FEATURES, dtype=np.float64)
    stats = split_texture(x)
    assert stats.mean[0] == 0 and stats.sdmean[0] == 32 and stats.loudness == 501
    assert stats.modpow.shape == (32, 10) and stats.modpow[0, 1] == 182
    mat = correlation_matrix(x[TEXTURE_GROUPS["corr"]])
    assert np.allclose(np.diag(mat), 1.0)
    assert mat[0, 1] == 64 and mat[1, 0] == 64  # pair (0, 1) is first
    assert np.isnan(mat[0, 4]) and mat[0, 5] == 67  # offset 4 not stored, 5 is
    assert np.isfinite(mat).sum() == 32 + 2 * 117
    with pytest.raises(ValueError, match="shape"):
        split_texture(x[:500])


def test_frequency_labels() -> None:
    assert [format_hz(f) for f in (0.5, 27.3, 1234.0, 10000.0)] == ["0.5", "27", "1.2k", "10k"]
    ticks, labels = band_ticks((1, 30))
    assert ticks == [1, 30] and labels[0] == "52" and labels[1].endswith("k")
    with pytest.raises(ValueError, match="tick bands"):
        band_ticks((0, 31))


def test_contrasting_clips_pick_correlated_and_noisy(tmp_path: Path) -> None:
    waves = _clips(0, 4)
    envs, textures = clip_statistics(list(waves), SR)
    assert envs[0].shape[0] == 32 and textures.shape == (4, N_FEATURES)
    high, low = choose_contrasting_clips(textures, seed=3, rule="correlation")
    assert high % 2 == 0 and low % 2 == 1  # speech-like most correlated, noise least
    loud_hi, loud_lo = choose_contrasting_clips(textures, seed=3, rule="loudness")
    loud = textures[:, 501]
    assert loud[loud_hi] == loud.max() and loud[loud_lo] == loud.min()
    silent = textures.copy()
    silent[:3, 501] = 0.0
    with pytest.raises(ValueError, match="non-silent"):
        choose_contrasting_clips(silent, seed=0)
    with pytest.raises(ValueError, match="unknown contrast rule"):
        choose_contrasting_clips(textures, seed=0, rule="pitch")


def test_contrasting_clips_subsample_is_seeded() -> None:
    rng = np.random.default_rng(1)
    textures = rng.uniform(0.1, 1.0, size=(50, N_FEATURES))
    a = choose_contrasting_clips(textures, seed=5, n_candidates=10)
    b = choose_contrasting_clips(textures, seed=5, n_candidates=10)
    assert np.array_equal(a, b) and a[0] != a[1]
    full = choose_contrasting_clips(textures, seed=5, n_candidates=100)
    corr = textures[:, TEXTURE_GROUPS["corr"]].mean(1)
    assert full[0] == corr.argmax() and full[1] == corr.argmin()


def test_plot_texture_example_writes_png_and_pdf(tmp_path: Path) -> None:
    waves = _clips(2, 2)
    png, pdf = plot_texture_example(list(waves), SR, ["speech-like", "noise"], tmp_path / "f2.png")
    assert png.stat().st_size > 10_000 and pdf.is_file() and pdf.stat().st_size > 0
    with pytest.raises(ValueError, match="titles"):
        plot_texture_example(list(waves), SR, ["one"], tmp_path / "bad.png")
    with pytest.raises(ValueError, match=".png"):
        plot_texture_example(list(waves), SR, ["a", "b"], tmp_path / "bad.svg")


# ------------------------------------------------------------------------------------------------
# Fig. 3: selection
# ------------------------------------------------------------------------------------------------


def test_nearest_frames_at_most_one_per_video() -> None:
    distance = np.array([0.5, 0.1, 0.2, 0.3, 0.05, 0.9, 0.4])
    videos = np.array(["a", "b", "b", "c", "a", "d", "e"])
    picked = nearest_frames_per_video(distance, videos, 3)
    assert picked.tolist() == [4, 1, 3]  # a (0.05), b (0.1; 0.2 skipped), c (0.3)
    assert len(set(videos[picked])) == len(picked)
    everything = nearest_frames_per_video(distance, videos, 10)
    assert len(everything) == 5  # only five videos
    with pytest.raises(ValueError):
        nearest_frames_per_video(distance, videos[:3], 2)


def test_select_cluster_frames_matches_brute_force() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 5))
    videos = np.repeat(np.arange(20), 3).astype(str)
    centroids = rng.normal(size=(3, 5))
    d = centroid_distances(X, centroids[2])
    assert np.allclose(d, np.linalg.norm(X - centroids[2], axis=1))
    (picked,) = select_cluster_frames(X, videos, centroids, np.array([2]), 4)
    best_per_video = pd.Series(d).groupby(videos).min().sort_values()
    assert np.allclose(d[picked], best_per_video.to_numpy()[:4])
    assert len(set(videos[picked])) == 4


def test_choose_clusters_seeded_and_eligible() -> None:
    labels = np.array([0] * 6 + [1] * 6 + [2] * 6 + [3] * 2)
    videos = np.array([f"v{i}" for i in range(18)] + ["w", "w"])
    picked = choose_clusters(labels, videos, k=5, n=2, min_videos=3, seed=11)
    assert picked.tolist() == sorted(picked.tolist()) and set(picked) <= {0, 1, 2}
    again = choose_clusters(labels, videos, k=5, n=2, min_videos=3, seed=11)
    assert np.array_equal(picked, again)
    filled = choose_clusters(labels, videos, k=5, n=4, min_videos=3, seed=0)
    assert filled.tolist() == [0, 1, 2, 3]  # cluster 3 (1 video) beats empty cluster 4
    with pytest.raises(ValueError, match="1..5"):
        choose_clusters(labels, videos, k=5, n=6, min_videos=1, seed=0)


def test_centroid_moments_undo_scaling() -> None:
    raw = np.random.default_rng(0).uniform(0.1, 2.0, N_FEATURES)
    mean, sdmean = centroid_moments(scale_groups(raw, "inverse_dim"), "inverse_dim")
    assert np.allclose(mean, raw[:32]) and np.allclose(sdmean, raw[32:64])
    with pytest.raises(ValueError, match="sound-texture"):
        centroid_moments(raw[:100], "none")


def test_plot_audio_clusters_writes_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    images = [[rng.integers(0, 255, (24, 32, 3), dtype=np.uint8) for _ in range(k)] for k in (3, 2)]
    png, pdf = plot_audio_clusters(
        images,
        rng.uniform(size=(2, 32)),
        rng.uniform(size=(2, 32)),
        [rng.uniform(size=(32, 400)) for _ in range(2)],
        [4, 17],
        tmp_path / "f3.png",
        sizes=[10, 12],
    )
    assert png.stat().st_size > 10_000 and pdf.is_file() and pdf.stat().st_size > 0
    with pytest.raises(ValueError, match="one entry per cluster"):
        plot_audio_clusters(images, np.zeros((2, 32)), np.zeros((2, 32)), [], [1, 2], png)


# ------------------------------------------------------------------------------------------------
# Figs. 2-3 from files (fake ingest + features + clusters)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An ingest dir (one shard, 12 frames of 6 videos), sound.npz and k=3 cluster files."""
    root = tmp_path_factory.mktemp("run")
    ingest, shard = root / "ingest", root / "ingest" / "shards" / "s0"
    (shard / "frames").mkdir(parents=True)
    waves = _clips(7, 12)  # (12, n)
    order = np.random.default_rng(0).permutation(12)  # audio rows shuffled vs frame order
    np.save(shard / "audio.npy", waves[order])
    audio_row = np.argsort(order)  # frame i lives in audio row audio_row[i]
    rows = []
    for i in range(12):
        frame_id, video_id = f"vid{i // 2}_{i % 2:02d}", f"vid{i // 2}"
        colour = np.full((24, 32, 3), 20 * i, dtype=np.uint8)
        Image.fromarray(colour).save(shard / "frames" / f"{frame_id}.jpg")
        rows.append(
            {
                "shard": 0,
                "shard_dir": "shards/s0",
                "frame_id": frame_id,
                "video_id": video_id,
                "k": i % 2,
                "time_s": 1.0,
                "frame_time_s": 1.0,
                "jpg": f"frames/{frame_id}.jpg",
                "audio_row": audio_row[i],
                "labels": "",
            }
        )
    index = pd.DataFrame(rows)
    index.to_csv(ingest / "index.csv", index=False)
    (ingest / "ingest_summary.json").write_text(json.dumps({"audio_rate": SR}))
    texture = texture_features(waves, SR).numpy()  # (12, 502), frame order
    feats = root / "sound.npz"
    np.savez(feats, frame_id=index["frame_id"].to_numpy(dtype=str)[::-1], texture=texture[::-1])
    X = scale_groups(texture, "inverse_dim")
    model = fit_clusters(X, 3, seed=0, scaling="inverse_dim")
    label, dist = model.assign(X)
    model.save(root / "clusters.npz")
    table = index[["frame_id", "video_id"]].assign(split="test", label=label, distance=dist)
    table.assign(keep=True).to_csv(root / "clusters.csv", index=False)
    return {
        "ingest": ingest,
        "sound": feats,
        "csv": root / "clusters.csv",
        "npz": root / "clusters.npz",
        "root": root,
    }


def test_texture_example_from_files(fake_run: dict[str, Path]) -> None:
    out = fake_run["root"] / "fig2.png"
    summary = texture_example_from_files(fake_run["ingest"], fake_run["sound"], out, seed=0)
    assert out.stat().st_size > 0 and out.with_suffix(".pdf").is_file()
    k_high, k_low = (int(f.split("_")[1]) for f in summary["frame_ids"])
    idx_high, idx_low = (
        int(f[3:].split("_")[0]) * 2 + k
        for f, k in zip(summary["frame_ids"], (k_high, k_low), strict=True)
    )
    assert idx_high % 2 == 0 and idx_low % 2 == 1  # speech-like vs noise frames
    assert summary["scores"][0] > summary["scores"][1] and summary["sample_rate"] == SR


def test_audio_clusters_from_files(fake_run: dict[str, Path]) -> None:
    out = fake_run["root"] / "fig3.png"
    summary = audio_clusters_from_files(
        fake_run["ingest"],
        fake_run["sound"],
        fake_run["csv"],
        fake_run["npz"],
        out,
        n_clusters=2,
        n_frames=2,
        seed=0,
    )
    assert out.stat().st_size > 0 and out.with_suffix(".pdf").is_file()
    assert len(summary["clusters"]) == 2
    table = pd.read_csv(fake_run["csv"])
    with np.load(fake_run["sound"]) as z:
        tex = dict(zip(z["frame_id"].astype(str), z["texture"], strict=True))
    from soundsight.labels.clusters import ClusterModel

    model = ClusterModel.load(fake_run["npz"])
    X = scale_groups(np.stack([tex[f] for f in table["frame_id"]]), "inverse_dim")
    for cluster, frames in summary["frames"].items():
        d = centroid_distances(X, model.centroids[cluster])
        videos = [f.split("_")[0] for f in frames]
        assert len(set(videos)) == len(frames) == 2
        best = pd.Series(d).groupby(table["video_id"].to_numpy()).min().sort_values()
        assert videos == best.index[:2].tolist()


# ------------------------------------------------------------------------------------------------
# Table 4
# ------------------------------------------------------------------------------------------------


def _write_probe(path: Path, ap: dict[str, float], layer: str = "pool5") -> None:
    """A voc.json with per-class AP fractions for one layer (and a decoy layer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    layers = {layer: {"ap11": ap, "map11": float(np.mean(list(ap.values())))}}
    if layer == "pool5":
        layers["fc7"] = {"ap11": dict.fromkeys(ap, 0.99), "map11": 0.99}
    path.write_text(json.dumps({"classes": list(ap), "layers": layers}))


@pytest.fixture()
def probe_dir(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    for model in ("sound_cluster", "kmeans", "random"):
        ap = {c: float(rng.uniform(0.1, 0.9)) for c in WORLD_CLASSES}
        _write_probe(tmp_path / model / "voc.json", ap)
    return tmp_path


def test_table4_replicated_block(probe_dir: Path) -> None:
    models = ["sound_cluster", "kmeans", "random"]
    df = build_table4(probe_dir, models, None)
    assert tuple(df.columns) == TABLE4_COLUMNS
    rep = df[df["block"] == "replicated"]
    for model in models:
        ap = json.loads((probe_dir / model / "voc.json").read_text())["layers"]["pool5"]["ap11"]
        rows = rep[rep["model"] == model].set_index("column")["value"]
        assert list(rows.index) == [*WORLD_CLASSES, MAP_COLUMN]
        assert np.allclose(rows[list(WORLD_CLASSES)], [100 * ap[c] for c in WORLD_CLASSES])
        assert math.isclose(rows[MAP_COLUMN], rows[list(WORLD_CLASSES)].mean())
        assert rows[MAP_COLUMN] < 95  # pool5, not the decoy fc7
    assert rep[rep["model"] == "kmeans"]["published_row"].iloc[0] == "K-means"
    assert rep[rep["model"] == "random"]["published_row"].iloc[0] == ""
    audio = rep[rep["model"] == AUDIO_CLASS_MODEL]
    assert audio["status"].tolist() == [NOT_RUN] and audio["value"].isna().all()


def test_table4_published_block_from_csv(probe_dir: Path) -> None:
    df = build_table4(probe_dir, ["sound_cluster"], None)
    pub = df[df["block"] == "published"]
    source = load_published("owens2018", "table4")
    assert list(dict.fromkeys(pub["row"])) == list(dict.fromkeys(source["row"]))
    cells = pub[pub["column"] != MAP_COLUMN]
    merged = cells.merge(source, on=["row", "column"], suffixes=("", "_src"))
    assert len(merged) == len(source) and np.allclose(merged["value"], merged["value_src"])
    audio_map = pub[(pub["row"] == AUDIO_CLASS_ROW) & (pub["column"] == MAP_COLUMN)]["value"]
    assert math.isclose(audio_map.iloc[0], source[source["row"] == AUDIO_CLASS_ROW]["value"].mean())
    sound = pub[pub["row"] == "Sound (cluster)"]["model"].unique().tolist()
    assert sound == ["sound_cluster"]


def test_table4_audio_class_row_and_markdown(probe_dir: Path, tmp_path: Path) -> None:
    missing = build_table4(probe_dir, ["sound_cluster"], tmp_path / "nope.json")
    text = TABLE4.markdown(missing)
    audio_line = next(line for line in text.splitlines() if line.startswith("| Audio class"))
    assert NOT_RUN in audio_line
    replicated, published = text.split("## Published")
    assert "| person | car | dog | bird | mAP |" in replicated and "aer" not in replicated
    assert "| Method | aer | bk |" in published and "person" not in published
    assert "## mAP side by side" in published
    audio_probe = tmp_path / "audio_class" / "voc.json"
    _write_probe(audio_probe, dict.fromkeys(WORLD_CLASSES, 0.25), layer="logprob")
    ran = build_table4(probe_dir, ["sound_cluster"], audio_probe)
    rows = ran[(ran["block"] == "replicated") & (ran["model"] == AUDIO_CLASS_MODEL)]
    assert (rows["status"] == "ok").all() and np.allclose(rows["value"], 25.0)
    assert NOT_RUN not in next(
        line for line in TABLE4.markdown(ran).splitlines() if line.startswith("| Audio class")
    )
    TABLE4.write(ran, tmp_path / "t4.csv", tmp_path / "t4.md")
    back = pd.read_csv(tmp_path / "t4.csv")
    assert len(back) == len(ran) and (tmp_path / "t4.md").read_text().startswith("# Owens")


def test_table4_errors(probe_dir: Path) -> None:
    with pytest.raises(KeyError, match="unknown"):
        build_table4(probe_dir, ["sound_clusters"], None)
    with pytest.raises(FileNotFoundError, match="object"):
        build_table4(probe_dir, ["object"], None)
    _write_probe(probe_dir / "scene" / "voc.json", {"person": 0.5, "tree": 0.4})
    with pytest.raises(ValueError, match="class set"):
        build_table4(probe_dir, ["sound_cluster", "scene"], None)
    _write_probe(probe_dir / "texton_cnn" / "voc.json", {"person": 1.5})
    with pytest.raises(ValueError, match="fraction"):
        build_table4(probe_dir, ["texton_cnn"], None)
    rows = list(dict.fromkeys(load_published("owens2018", "table4")["row"]))
    assert table4_published_row("object", rows) == "ImageNet (Krizhevsky et al 2012)"
    assert table4_published_row("random", rows) is None
