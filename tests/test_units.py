"""Tests of soundsight.units on a tiny synthetic world with planted detectors.

The stand-in model's conv5 unit k (k < 4) fires exactly where an object of category k is drawn
(pixels whose colour direction is category k's code), with strength = the object's brightness;
unit 4 fires on a magenta patch that only ever appears in the top-left corner, never on objects.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.models import build_model
from soundsight.models.base import ReceptiveField
from soundsight.models.input_spec import ImageSpec
from soundsight.units import activations, dissect, figures, label, masks, sheets, table1, views
from soundsight.world import CATEGORY_NAMES

SIZE = 64  # image side
CATS = ("dog", "car", "tree", "lamp")  # categories of the synthetic pool (label c + 1)
CODES = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1]], np.float32)
N_IMAGES = 40
TOP_K = 8
RF = ReceptiveField(size=8, stride=8, offset=3.5)  # 8x8 cells, stride 8


class StandIn(nn.Module):
    """conv5 unit k = mean over each 8x8 cell of brightness * [pixel colour is code k]."""

    def __init__(self) -> None:
        super().__init__()
        spec = ImageSpec(SIZE)  # the default statistics views.normalise uses
        self.mean = torch.tensor(spec.mean).view(1, 3, 1, 1)
        self.std = torch.tensor(spec.std).view(1, 3, 1, 1)
        self.receptive_field = RF

    def forward_intermediates(self, x: torch.Tensor, layers=("conv5",)) -> dict[str, torch.Tensor]:
        rgb = x * self.std + self.mean  # (B, 3, S, S) in [0, 1]
        bright = rgb.amax(dim=1, keepdim=True)  # (B, 1, S, S)
        direction = rgb / bright.clamp_min(1e-6)
        codes = torch.from_numpy(CODES)[None, :, :, None, None]  # (1, 5, 3, 1, 1)
        close = ((direction[:, None] - codes).abs() < 0.05).all(dim=2)  # (B, 5, S, S)
        resp = (close & (bright > 0.3)).float() * bright
        return {"conv5": nn.functional.avg_pool2d(resp, 8, 8)}  # (B, 5, 8, 8)


def _draw_pool(root) -> tuple[list, list, np.ndarray, np.ndarray]:
    """Write the pool: (image paths, label PNG paths, category (N,), brightness (N,))."""
    rng = np.random.default_rng(0)
    paths, label_paths = [], []
    cats = np.arange(N_IMAGES) % 4
    bright = rng.permutation(np.linspace(0.5, 1.0, N_IMAGES))  # distinct scores
    for i in range(N_IMAGES):
        img = np.full((SIZE, SIZE, 3), 0.5, np.float32)
        lab = np.zeros((SIZE, SIZE), np.uint8)
        side = int(rng.integers(16, 23))  # always covers a whole 8x8 cell
        y0, x0 = int(rng.integers(26, SIZE - side)), int(rng.integers(0, SIZE - side))
        img[y0 : y0 + side, x0 : x0 + side] = CODES[cats[i]] * bright[i]
        lab[y0 : y0 + side, x0 : x0 + side] = cats[i] + 1
        if i % 3 == 0:  # magenta patch in the top-left corner, no object there
            p = int(rng.integers(8, 17))
            img[:p, :p] = CODES[4] * rng.uniform(0.5, 1.0)
        paths.append(root / f"img_{i:03d}.png")
        label_paths.append(root / f"lab_{i:03d}.png")
        Image.fromarray(np.round(img * 255).astype(np.uint8)).save(paths[-1])
        Image.fromarray(lab, mode="L").save(label_paths[-1])
    return paths, label_paths, cats, bright


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """Synthetic pool, its ranking and top maps under the stand-in model."""
    root = tmp_path_factory.mktemp("pool")
    paths, label_paths, cats, bright = _draw_pool(root)
    model = StandIn()
    kw = {"input_size": SIZE, "resize_size": SIZE, "progress": False}
    um = activations.unit_maxima(model, paths, batch_size=7, top_k=TOP_K, **kw)
    maps = activations.top_unit_maps(model, paths, um.top_indices, batch_size=5, **kw)
    source = views.PNGLabels(label_paths, SIZE, SIZE, categories=CATS)
    return {
        "paths": paths,
        "cats": cats,
        "bright": bright,
        "model": model,
        "um": um,
        "maps": maps,
        "source": source,
        "root": root,
    }


# ---------------------------------------------------------------------------- activations
def test_ranking_matches_brute_force(pool):
    um, cats, bright = pool["um"], pool["cats"], pool["bright"]
    assert um.max_act.shape == (N_IMAGES, 5) and um.top_indices.shape == (5, TOP_K)
    for k in range(4):
        expected = np.where(cats == k, bright, 0.0)  # unit k's max = the object's brightness
        assert np.allclose(um.max_act[:, k], expected, atol=0.01)
        order = np.argsort(-um.max_act[:, k], kind="stable")[:TOP_K]
        assert np.array_equal(um.top_indices[k], order)
        assert set(cats[um.top_indices[k]]) == {k}  # planted: only category-k images
        assert np.all(np.diff(um.top_scores[k]) <= 0)


def test_merge_topk_ties_keep_lower_index():
    s, i = np.empty((1, 0), np.float32), np.empty((1, 0), np.int64)
    s, i = activations.merge_topk(s, i, np.array([[1.0, 2.0]]), np.array([[0, 1]]), 3)
    s, i = activations.merge_topk(s, i, np.array([[2.0, 1.0]]), np.array([[2, 3]]), 3)
    assert i.tolist() == [[1, 2, 0]] and s.tolist() == [[2.0, 2.0, 1.0]]


def test_top_maps_equal_direct_forward(pool):
    um, maps = pool["um"], pool["maps"]
    assert maps.shape == (5, TOP_K, 8, 8)
    idx = um.top_indices[2, 3]
    view = views.view_image(pool["paths"][idx], SIZE, SIZE)
    direct = pool["model"].forward_intermediates(torch.from_numpy(views.normalise(view[None])))
    assert np.allclose(maps[2, 3], direct["conv5"][0, 2].numpy(), atol=1e-5)
    assert np.isclose(maps[2, 3].max(), um.top_scores[2, 3], atol=1e-6)


def test_pool_maps_agree_with_maxima(pool):
    all_maps = activations.pool_maps(
        pool["model"], pool["paths"], SIZE, batch_size=16, resize_size=SIZE, progress=False
    )
    assert all_maps.shape == (N_IMAGES, 5, 8, 8) and all_maps.dtype == np.float16
    assert np.allclose(all_maps.reshape(N_IMAGES, 5, -1).max(-1), pool["um"].max_act, atol=2e-3)


# ---------------------------------------------------------------------------- masks
def test_mask_is_disk_at_rf_centre():
    act = np.zeros((8, 8), np.float32)
    act[2, 5], act[6, 1] = 1.0, 0.4  # only (2, 5) reaches half the max
    radius = 6.0
    m = masks.rf_mask(act, RF, SIZE, radius)
    cy, cx = 3.5 + 8 * 2, 3.5 + 8 * 5
    yy, xx = np.nonzero(m)
    assert np.isclose(yy.mean(), cy) and np.isclose(xx.mean(), cx)
    assert np.abs(m.sum() - np.pi * radius**2) < 0.1 * np.pi * radius**2
    assert np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2).max() <= radius
    assert not m[int(3.5 + 8 * 6), int(3.5 + 8 * 1)]  # the weak position is not masked
    assert masks.rf_mask(np.zeros((8, 8)), RF, SIZE, radius).sum() == 0  # silent unit


def test_unit_masks_match_rf_mask():
    rng = np.random.default_rng(1)
    maps = rng.random((4, 8, 8)).astype(np.float32)
    maps[3] = 0.0  # silent image
    got = masks.unit_masks(maps, RF, SIZE, 7.0)
    for k in range(4):
        assert np.array_equal(got[k], masks.rf_mask(maps[k], RF, SIZE, 7.0))
    assert got[:3].any(axis=(1, 2)).all() and not got[3].any()


def test_radius_and_caffenet_centres():
    assert masks.default_radius(227) == pytest.approx(33.0)
    assert masks.default_radius(112) == pytest.approx(33.0 * 112 / 227)
    model = build_model("caffenet_bn", num_outputs=4, width=0.5, input_size=112)
    rf = model.receptive_field
    centres = masks.rf_centers(rf, 6)
    assert np.allclose(centres, rf.offset + rf.stride * np.arange(6))
    assert centres[0] == pytest.approx(float(rf.center(0)))


def test_apply_mask_dims_outside():
    img = np.full((4, 4, 3), 200, np.uint8)
    mask = np.zeros((4, 4), bool)
    mask[1, 1] = True
    out = masks.apply_mask(img, mask, dim=0.5)
    assert out[1, 1, 0] == 200 and out[0, 0, 0] == 100


# ---------------------------------------------------------------------------- labels
def test_automatic_labels_find_planted_detectors(pool):
    auto = label.label_units(
        pool["maps"], pool["um"].top_indices, pool["source"], RF, SIZE, radius=8.0, progress=False
    )
    t = auto.table
    assert t.is_detector.tolist() == [True, True, True, True, False]
    assert t.category.tolist()[:4] == list(CATS)
    assert np.allclose(t.fraction[:4], 1.0)
    assert t.category[4] == "" and t.fraction[4] == 0.0  # corner unit never covers an object
    thresholds = np.linspace(0.0, 1.0, 11)
    curve = label.detectors_vs_threshold(t.fraction.to_numpy(), thresholds)
    assert np.all(np.diff(curve) <= 0) and curve[0] == 5 and curve[-1] == 4
    assert np.array_equal(curve, label.detectors_vs_threshold(auto.fractions, thresholds))


def test_region_contains_min_fraction():
    mask = np.zeros((1, 10, 10), bool)
    mask[0, :, :5] = True  # area 50
    labels = np.zeros((1, 10, 10), np.uint8)
    labels[0, 0, :2] = 1  # 2 px of category 0 inside: 4% of the mask
    labels[0, 5:9, 0] = 2  # 4 px of category 1 inside: 8%
    labels[0, :, 9] = 3  # category 2 outside the mask
    got = label.region_contains(mask, labels, 3, min_fraction=0.05)
    assert got.tolist() == [[False, True, False]]
    assert label.region_contains(mask, labels, 3, min_fraction=0.03).tolist() == [
        [True, True, False]
    ]


class _ArraySource:
    """LabelSource over in-memory label maps."""

    def __init__(self, maps: np.ndarray, categories: tuple[str, ...]) -> None:
        self.maps, self.categories = maps, categories

    def __len__(self) -> int:
        return len(self.maps)

    def __call__(self, indices) -> np.ndarray:
        return self.maps[list(indices)]


def test_dissect_iou_hand_case():
    rf = ReceptiveField(size=1, stride=1, offset=0.0)  # identity upsampling
    maps = np.zeros((2, 1, 4, 4), np.float32)
    maps[0, 0, :2, :2] = 1.0  # 4 active px
    maps[1, 0, 0, :] = 1.0  # 4 active px
    labs = np.zeros((2, 4, 4), np.uint8)
    labs[0, :2, :3] = 1  # 6 px, 4 overlap
    labs[1, 3, :] = 1  # 4 px, 0 overlap
    iou = dissect.dissect_iou(maps, _ArraySource(labs, ("a",)), rf, 4, np.array([0.5]), 1, False)
    assert iou.shape == (1, 1) and iou[0, 0] == pytest.approx(4 / (8 + 10 - 4))


def test_netdissect_on_planted_pool(pool):
    all_maps = activations.pool_maps(
        pool["model"], pool["paths"], SIZE, resize_size=SIZE, progress=False
    )
    nd = dissect.netdissect_labels(all_maps, pool["source"], RF, SIZE, progress=False)
    assert nd.iou.shape == (5, 4)
    assert nd.table.category.tolist()[:4] == list(CATS)
    assert nd.table.is_detector.tolist() == [True, True, True, True, False]
    assert np.all(nd.iou[np.arange(4), np.arange(4)] > 0.2)
    assert np.all(nd.iou[4] <= 0.04)


# ---------------------------------------------------------------------------- views / ground truth
def test_world_frame_labels(tmp_path):
    names = np.array(CATEGORY_NAMES[::-1])  # file's own category order, mapped by name
    inst = np.zeros((3, 24, 32), np.uint8)
    inst[2, :, :16] = 1  # instance 1 fills the left half of frame 2
    np.savez(tmp_path / "v1.npz", instance_map=inst, instance_category=np.array([12], np.int16),
             categories=names)  # fmt: skip
    (tmp_path / "v1.json").write_text(json.dumps({"fps": 2.0, "n_frames": 3}))
    frames = pd.DataFrame({"video_id": ["v1", "v1"], "frame_time_s": [0.9, 0.1]})
    src = views.WorldFrameLabels(frames, tmp_path, input_size=16, resize_size=16)
    got = src([0, 1])
    code = CATEGORY_NAMES.index(str(names[12])) + 1
    assert got.shape == (2, 16, 16)
    assert np.all(got[0, :, :8] == code) and np.all(got[0, :, 8:] == 0)
    assert np.all(got[1] == 0)


def test_view_label_map_centre_crop():
    lab = np.zeros((18, 18), np.uint8)
    lab[0, :] = 5  # first row is cropped away by the 18 -> 16 centre crop
    lab[1, :] = 7
    out = views.view_label_map(lab, 16, 18)
    assert out.shape == (16, 16) and np.all(out[0] == 7) and 5 not in out


# ---------------------------------------------------------------------------- human sheets
def _fill(template: pd.DataFrame, annotator: str, name: str, contains: list[int]) -> pd.DataFrame:
    return template.assign(annotator=annotator, object_name=name, contains=contains)


def test_gallery_and_sheet_round_trip(pool, tmp_path):
    um, maps = pool["um"], pool["maps"]
    out = tmp_path / "gallery"
    written = {}
    for unit in range(5):
        ims = [views.view_image(pool["paths"][i], SIZE, SIZE) for i in um.top_indices[unit]]
        m = masks.unit_masks(maps[unit], RF, SIZE, 8.0)
        written[unit] = sheets.export_unit_gallery(unit, ims, m, out)
    index = sheets.write_gallery_index(out, list(range(5)), {0: "dog?"})
    assert "unit_0004/index.html" in index.read_text() and "dog?" in index.read_text()
    g = written[0]
    assert g.html.exists() and len(g.thumbnails) == TOP_K
    assert all(p.exists() and p.stat().st_size > 0 for p in g.thumbnails)
    with Image.open(g.thumbnails[0]) as im:
        assert im.size == (SIZE, SIZE)
    template = pd.read_csv(g.sheet, keep_default_na=False)
    assert list(template.columns) == sheets.SHEET_COLUMNS and len(template) == TOP_K
    assert (template.annotator == "").all() and (template.contains == "").all()

    ones, six = [1] * 8, [1] * 6 + [0] * 2
    fills = {
        0: [("a", "dog", ones), ("b", "Dog ", six), ("c", "cat", [0] * 8)],  # dog, 6/8
        1: [("a", "car", ones), ("b", "tree", ones), ("c", "", ones)],  # no majority name
        2: [("a", "tree", ones), ("b", "TREE", [1] * 4 + [0] * 4), ("c", "tree", [0] * 8)],
    }
    paths = []
    for unit, answers in fills.items():
        t = pd.read_csv(written[unit].sheet, keep_default_na=False)
        for a, name, contains in answers:
            paths.append(tmp_path / f"filled_{unit}_{a}.csv")
            _fill(t, a, name, contains).to_csv(paths[-1], index=False)
    got = sheets.ingest_sheets(paths).set_index("unit")
    assert got.loc[0, "object_name"] == "dog" and got.loc[0, "name_votes"] == 2
    assert got.loc[0, "fraction"] == pytest.approx(6 / 8) and got.loc[0, "is_detector"]
    assert got.loc[1, "object_name"] == "" and not got.loc[1, "is_detector"]
    assert got.loc[2, "fraction"] == pytest.approx(0.5) and not got.loc[2, "is_detector"]

    with pytest.raises(sheets.SheetError, match="need 3"):
        sheets.ingest_sheets(paths[:2])  # unit 0 has only annotators a and b
    bad = tmp_path / "bad.csv"
    _fill(template, "a", "dog", ones).assign(contains=["1", "yes"] + ["1"] * 6).to_csv(
        bad, index=False
    )
    with pytest.raises(sheets.SheetError, match=r"bad\.csv, line 3: contains"):
        sheets.ingest_sheets([bad])
    template.drop(columns="contains").to_csv(bad, index=False)
    with pytest.raises(sheets.SheetError, match="missing columns"):
        sheets.ingest_sheets([bad])


# ---------------------------------------------------------------------------- Table 1
def test_table1_hand_case(tmp_path):
    gt = {
        "objects": [
            {"category": "dog", "audible": True},
            {"category": "tree", "audible": False},
        ],
        "offscreen_sources": [{"category": "car", "frames_audible": 3}],
    }
    assert table1.audible_categories(gt) == {"dog", "car"}
    (tmp_path / "v0.json").write_text(json.dumps(gt))
    assert table1.load_audible(tmp_path, ["v0"]) == {"v0": {"dog", "car"}}

    frame_videos = ["v0", "v0", "v1", "v2", "v3", "v1"]
    audible = {"v0": {"dog", "car"}, "v1": {"dog"}, "v2": set(), "v3": {"car"}}
    labels = pd.DataFrame(
        {
            "unit": [0, 1, 2, 3],
            "category": ["dog", "tree", "car", "dog"],
            "is_detector": [True, True, True, False],
        }
    )
    top = np.array([[0, 1, 2, 3], [4, 2, 0, 1], [3, 4, 5, 0], [0, 2, 3, 4]])
    row = table1.table1_row(labels, top, frame_videos, audible, ("dog", "car"), n_videos=2)
    # unit 0 (dog): videos v0, v1 -> 2 audible; unit 1 (tree, silent): v3, v1 -> 0;
    # unit 2 (car): v2, v3 -> 1 audible
    assert row["n_detectors"] == 3 and row["n_sound_detectors"] == 2
    assert row["videos_with_object_sound"] == pytest.approx(3 / 6)
    assert row["characteristic_sound_rate"] == pytest.approx(3 / 4)
    t = table1.build_table1({"sound": row})
    assert list(t.columns) == table1.TABLE1_COLUMNS and t.loc[0, "n_units"] == 4


# ---------------------------------------------------------------------------- figures
def test_figures_written(tmp_path):
    th = np.linspace(0, 1, 6)
    p4 = figures.plot_detectors_vs_threshold(
        {"sound": (th, [9, 8, 6, 4, 2, 1]), "places": (th, [9, 9, 7, 5, 3, 1])}, tmp_path / "fig4"
    )
    thumbs = [np.full((16, 16, 3), v, np.uint8) for v in (0, 60, 120, 180, 240)]
    p5 = figures.plot_unit_responses([("unit 1: dog", thumbs), ("unit 7: car", thumbs[:3])],
                                     tmp_path / "fig5")  # fmt: skip
    p6 = figures.plot_detector_histograms(
        {"sound": ["dog", "dog", "tree"], "places": ["tree", "car"]}, tmp_path / "fig6"
    )
    for paths in (p4, p5, p6):
        assert [p.suffix for p in paths] == [".png", ".pdf"]
        assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
