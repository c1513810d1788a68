"""Fast R-CNN detection (Owens et al. 2018 Table 3): boxes, proposals, AP, fine-tuning, table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from soundsight.detect.boxes import (
    ImageBoxes,
    box_iou_np,
    decode_boxes,
    encode_boxes,
    flip_boxes_np,
    read_voc_boxes,
    read_voc_detection,
)
from soundsight.detect.config import DetectConfig
from soundsight.detect.data import ImageLoader, prepare_training
from soundsight.detect.evaluate import (
    class_ap,
    evaluate_detections,
    match_class,
    voc07_11point,
)
from soundsight.detect.model import FastRCNN, fast_rcnn_loss
from soundsight.detect.proposals import (
    ProposalConfig,
    load_proposals,
    make_proposals,
    proposals_for,
    save_proposals,
)
from soundsight.detect.run import detections_frame, run_detection
from soundsight.detect.train import Detections, finetune_detector, sample_rois
from soundsight.models.io import save_checkpoint
from soundsight.models.registry import build_model
from soundsight.models.spec import write_spec
from soundsight.papers.owens2018.tables import TABLE3, TABLE3_COLUMNS, build_table3
from soundsight.report.published import published_value
from soundsight.report.results import detection_map

# ------------------------------------------------------------------------------------------------
# a tiny VOC2007 folder
# ------------------------------------------------------------------------------------------------

COLOURS = {"cat": (220, 40, 40), "dog": (40, 40, 220)}


def _xml(image_id: str, w: int, h: int, objects: list[tuple[str, tuple, int]]) -> str:
    """VOC annotation text; objects = (name, 1-based (xmin, ymin, xmax, ymax), difficult)."""
    parts = [
        f"<annotation><filename>{image_id}.jpg</filename>",
        f"<size><width>{w}</width><height>{h}</height><depth>3</depth></size>",
    ]
    for name, (x0, y0, x1, y1), diff in objects:
        parts.append(
            f"<object><name>{name}</name><difficult>{diff}</difficult><bndbox><xmin>{x0}</xmin>"
            f"<ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
        )
    return "".join(parts) + "</annotation>\n"


def write_voc(root: Path, images: dict[str, list[tuple[str, tuple, int]]], size=(64, 64)) -> Path:
    """A VOC2007 folder whose images draw each object as a filled coloured rectangle."""
    voc = root / "VOC2007"
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        (voc / sub).mkdir(parents=True, exist_ok=True)
    w, h = size
    for image_id, objects in images.items():
        pixels = np.full((h, w, 3), 128, np.uint8)
        for name, (x0, y0, x1, y1), _ in objects:
            pixels[y0 - 1 : y1, x0 - 1 : x1] = COLOURS[name]
        Image.fromarray(pixels).save(voc / "JPEGImages" / f"{image_id}.jpg", quality=95)
        (voc / "Annotations" / f"{image_id}.xml").write_text(_xml(image_id, w, h, objects))
    ids = "".join(f"{i}\n" for i in images)
    for split in ("train", "test", "trainval"):
        (voc / "ImageSets" / "Main" / f"{split}.txt").write_text(ids)
    return voc


TINY = {
    "000001": [("cat", (5, 9, 30, 40), 0), ("dog", (33, 3, 60, 28), 1)],
    "000002": [("dog", (10, 20, 50, 60), 0)],
    "000003": [("cat", (30, 30, 62, 62), 0), ("dog", (2, 2, 24, 24), 0)],
}


@pytest.fixture(scope="module")
def voc_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_voc(tmp_path_factory.mktemp("voc"), TINY)


def _image(boxes, labels=None, difficult=None, image_id="a", size=(100, 80)) -> ImageBoxes:
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    n = len(boxes)
    return ImageBoxes(
        image_id=image_id,
        image_path=Path(f"{image_id}.jpg"),
        width=size[0],
        height=size[1],
        boxes=boxes,
        labels=np.zeros(n, np.int64) if labels is None else np.asarray(labels, np.int64),
        difficult=np.zeros(n, bool) if difficult is None else np.asarray(difficult, bool),
    )


# ------------------------------------------------------------------------------------------------
# boxes
# ------------------------------------------------------------------------------------------------


def test_read_voc_boxes_converts_to_zero_based_and_keeps_difficult(voc_root: Path) -> None:
    images, classes = read_voc_detection(voc_root, "train")
    assert classes == ["cat", "dog"]
    assert [im.image_id for im in images] == ["000001", "000002", "000003"]
    first = images[0]
    assert (first.width, first.height) == (64, 64)
    np.testing.assert_array_equal(first.boxes, [[4, 8, 30, 40], [32, 2, 60, 28]])
    np.testing.assert_array_equal(first.labels, [0, 1])
    np.testing.assert_array_equal(first.difficult, [False, True])
    assert read_voc_boxes(voc_root, "train")[2].labels.tolist() == [0, 1]


def test_read_voc_boxes_rejects_bad_boxes(tmp_path: Path) -> None:
    voc = write_voc(tmp_path, {"000001": [("cat", (5, 5, 20, 20), 0)]})
    (voc / "Annotations" / "000001.xml").write_text(
        _xml("000001", 64, 64, [("cat", (20, 5, 10, 20), 0)])
    )
    with pytest.raises(ValueError, match="empty <bndbox>"):
        read_voc_boxes(tmp_path, "train")


def test_iou_matches_the_devkit_pixel_convention() -> None:
    # devkit, 1-based inclusive (1,1,10,10) vs (6,1,15,10): 5*10 / (100 + 100 - 50) = 1/3
    a, b = np.array([[0, 0, 10, 10]]), np.array([[5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(box_iou_np(a, b), [[1 / 3, 0.0]])
    np.testing.assert_allclose(box_iou_np(a, a), [[1.0]])


def test_encode_decode_round_trip_and_flip() -> None:
    gen = torch.Generator().manual_seed(0)
    xy = torch.rand(20, 2, generator=gen) * 50
    wh = torch.rand(20, 2, generator=gen) * 30 + 2
    props = torch.cat([xy, xy + wh], 1)
    targets = props + torch.randn(20, 4, generator=gen).clamp(-1, 1)
    deltas = encode_boxes(props, targets)  # (20, 4)
    torch.testing.assert_close(decode_boxes(props, deltas), targets, atol=1e-4, rtol=0)
    # class-specific deltas (N, K, 4) broadcast over the proposals
    per_class = torch.stack([deltas, torch.zeros_like(deltas)], 1)  # (20, 2, 4)
    decoded = decode_boxes(props, per_class)
    torch.testing.assert_close(decoded[:, 0], targets, atol=1e-4, rtol=0)
    torch.testing.assert_close(decoded[:, 1], props, atol=1e-4, rtol=0)
    box = np.array([[10, 5, 30, 25]], np.float32)
    np.testing.assert_array_equal(flip_boxes_np(box, 100), [[70, 5, 90, 25]])
    np.testing.assert_array_equal(flip_boxes_np(flip_boxes_np(box, 100), 100), box)


# ------------------------------------------------------------------------------------------------
# proposals
# ------------------------------------------------------------------------------------------------


def test_oracle_proposals_cover_every_ground_truth_box() -> None:
    rng = np.random.default_rng(3)
    images = []
    for k in range(20):
        xy = rng.uniform(0, 60, (4, 2))
        wh = rng.uniform(2, 40, (4, 2))  # includes tiny (difficult-sized) boxes
        boxes = np.clip(np.concatenate([xy, xy + wh], 1), 0, [100, 80, 100, 80])
        images.append(_image(boxes, difficult=[0, 0, 1, 0], image_id=f"{k:03d}"))
    props = make_proposals(images, seed=0)
    for im in images:
        p = props[im.image_id]
        assert 100 <= len(p) <= 300
        assert box_iou_np(im.boxes, p).max(1).min() >= 0.7
        assert (p[:, 0] >= 0).all() and (p[:, 2] <= im.width).all()
        assert (p[:, 2] > p[:, 0]).all() and (p[:, 3] > p[:, 1]).all()
    again = make_proposals(images[::-1], seed=0)  # per-image seeding: order does not matter
    assert all(np.array_equal(props[k], again[k]) for k in props)
    other = make_proposals(images[:1], seed=1)
    assert not np.array_equal(other["000"], props["000"])


def test_proposal_files_round_trip(tmp_path: Path) -> None:
    props = {
        "a": np.array([[0, 0, 10, 10], [5, 5, 50, 40]], np.float32),
        "b": np.array([[1, 2, 30, 40]], np.float32),
    }
    for name in ("p.csv", "p.npz"):
        loaded = load_proposals(save_proposals(tmp_path / name, props))
        assert sorted(loaded) == ["a", "b"]
        np.testing.assert_allclose(loaded["a"], props["a"])
    images = [_image([[0, 0, 10, 10]], image_id="a"), _image([[0, 0, 9, 9]], image_id="c")]
    with pytest.raises(KeyError, match="no proposals for 1 images"):
        proposals_for(images, str(tmp_path / "p.csv"), seed=0)
    out = proposals_for(images[:1], str(tmp_path / "p.npz"), seed=0)
    np.testing.assert_allclose(out["a"], props["a"])
    (tmp_path / "x.txt").write_text("a 0 0 1 1\n")
    with pytest.raises(ValueError, match="must be .csv or .npz"):
        load_proposals(tmp_path / "x.txt")


# ------------------------------------------------------------------------------------------------
# detection AP, hand-computed
# ------------------------------------------------------------------------------------------------


def _dets(image_id: str, boxes, scores, labels=None) -> Detections:
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    n = len(boxes)
    labels = np.zeros(n, np.int64) if labels is None else np.asarray(labels, np.int64)
    return Detections(image_id, boxes, np.asarray(scores, np.float32), labels)


def test_voc07_11point_hand_case() -> None:
    # recall 0.2 at precision 1, 0.4 at 0.5: thresholds 0, .1, .2 -> 1; .3, .4 -> .5; rest 0
    assert voc07_11point(np.array([0.2, 0.4]), np.array([1.0, 0.5])) == pytest.approx(4 / 11)


def test_duplicate_detection_is_a_false_positive() -> None:
    gt = [_image([[0, 0, 10, 10], [50, 50, 70, 70]], image_id="i")]
    dets = [_dets("i", [[0, 0, 10, 10], [0, 0, 10, 11], [50, 50, 70, 70]], [0.9, 0.8, 0.7])]
    tp, fp, npos = match_class(dets, gt, 0)
    assert (tp.tolist(), fp.tolist(), npos) == ([True, False, True], [False, True, False], 2)
    # recall .5, .5, 1 at precision 1, .5, 2/3 -> (6 * 1 + 5 * 2/3) / 11
    assert class_ap(tp, fp, npos) == pytest.approx((6 + 5 * 2 / 3) / 11)


def test_difficult_boxes_are_ignored() -> None:
    gt = [_image([[0, 0, 10, 10], [40, 40, 60, 60]], difficult=[False, True], image_id="i")]
    dets = [_dets("i", [[40, 40, 60, 60], [0, 0, 10, 10], [80, 0, 90, 10]], [0.95, 0.9, 0.8])]
    tp, fp, npos = match_class(dets, gt, 0)
    assert npos == 1  # the difficult box is not a positive
    assert tp.tolist() == [False, True, False] and fp.tolist() == [False, False, True]
    assert class_ap(tp, fp, npos) == pytest.approx(1.0)  # the difficult hit costs nothing


def test_missed_boxes_iou_threshold_and_best_match() -> None:
    gt = [
        _image([[0, 0, 10, 10], [20, 20, 30, 30]], image_id="i"),
        _image([[0, 0, 10, 20]], image_id="j"),
    ]
    # IoU exactly 0.5 is a hit (devkit: ovmax >= 0.5); one box missed -> recall 2/3 at most
    dets = [_dets("j", [[0, 0, 10, 10]], [0.9]), _dets("i", [[0, 0, 10, 10]], [0.8])]
    tp, fp, npos = match_class(dets, gt, 0)
    assert (tp.tolist(), npos) == ([True, True], 3)
    assert class_ap(tp, fp, npos) == pytest.approx(7 / 11)  # thresholds 0 .. 0.6
    # the best-overlapping box is already taken -> false positive (no fall-back to the second)
    gt2 = [_image([[0, 0, 10, 10], [0, 0, 10, 12]], image_id="k")]
    dets2 = [_dets("k", [[0, 0, 10, 10], [0, 0, 10, 10.5]], [0.9, 0.8])]
    tp2, fp2, _ = match_class(dets2, gt2, 0)
    assert tp2.tolist() == [True, False] and fp2.tolist() == [False, True]


def test_evaluate_detections_classes_and_map() -> None:
    gt = [_image([[0, 0, 10, 10], [20, 20, 40, 40]], labels=[0, 1], image_id="i")]
    dets = [_dets("i", [[0, 0, 10, 10], [20, 20, 40, 40]], [0.9, 0.9], labels=[0, 0])]
    res = evaluate_detections(dets, gt, ["cat", "dog", "cow"])
    assert res["ap"]["cat"] == pytest.approx(1.0)  # the second cat detection is an FP after it
    assert res["ap"]["dog"] == pytest.approx(0.0)  # no dog detections
    assert res["ap"]["cow"] is None  # no positives: left out of the mAP
    assert res["map"] == pytest.approx(0.5)
    assert res["npos"] == {"cat": 1, "dog": 1, "cow": 0}
    with pytest.raises(KeyError, match="no ground truth"):
        evaluate_detections([_dets("zz", [[0, 0, 1, 1]], [1.0])], gt, ["cat"])


# ------------------------------------------------------------------------------------------------
# model, sampling and a tiny end-to-end fine-tuning
# ------------------------------------------------------------------------------------------------


def _trunk(seed: int = 0, input_size: int = 48):
    return build_model(
        "caffenet_bn", seed=seed, num_outputs=5, width=0.125, input_size=input_size
    ).eval()


def test_fast_rcnn_reuses_fc_layers_and_pools_rois() -> None:
    trunk = _trunk(input_size=112)
    det = FastRCNN(trunk, num_classes=3, seed=0)
    assert det.roi_size == trunk.pool5_shape[-1] == 3 and det.reused_fc
    torch.testing.assert_close(det.fc6[0].weight, trunk.fc6[0].weight)
    assert det.fc6[0].weight.data_ptr() != trunk.fc6[0].weight.data_ptr()  # a copy
    assert hasattr(trunk, "fc6") and not hasattr(det.backbone, "fc6")
    other = FastRCNN(trunk, num_classes=3, roi_size=2, seed=0, freeze_bn=True, pool="align")
    assert not other.reused_fc and other.fc6[0].in_features == trunk.channels["conv5"] * 4
    other.train()
    assert other.fc6.training and not other.backbone.conv1[1].training  # trunk BN frozen
    rois = torch.tensor([[0, 0, 0, 112, 112], [1, 10, 20, 60, 90]], dtype=torch.float32)
    logits, deltas = det.eval()(torch.randn(2, 3, 112, 112), rois)
    assert logits.shape == (2, 4) and deltas.shape == (2, 4, 4)
    labels = torch.tensor([2, 0])
    total, cls, box = fast_rcnn_loss(logits, deltas, labels, torch.ones(2, 4))
    expected_box = torch.nn.functional.smooth_l1_loss(deltas[0, 2], torch.ones(4), reduction="sum")
    torch.testing.assert_close(box, expected_box / 2)
    torch.testing.assert_close(total, cls + box)


def test_sample_rois_respects_fractions_and_thresholds() -> None:
    image = _image([[10, 10, 50, 50]], labels=[2], size=(100, 100))
    props = make_proposals([image], seed=0, cfg=ProposalConfig())
    loader = ImageLoader([image], 100)
    (item,) = prepare_training(loader, props)
    cfg = DetectConfig(rois_per_image=32, fg_fraction=0.25)
    rois, labels, matched = sample_rois(np.random.default_rng(0), item, cfg)
    iou = box_iou_np(rois, image.boxes)[:, 0]
    fg = labels > 0
    assert fg.sum() == 8 and len(rois) == 32
    assert (labels[fg] == 3).all() and (iou[fg] >= 0.5).all()  # class index 2 -> label 3
    assert ((iou[~fg] >= 0.1) & (iou[~fg] < 0.5)).all()
    np.testing.assert_array_equal(matched[fg], np.repeat(image.boxes, fg.sum(), 0))


def test_tiny_finetune_runs_is_deterministic_and_detects(voc_root: Path, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    images, classes = read_voc_detection(voc_root, "train")
    props = make_proposals(images, seed=0)
    cfg = DetectConfig(iterations=24, lr=0.01, image_size=64, progress=False, lr_steps=(0.8,))
    trunk = _trunk()
    before = {k: v.clone() for k, v in trunk.state_dict().items()}
    model, hist = finetune_detector(
        trunk, images, props, cfg, tmp_path, num_classes=len(classes), seed=1
    )
    _, hist2 = finetune_detector(trunk, images, props, cfg, num_classes=len(classes), seed=1)
    assert [h["loss"] for h in hist] == [h["loss"] for h in hist2]  # deterministic
    assert all(torch.equal(before[k], v) for k, v in trunk.state_dict().items())  # untouched
    losses = np.array([h["loss"] for h in hist])
    assert np.isfinite(losses).all() and losses[-6:].mean() < losses[:6].mean()
    assert hist[-1]["lr"] == pytest.approx(0.001) and hist[0]["n_fg"] > 0
    assert json.loads((tmp_path / "train_log.json").read_text())["history"][0]["iteration"] == 0
    assert model.image_size == 64 and not model.training


def test_run_detection_end_to_end(voc_root: Path, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    trunk = _trunk(seed=3)
    save_checkpoint(tmp_path / "model.pt", trunk)
    write_spec(tmp_path / "model.json", "caffenet_bn", 5, width=0.125, input_size=48)
    cfg = {"iterations": 6, "progress": False, "score_thresh": 0.0, "max_per_image": 20}
    summary, dets = run_detection(tmp_path / "model.pt", voc_root, cfg, seed=0)
    assert 0.0 <= summary["map"] <= 1.0 and set(summary["ap"]) == {"cat", "dog"}
    assert summary["proposals"]["recall_iou50_test"] == 1.0
    assert summary["npos"] == {"cat": 2, "dog": 2}  # the difficult dog is not counted
    json.dumps(summary)  # JSON-able
    assert [d.image_id for d in dets] == ["000001", "000002", "000003"]
    for d in dets:
        assert 0 < len(d.boxes) <= 20
        assert (d.boxes >= 0).all() and (d.boxes <= 64).all()
        assert (d.boxes[:, 2] > d.boxes[:, 0]).all() and (d.boxes[:, 3] > d.boxes[:, 1]).all()
        assert set(d.labels.tolist()) <= {0, 1} and (np.diff(d.scores) <= 0).all()
    frame = detections_frame(dets, summary["classes"])
    assert len(frame) == sum(len(d.boxes) for d in dets) and set(frame["class"]) <= {"cat", "dog"}


def test_detect_config_rejects_unknown_keys() -> None:
    with pytest.raises(KeyError, match="unknown detection config keys"):
        DetectConfig.from_dict({"iterations": 5, "learning_rate": 0.1})
    with pytest.raises(KeyError, match="unknown proposal config keys"):
        DetectConfig.from_dict({"proposal": {"n_rand": 3}})
    cfg = DetectConfig.from_dict({"lr_steps": [0.5], "proposal": {"window_scales": [0.5]}})
    assert cfg.lr_steps == (0.5,) and cfg.proposal.window_scales == (0.5,)
    with pytest.raises(ValueError, match="roi_pool"):
        DetectConfig(roi_pool="avg")


# ------------------------------------------------------------------------------------------------
# Table 3
# ------------------------------------------------------------------------------------------------


def _write_det(det_dir: Path, model: str, value: float) -> None:
    (det_dir / model).mkdir(parents=True, exist_ok=True)
    payload = {"map": value, "ap": {"cat": value, "dog": value}}
    (det_dir / model / "detection.json").write_text(json.dumps(payload))


def test_build_table3_with_fake_outputs(tmp_path: Path) -> None:
    for model, value in (("sound_cluster", 0.30), ("random", 0.25), ("texton_cnn", 0.2)):
        _write_det(tmp_path, model, value)
    df = build_table3(tmp_path, ["sound_cluster", "random", "texton_cnn"])
    assert tuple(df.columns) == TABLE3_COLUMNS
    maps = df[df["column"] == "mAP"].set_index("row")
    assert maps.loc["Sound (cluster)", "replicated"] == pytest.approx(30.0)
    assert maps.loc["Sound (cluster)", "published"] == published_value(
        "owens2018", "table3", "Sound (cluster)", "mAP"
    )
    rnd = maps.loc["Random init."]
    assert rnd["published_row"] == "Random init. (Krähenbühl et al 2016)"
    assert rnd["published"] == pytest.approx(41.3) and rnd["source"] == "replicated+published"
    assert maps.loc["Texton-CNN", "source"] == "replicated only"
    assert math.isnan(maps.loc["Texton-CNN", "published"])
    assert maps.loc["Places (Zhou et al 2014)", "source"] == "published only"
    delta = df[df["column"] == "vs random"].set_index("row")
    assert delta.loc["Sound (cluster)", "replicated"] == pytest.approx(5.0)
    assert delta.loc["Sound (cluster)", "published"] == pytest.approx(44.1 - 41.3)
    assert list(maps.index[:3]) == ["Random init.", "Sound (cluster)", "Sound (binary)"]
    md = TABLE3.markdown(df)
    assert "| Sound (cluster) | 30.0 (44.1) | +5.0 (+2.8) |" in md
    assert "Texton-CNN ‡" in md and "Places (Zhou et al 2014) †" in md
    TABLE3.write(df, tmp_path / "t3.csv", tmp_path / "t3.md")
    assert len(pd.read_csv(tmp_path / "t3.csv")) == len(df)


def test_table3_bad_inputs(tmp_path: Path) -> None:
    _write_det(tmp_path, "random", 1.5)
    with pytest.raises(ValueError, match="not a fraction"):
        detection_map(tmp_path / "random" / "detection.json")
    with pytest.raises(KeyError, match="unknown Table 3 model"):
        build_table3(tmp_path, ["alexnet"])
    with pytest.raises(FileNotFoundError, match="detection output not found"):
        build_table3(tmp_path, ["sound_binary"])
