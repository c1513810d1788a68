"""Objects that Sound Table 1: retrieval items and features from video, the methods' views
(CCA, random, image-only), nDCG per method, the table and its claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from avc_corpus import write_tone_video

from soundsight.data.audioset import Ontology
from soundsight.data.video import write_mp4
from soundsight.eval.retrieval import (
    common_items,
    label_ids,
    method_ndcg,
    ndcg_directions,
    random_views,
    retrieval_views,
)
from soundsight.models import build_model
from soundsight.papers.objects_sound.checks import objects_sound_checks
from soundsight.papers.objects_sound.claims import table1_claims
from soundsight.papers.objects_sound.tables import (
    RETRIEVAL_METHODS,
    build_table1,
    table1_methods,
)
from soundsight.probes.avc_embeddings import ClipReading, read_clip_inputs, split_labels
from soundsight.probes.avc_embeddings import clip_instant as item_instant
from soundsight.probes.retrieval import retrieval_features

RATE = 8000
FPS = 10
TINY_AV = {"width": 0.0625, "input_size": 32, "audio_rate": RATE, "n_fft": 128}


def _ontology() -> Ontology:
    """music -> instrument -> {guitar, drum}; animal -> {dog, bird}; 'crowd' has two parents."""
    edges = [
        ("music", "instrument"),
        ("instrument", "guitar"),
        ("instrument", "drum"),
        ("animal", "dog"),
        ("animal", "bird"),
        ("animal", "crowd"),
        ("music", "crowd"),
    ]
    nodes = list(dict.fromkeys(n for e in edges for n in e))
    children = {n: tuple(c for p, c in edges if p == n) for n in nodes}
    parents = {n: tuple(p for p, c in edges if c == n) for n in nodes}
    return Ontology({n: f"/w/{n}" for n in nodes}, children, parents)


@pytest.fixture(scope="module")
def items_manifest(tmp_path_factory) -> Path:
    """Four good clips (one with two labels, one with blank bounds), a clip without labels, a
    missing file and a video-only file."""
    root = tmp_path_factory.mktemp("audioset")
    rows = []
    for i, (labels, colour, tone, span) in enumerate(
        [
            ("guitar", 0, 300.0, (0.0, 3.0)),
            ("guitar;drum", 0, 320.0, (0.5, 3.0)),
            ("dog", 2, 900.0, (0.0, 3.0)),
            ("bird", 2, 950.0, (np.nan, np.nan)),
        ]
    ):
        write_tone_video(root / f"c{i}.mp4", colour, tone, 3.0)
        rows.append((f"c{i}", f"c{i}.mp4", *span, labels))
    rows.append(("nolabel", "c0.mp4", 0.0, 3.0, ""))
    rows.append(("gone", "gone.mp4", 0.0, 3.0, "dog"))
    write_mp4(root / "silent.mp4", np.zeros((30, 48, 64, 3), np.uint8), FPS, None)
    rows.append(("silent", "silent.mp4", 0.0, 3.0, "dog"))
    manifest = root / "eval.csv"
    pd.DataFrame(rows, columns=["video_id", "path", "start", "end", "labels"]).to_csv(
        manifest, index=False
    )
    return manifest


# ------------------------------------------------------------------------------------------------
# items and features
# ------------------------------------------------------------------------------------------------


def test_item_instant_is_seeded_per_item_and_leaves_room_for_the_audio():
    t = item_instant(0, "a", 2.0, 10.0, 1.0)
    assert 2.5 <= t <= 9.5 and t == item_instant(0, "a", 2.0, 10.0, 1.0)
    assert t != item_instant(0, "b", 2.0, 10.0, 1.0) != item_instant(1, "a", 2.0, 10.0, 1.0)
    assert item_instant(0, "a", 2.0, 2.6, 1.0) == pytest.approx(2.3)  # shorter than 1 s: centre


def test_split_labels():
    assert split_labels("guitar; drum") == ["guitar", "drum"]
    assert split_labels("") == [] and split_labels(float("nan")) == []


def test_items_keep_multi_label_clips_and_list_every_reject(items_manifest):
    reading = ClipReading(multi_label=True, blank_bounds=True, seed=0)
    items = read_clip_inputs(items_manifest, 36, RATE, 1.0, reading=reading)
    assert items.ids == ["c0", "c1", "c2", "c3"]
    assert items.labels == ["guitar", "guitar;drum", "dog", "bird"]
    reasons = dict(zip(items.rejects["video_id"], items.rejects["reason"], strict=True))
    codes = {k: v.split(":")[0] for k, v in reasons.items()}
    assert codes == {"nolabel": "no_label", "gone": "missing", "silent": "no_audio"}
    assert len(items.ids) + len(items.rejects) == 7  # the counts reconcile
    assert all(w.shape == (RATE,) and w.dtype == np.float32 for w in items.waves)
    assert 1.0 <= items.times[1] <= 2.5  # inside [start + 0.5, end - 0.5] of (0.5, 3.0)
    assert 0.5 <= items.times[3] <= 2.5  # blank bounds: the audio track's (0, 3 s)
    assert all(min(im.size) == 36 for im in items.images)


@pytest.mark.parametrize("name", ["l3_net", "ave_net", "avol_net"])
def test_two_stream_features_for_every_correspondence_model(items_manifest, name):
    model = build_model(name, seed=0, **TINY_AV)
    summary, arrays, rejects = retrieval_features(model, items_manifest, "fc7", 0, batch_size=3)
    assert summary["n_items"] == 4 and summary["n_rejected"] == 3 == len(rejects)
    assert arrays["vision"].shape[0] == arrays["audio"].shape[0] == 4
    assert np.isfinite(arrays["vision"]).all() and np.isfinite(arrays["audio"]).all()
    assert list(arrays["item_ids"]) == ["c0", "c1", "c2", "c3"]
    if name == "ave_net":  # aligned, L2-normalised 128-d embeddings (width-scaled)
        np.testing.assert_allclose(np.linalg.norm(arrays["vision"], axis=1), 1.0, atol=1e-5)
        assert arrays["vision"].shape[1] == arrays["audio"].shape[1]
    # the same items at the same instants whatever the model
    again = retrieval_features(build_model(name, seed=1, **TINY_AV), items_manifest, "fc7", 0)
    np.testing.assert_array_equal(arrays["times"], again[1]["times"])


def test_image_model_features_have_no_audio(items_manifest):
    model = build_model("caffenet_bn", seed=0, num_outputs=4, width=0.125, input_size=64)
    summary, arrays, _ = retrieval_features(model, items_manifest, "fc7", 0)
    assert "audio" not in arrays and arrays["vision"].shape[0] == 4
    assert summary["layers"] == {"vision": "fc7"}
    with pytest.raises(ValueError, match="not a registered|fc9|unknown"):
        retrieval_features(model, items_manifest, "fc9", 0)


# ------------------------------------------------------------------------------------------------
# the methods' views and nDCG
# ------------------------------------------------------------------------------------------------


def test_label_ids_map_display_names_and_name_the_bad_one():
    onto = _ontology()
    assert label_ids(onto, ["/w/guitar;/w/drum", "/w/dog"]) == [["guitar", "drum"], ["dog"]]
    with pytest.raises(KeyError, match="'/w/cat' is not in the ontology"):
        label_ids(onto, ["/w/cat"])
    twice = Ontology({"a": "same", "b": "same"}, {"a": (), "b": ()}, {"a": (), "b": ()})
    with pytest.raises(KeyError, match="names classes"):
        label_ids(twice, ["same"])


def test_common_items_keep_the_first_order():
    a, b = np.array(["x", "y", "z"]), np.array(["z", "x"])
    ia, ib = common_items([a, b])
    assert list(a[ia]) == list(b[ib]) == ["x", "z"]


def _latent_views(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Two views of one class latent through two fixed random linear maps (unaligned); ``seed``
    draws the items."""
    maps = np.random.default_rng(99).standard_normal((2, 4, 16))
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, 4, n)
    z = np.eye(4)[classes] * 3 + 0.3 * rng.standard_normal((n, 4))
    names = ["guitar", "drum", "dog", "bird"]
    image = z @ maps[0] + 0.1 * rng.standard_normal((n, 16))
    audio = z @ maps[1] + 0.1 * rng.standard_normal((n, 16))
    return image, audio, [[names[c]] for c in classes]


def test_cca_aligns_two_unaligned_views():
    onto = _ontology()
    train_i, train_a, _ = _latent_views(200, 0)
    image, audio, labels = _latent_views(80, 1)
    raw = ndcg_directions(*retrieval_views(image, audio), labels, onto)
    cca = ndcg_directions(*retrieval_views(image, audio, (train_i, train_a), 4), labels, onto)
    assert cca["im-aud"].mean > raw["im-aud"].mean + 0.08  # raw: at the random level (~.87)
    assert cca["aud-im"].mean > 0.95
    with pytest.raises(ValueError, match="cannot project"):
        retrieval_views(image[:, :8], audio, (train_i, train_a))


def test_random_views_are_seeded():
    a = random_views(5, 3, 0)
    np.testing.assert_array_equal(a[0], random_views(5, 3, 0)[0])
    assert not np.allclose(a[0], a[1])
    with pytest.raises(ValueError):
        random_views(1, 3, 0)


def _features(image, audio, labels, ids=None) -> dict:
    n = len(image)
    return {
        "item_ids": np.array(ids or [f"i{k}" for k in range(n)]),
        "labels": np.array([";".join(f"/w/{x}" for x in labs) for labs in labels]),
        "vision": image,
        "audio": audio,
    }


def test_method_ndcg_cca_random_and_image_only():
    onto = _ontology()
    tr = _features(*_latent_views(200, 0))
    te = _features(*_latent_views(60, 1))
    obj = {k: v for k, v in te.items() if k != "audio"} | {"item_ids": te["item_ids"][::-1].copy()}
    obj["vision"], obj["labels"] = te["vision"][::-1].copy(), te["labels"][::-1].copy()
    summary, arrays = method_ndcg("m", "m", True, {"m": te}, {"m": tr}, onto, 0, 4)
    assert set(summary["ndcg"]) == {"im-im", "im-aud", "aud-im", "aud-aud"}
    assert summary["ndcg"]["im-aud"] > 0.9 and summary["n_queries"] == 60
    assert arrays["ndcg_im-aud"].shape == (60,)
    rand, _ = method_ndcg(None, None, False, {"m": te}, {}, onto, 0)
    assert max(rand["ndcg"].values()) < summary["ndcg"]["im-aud"]
    only, arr = method_ndcg("obj", None, False, {"obj": obj}, {}, onto, 0)
    assert list(only["ndcg"]) == ["im-im"] and list(arr["query_ids"]) == list(obj["item_ids"])
    # the object's features and l3's audio joined on the items both have, in the first's order
    both, arr = method_ndcg("obj", "m", True, {"obj": obj, "m": te}, {"obj": tr, "m": tr}, onto, 0)
    assert list(arr["query_ids"]) == list(obj["item_ids"]) and both["n_queries"] == 60
    with pytest.raises(ValueError, match="no 'audio' stream"):
        method_ndcg("m", "obj", False, {"m": te, "obj": obj}, {}, onto, 0)


# ------------------------------------------------------------------------------------------------
# the paper plugin: methods, table, claims, checks
# ------------------------------------------------------------------------------------------------


def test_methods_follow_the_models_made():
    assert table1_methods(["l3", "ave"]) == ["random", "l3", "l3_cca", "ave"]
    assert "object_cca" in table1_methods(["l3", "ave", "object"])
    assert RETRIEVAL_METHODS["object"].directions == ("im-im",)


def test_table1_reads_each_methods_summary(tmp_path):
    for k, method in enumerate(["random", "l3", "object", "ave"]):
        (tmp_path / method).mkdir()
        dirs = RETRIEVAL_METHODS[method].directions
        summary = {"ndcg": {d: 0.4 + 0.01 * k for d in dirs}}
        (tmp_path / method / "ndcg.json").write_text(json.dumps(summary))
    frame = build_table1(tmp_path, ["random", "l3", "object", "ave"])
    ave = frame[frame["model"] == "ave"].set_index("column")
    assert ave.loc["aud-aud", "replicated"] == pytest.approx(0.43)
    assert ave.loc["aud-aud", "published"] == pytest.approx(0.665)
    obj = frame[frame["model"] == "object"]
    assert list(obj["column"]) == ["im-im"]
    assert (frame["model"] == "").any()  # L3 + CCA etc. published only


def test_table1_claims_and_their_guards():
    methods = ["random", "l3", "l3_cca", "object", "object_cca", "ave", "ave_naive"]
    claims = {c.name: c for c in table1_claims(methods)}
    assert "ave_beats_object_im-im" in claims and "ave_beats_object_im-aud" not in claims
    assert claims["cca_aligns_l3_im-aud"].left == ("l3_cca",)
    assert claims["naive_hurts_retrieval_aud-aud"].published is None  # no printed naive row
    assert len(claims) == 4 * 4 + 1 + 2 + 4
    assert not table1_claims(["random", "l3"])  # no AVE-Net, no CCA: nothing to audit
    guards = {c.predicate.name: c.models for c in objects_sound_checks(["l3", "ave"])}
    assert guards["generalises_l3"] == ("l3", "l3_cca", "object_cca")
    assert guards["generalises_ave"] == ("ave",)
