"""Linear SVM probes: AP metrics (hand-computed), VOC/SUN probes, readers, feature extraction."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.data.sun import n_partitions, read_sun
from soundsight.data.voc import read_voc
from soundsight.probes.extract import (
    assert_trunk_unchanged,
    extract_features,
    snapshot_state,
)
from soundsight.probes.metrics import (
    VOC07_RECALL_THRESHOLDS,
    area_ap,
    matlab_colon,
    mean_ap,
    per_class_ap,
    voc07_ap,
    voc07_ap_grouped,
)
from soundsight.probes.svm import (
    cost_grid,
    l2_normalize,
    sample_per_class,
    train_sun_probe,
    train_voc_probe,
)

# ------------------------------------------------------------------------------------------------
# metrics (hand-computed)
# ------------------------------------------------------------------------------------------------


def test_ap_hand_case():
    # ranking: TP, FP, TP, FP, FP with 2 positives
    #   after 1: P=1,   R=0.5;  after 2: P=1/2, R=0.5;  after 3: P=2/3, R=1;  then P=1/2, 2/5 at R=1
    # 11-point: t in {0,..,0.5} (6 points) -> max P at R>=t = 1; t in {0.6,..,1} (5) -> 2/3
    #   AP = (6*1 + 5*2/3) / 11 = 28/33
    # area: R 0->0.5 at P 1, R 0.5->1 at interpolated P 2/3 -> 0.5 + 1/3 = 5/6
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, -1, 1, -1, -1])
    assert voc07_ap(s, y) == pytest.approx(28 / 33)
    assert area_ap(s, y) == pytest.approx(5 / 6)


def test_ap_recall_exactly_at_threshold():
    # 10 positives: 3 TP (R=0.3, P=1), 7 FP, then 7 TP (P rises to 10/17 at R=1).
    # Devkit (VOCevalcls.m): the 4th threshold of MATLAB's 0:0.1:1 is 3*0.1 = 0.30000000000000004,
    #   and 3/10 = 0.29999999999999998 does not reach it: t in {0,.1,.2} -> 1, the other 8 -> 10/17
    #   AP = (3 + 8*10/17) / 11 = 131/187
    # Exact tenths (the grouped variant): t in {0,.1,.2,.3} -> 1; t in {.4..1} (7) -> 10/17
    #   AP = (4 + 7*10/17) / 11 = 138/187
    # area: 0.3*1 + 0.7*10/17
    y = np.array([1] * 3 + [-1] * 7 + [1] * 7)
    s = -np.arange(len(y), dtype=float)
    assert VOC07_RECALL_THRESHOLDS[3] > 3 / 10
    assert voc07_ap(s, y) == pytest.approx(131 / 187)
    assert voc07_ap_grouped(s, y) == pytest.approx(138 / 187)
    assert area_ap(s, y) == pytest.approx(0.3 + 0.7 * 10 / 17)
    # a recall of 0.7 (7 of 10) does reach MATLAB's 1 - 3*0.1, which is the double nearest 0.7
    y7 = np.array([1] * 7 + [-1] * 3 + [1] * 3)
    # devkit: t <= 0.7 (8 thresholds) -> 1; t in {.8, .9, 1} -> 10/13
    assert voc07_ap(-np.arange(len(y7), dtype=float), y7) == pytest.approx((8 + 3 * 10 / 13) / 11)


def test_matlab_colon_matches_matlab_not_arange():
    t = matlab_colon(0.0, 0.1, 1.0)
    assert len(t) == 11 and t[0] == 0.0 and t[-1] == 1.0
    assert t[3] == 3 * 0.1 != 0.3  # first half: start + k*step
    assert t[6] == 1 - 4 * 0.1 == 0.6 and t[7] == 1 - 3 * 0.1 == 0.7  # second half: stop - k*step
    assert np.arange(0, 1.1, 0.1)[6] != 0.6  # numpy's ports differ from the devkit here
    with pytest.raises(ValueError, match="integral"):
        matlab_colon(0.0, 0.3, 1.0)


def test_ap_ties_follow_the_stable_sort_in_the_devkit():
    # scores 0.9 | 0.5, 0.5 | 0.1. The devkit does not group ties: a stable sort keeps the input
    # order inside the tie.
    #   labels +1, +1, -1, -1: after 0.9 P=1 R=.5; after the first 0.5 P=1 R=1 -> AP = 1
    #   labels +1, -1, +1, -1: P=1 R=.5; P=1/2 R=.5; P=2/3 R=1 -> (6*1 + 5*2/3)/11 = 28/33
    # The grouped variant (and area AP) count the tie as one block: 28/33 and 5/6 for both orders.
    s = np.array([0.9, 0.5, 0.5, 0.1])
    first, second = np.array([1, 1, -1, -1]), np.array([1, -1, 1, -1])
    assert voc07_ap(s, first) == pytest.approx(1.0)
    assert voc07_ap(s, second) == pytest.approx(28 / 33)
    for y in (first, second):
        assert voc07_ap_grouped(s, y) == pytest.approx(28 / 33)
        assert area_ap(s, y) == pytest.approx(5 / 6)


def test_ap_accumulates_like_the_devkit():
    # ap = ap + p/11 over the thresholds, not sum(p)/11: the two may differ in the last bit
    rng = np.random.default_rng(0)
    s, y = rng.normal(size=50), np.where(rng.random(50) < 0.4, 1, -1)
    pos = y[np.argsort(-s, kind="stable")] == 1
    tp, fp = np.cumsum(pos), np.cumsum(~pos)
    rec, prec = tp / pos.sum(), tp / (fp + tp)
    expected = 0.0
    for t in VOC07_RECALL_THRESHOLDS:
        expected += (prec[rec >= t].max() if (rec >= t).any() else 0.0) / 11
    assert voc07_ap(s, y) == expected


def test_ap_perfect_and_worst_ranking():
    # perfect: P=1 at every recall -> 1.0 (eleven additions of 1/11 give 1 + 1 ulp: clipped)
    assert voc07_ap(np.array([3.0, 2.0, 1.0]), np.array([1, 1, -1])) == 1.0
    assert voc07_ap_grouped(np.array([3.0, 2.0, 1.0]), np.array([1, 1, -1])) == 1.0
    assert area_ap(np.array([3.0, 2.0, 1.0]), np.array([1, 1, -1])) == 1.0
    # worst: FP, FP, TP -> only R=1 point has P=1/3 (R=0 points have P=0) -> 1/3 for both
    s, y = np.array([0.9, 0.8, 0.1]), np.array([-1, -1, 1])
    assert voc07_ap(s, y) == pytest.approx(1 / 3)
    assert area_ap(s, y) == pytest.approx(1 / 3)


def test_ap_ignores_difficult():
    # a difficult positive scored highest (and one in the middle) changes nothing vs the hand case
    s = np.array([2.0, 0.9, 0.8, 0.75, 0.7, 0.6, 0.5])
    y = np.array([0, 1, -1, 0, 1, -1, -1])
    assert voc07_ap(s, y) == pytest.approx(28 / 33)
    assert area_ap(s, y) == pytest.approx(5 / 6)


def test_ap_errors():
    with pytest.raises(ValueError, match="no positive"):
        voc07_ap(np.array([0.1, 0.2]), np.array([-1, -1]))
    with pytest.raises(ValueError, match="no positive"):
        area_ap(np.array([0.1, 0.2]), np.array([0, -1]))  # only difficult positives
    with pytest.raises(ValueError, match="labels must be"):
        voc07_ap(np.array([0.1, 0.2]), np.array([1, 2]))
    with pytest.raises(ValueError, match="NaN"):
        voc07_ap(np.array([np.nan, 0.2]), np.array([1, -1]))


def test_mean_ap_over_columns():
    s = np.array([[0.9, 0.9], [0.8, 0.8], [0.7, 0.7], [0.6, 0.6], [0.5, 0.5]])
    y = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1], [-1, -1]])  # col 0: 28/33, col 1: 1.0
    assert per_class_ap(s, y) == pytest.approx([28 / 33, 1.0])
    assert mean_ap(s, y) == pytest.approx((28 / 33 + 1) / 2)
    assert mean_ap(s, y, kind="area") == pytest.approx((5 / 6 + 1) / 2)
    with pytest.raises(ValueError, match="class column 1"):
        mean_ap(s, np.array([[1, -1]] * 5))


# ------------------------------------------------------------------------------------------------
# SVM probes
# ------------------------------------------------------------------------------------------------


def test_cost_grid_and_normalisation():
    grid = cost_grid()
    assert len(grid) == 16 and grid[0] == 0.5**4 and grid[-1] == 0.5**19
    X = np.array([[3.0, 4.0], [0.0, 0.0]])
    Xn = l2_normalize(X)
    assert Xn[0] == pytest.approx([3 / (5 + 1e-5), 4 / (5 + 1e-5)])
    assert (Xn[1] == 0).all()


def _multilabel(n: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """(n, C) labels in {+1, -1}, each class present in about 30% of rows (at least 2)."""
    Y = np.where(rng.random((n, n_classes)) < 0.3, 1, -1).astype(np.int8)
    Y[:2] = 1
    Y[2:4] = -1
    return Y


def _voc_sets(signal: float, seed: int = 0, n_classes: int = 3, dim: int = 24):
    """train/val/trainval/test (X, Y) with features = signal * class directions + noise."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_classes, dim))
    sets = {}
    for name, n in (("train", 60), ("val", 60), ("test", 200)):
        Y = _multilabel(n, n_classes, rng)
        X = signal * (Y > 0) @ W + rng.standard_normal((n, dim)) + 2.0
        sets[name] = (X, Y)
    sets["trainval"] = tuple(
        np.concatenate(p) for p in zip(sets["train"], sets["val"], strict=True)
    )
    return sets


def _run_voc(sets, **kw):
    order = ("train", "val", "trainval", "test")
    args = [a for k in order for a in sets[k]]
    return train_voc_probe(*args, progress=False, **kw)


def test_voc_probe_separable_vs_random():
    good = _run_voc(_voc_sets(signal=4.0), class_names=["a", "b", "c"])
    assert good.map11 > 0.95 and good.map_area > 0.95
    assert set(good.chosen_cost) <= set(cost_grid())
    assert good.val_ap.shape == (16, 3) and good.test_scores.shape == (200, 3)
    assert list(good.to_frame()["class"]) == ["a", "b", "c"]
    rand = _run_voc(_voc_sets(signal=0.0))
    pos_rate = (_voc_sets(0.0)["test"][1] > 0).mean()
    assert abs(rand.map_area - pos_rate) < 0.15
    assert rand.map11 < good.map11 - 0.3


def test_voc_probe_shared_selection_and_threads():
    sets = _voc_sets(signal=1.0, seed=3)
    shared = _run_voc(sets, select="shared", grid=[1.0, 0.01, 1e-4])
    assert len(set(shared.chosen_cost)) == 1
    assert shared.chosen_cost[0] == [1.0, 0.01, 1e-4][shared.val_ap.mean(1).argmax()]
    one = _run_voc(sets, n_jobs=1)
    two = _run_voc(sets, n_jobs=2)
    assert np.array_equal(one.test_scores, two.test_scores)
    assert np.array_equal(one.chosen_cost, two.chosen_cost)


def test_row_space_projection_gives_the_same_svm():
    sets = _voc_sets(signal=1.0, seed=7, dim=150)  # 60 train rows < 150 dims: projection is used
    a, b = _run_voc(sets, project=True), _run_voc(sets, project=False)
    assert a.val_ap == pytest.approx(b.val_ap, abs=1e-6)
    assert np.array_equal(a.chosen_cost, b.chosen_cost)
    scale = np.abs(b.test_scores).max()
    assert np.abs(a.test_scores - b.test_scores).max() < 1e-3 * scale
    X, y = _blobs(n_classes=3, n_per=12, dim=80, spread=10.0, seed=2)  # CV acc varies with C
    splits = [(np.arange(0, 36, 2), np.arange(1, 36, 2))]
    sa = train_sun_probe(X, y, splits, progress=False, project=True)
    sb = train_sun_probe(X, y, splits, progress=False, project=False)
    assert np.array_equal(sa.cv_accuracy, sb.cv_accuracy)
    assert np.array_equal(sa.accuracy, sb.accuracy)


def test_voc_probe_difficult_rows_are_excluded():
    sets = _voc_sets(signal=1.0, seed=5)
    base = _run_voc(sets, grid=[0.5, 0.05])
    # extra training rows labelled difficult for every class: must not change any fit
    rng = np.random.default_rng(9)
    noisy = dict(sets)
    for name in ("train", "trainval"):
        X, Y = sets[name]
        junk = 50 * rng.standard_normal((10, X.shape[1]))
        noisy[name] = (np.vstack([X, junk]), np.vstack([Y, np.zeros((10, Y.shape[1]), np.int8)]))
    with_junk = _run_voc(noisy, grid=[0.5, 0.05])
    assert np.array_equal(base.test_scores, with_junk.test_scores)
    # difficult test rows are left out of the test AP
    Xte, Yte = sets["test"]
    Yd = Yte.copy()
    Yd[:20] = 0
    marked = _run_voc({**sets, "test": (Xte, Yd)}, grid=[0.5, 0.05])
    expected = per_class_ap(base.test_scores[20:], Yte[20:])
    assert marked.ap11 == pytest.approx(expected)


def test_voc_probe_rejects_class_without_positives():
    sets = _voc_sets(signal=1.0)
    X, Y = sets["val"]
    Y = Y.copy()
    Y[:, 1] = -1
    with pytest.raises(ValueError, match="'b' has no positive.*val"):
        _run_voc({**sets, "val": (X, Y)}, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="feature dimension"):
        _run_voc({**sets, "test": (sets["test"][0][:, :5], sets["test"][1])})


def _blobs(n_classes: int, n_per: int, dim: int, spread: float, seed: int):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((n_classes, dim))
    y = np.repeat(np.arange(n_classes), n_per)
    return centers[y] + spread * rng.standard_normal((len(y), dim)), y


def test_sun_probe_on_blobs():
    X, y = _blobs(n_classes=5, n_per=40, dim=12, spread=0.5, seed=0)
    rng = np.random.default_rng(1)
    splits = []
    for k in range(2):
        perm = rng.permutation(len(y))
        train, test = perm[:120], perm[120:]
        splits.append((sample_per_class(train, y, 12, seed=k), test))
    res = train_sun_probe(X, y, splits, progress=False)
    assert res.accuracy.shape == (2,) and res.mean_accuracy > 0.9
    assert set(res.chosen_cost) <= set(cost_grid())
    assert res.cv_accuracy.shape == (2, 16)
    # shuffled labels: chance level (1/5)
    y_rand = rng.permutation(y)
    chance = train_sun_probe(X, y_rand, [(np.arange(150), np.arange(150, 200))], progress=False)
    assert chance.mean_accuracy < 0.45


def test_sample_per_class():
    y = np.repeat(np.arange(4), 10)
    train = np.arange(0, 40, 1)
    a = sample_per_class(train, y, 3, seed=0)
    assert np.bincount(y[a]).tolist() == [3, 3, 3, 3]
    assert np.array_equal(a, sample_per_class(train, y, 3, seed=0))
    assert not np.array_equal(a, sample_per_class(train, y, 3, seed=1))
    with pytest.raises(ValueError, match="fewer than 11"):
        sample_per_class(train, y, 11, seed=0)


def test_sun_probe_rejects_too_few_per_class():
    X, y = _blobs(3, 2, 4, 0.5, 0)
    with pytest.raises(ValueError, match="fewer than the 3 CV folds"):
        train_sun_probe(X, y, [(np.arange(6), np.arange(6))], progress=False)


# ------------------------------------------------------------------------------------------------
# readers
# ------------------------------------------------------------------------------------------------

_XML = "<annotation><filename>{i}.jpg</filename>{objs}</annotation>"
_OBJ = "<object><name>{n}</name><difficult>{d}</difficult><bndbox/></object>"


def _write_voc(root: Path, per_class_files: bool = True) -> Path:
    """A 5-image VOC2007 under root/VOC2007 (train: 000001-3, val: 000004-5, test: 000006)."""
    voc = root / "VOC2007"
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        (voc / sub).mkdir(parents=True)
    objects = {
        "000001": [("dog", 0), ("cat", 1)],  # cat only difficult -> 0
        "000002": [("cat", 0), ("cat", 1)],  # difficult + plain -> +1
        "000003": [("person", 0)],
        "000004": [("dog", 1), ("person", 0), ("bird", 0)],
        "000005": [("cat", 0)],
        "000006": [("dog", 0)],
    }
    for i, objs in objects.items():
        body = "".join(_OBJ.format(n=n, d=d) for n, d in objs)
        (voc / "Annotations" / f"{i}.xml").write_text(_XML.format(i=i, objs=body))
        Image.new("RGB", (8, 8)).save(voc / "JPEGImages" / f"{i}.jpg")
    splits = {"train": ["000001", "000002", "000003"], "val": ["000004", "000005"]}
    splits["trainval"] = splits["train"] + splits["val"]
    splits["test"] = ["000006"]
    main = voc / "ImageSets" / "Main"
    for split, ids in splits.items():
        (main / f"{split}.txt").write_text("\n".join(ids) + "\n")
    if per_class_files:
        table = {"cat": [0, 1, -1], "dog": [1, -1, -1], "person": [-1, -1, 1]}
        for cls, vals in table.items():
            lines = [f"{i} {v:2d}" for i, v in zip(splits["train"], vals, strict=True)]
            (main / f"{cls}_train.txt").write_text("\n".join(lines) + "\n")
    return voc


def test_read_voc_labels_and_classes(tmp_path):
    voc = _write_voc(tmp_path)
    train = read_voc(voc, "train")
    assert train.classes == ["cat", "dog", "person"]  # from {cls}_train.txt
    assert train.image_ids == ["000001", "000002", "000003"]
    assert train.labels.dtype == np.int8
    assert train.labels.tolist() == [[0, 1, -1], [1, -1, -1], [-1, -1, 1]]
    assert train.image_paths[0] == voc / "JPEGImages" / "000001.jpg"
    # no per-class files for val: classes from the trainval annotations; root's parent accepted
    val = read_voc(tmp_path, "val")
    assert val.classes == ["bird", "cat", "dog", "person"]
    assert val.labels.tolist() == [[1, -1, 0, 1], [-1, 1, -1, -1]]
    test = read_voc(voc, "test", classes=["dog", "cat"])
    assert test.labels.tolist() == [[1, -1]]


def test_read_voc_errors(tmp_path):
    voc = _write_voc(tmp_path)
    with pytest.raises(FileNotFoundError, match="missing image set .*foo.txt"):
        read_voc(voc, "foo")
    (voc / "Annotations" / "000003.xml").unlink()
    with pytest.raises(FileNotFoundError, match="000003.xml.*JPEGImages"):
        read_voc(voc, "train")
    with pytest.raises(FileNotFoundError, match="missing folder .*nowhere/JPEGImages.*Annotations"):
        read_voc(tmp_path / "nowhere", "train")


def test_read_voc_per_class_file_must_agree(tmp_path):
    voc = _write_voc(tmp_path)
    (voc / "ImageSets/Main/dog_train.txt").write_text("000001 1\n000002 1\n000003 -1\n")
    with pytest.raises(ValueError, match="dog_train.txt gives 1 for image 000002"):
        read_voc(voc, "train")


def _write_sun(root: Path) -> Path:
    classes = ["/a/abbey", "/b/bakery/shop", "/b/beach"]
    root.mkdir()
    (root / "ClassName.txt").write_text("\n".join(classes) + "\n")
    for k, name_fmt in ((1, "{}_01.txt"), (2, "{}_2.txt")):
        for stem, n in (("Training", 2), ("Testing", 1)):
            lines = []
            for c in classes:
                for j in range(n):
                    rel = f"{c}/sun_{stem[:2]}{k}{j}.jpg"
                    (root / rel[1:]).parent.mkdir(parents=True, exist_ok=True)
                    Image.new("RGB", (8, 8)).save(root / rel[1:], format="JPEG")
                    lines.append(rel)
            (root / name_fmt.format(stem)).write_text("\n".join(lines) + "\n")
    return root


def test_read_sun(tmp_path):
    root = _write_sun(tmp_path / "SUN397")
    assert n_partitions(root) == 2
    p1 = read_sun(root, 1)
    assert p1.classes == ["/a/abbey", "/b/bakery/shop", "/b/beach"]
    assert p1.train_labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert p1.test_labels.tolist() == [0, 1, 2]
    assert p1.train_paths[2] == root / "b/bakery/shop/sun_Tr10.jpg"
    p2 = read_sun(root, 2)  # Training_2.txt spelling
    assert p2.test_paths[0] == root / "a/abbey/sun_Te20.jpg"


def test_read_sun_errors(tmp_path):
    root = _write_sun(tmp_path / "SUN397")
    with pytest.raises(FileNotFoundError, match="Training_03.txt"):
        read_sun(root, 3)
    with (root / "Testing_01.txt").open("a") as f:
        f.write("/z/zoo/sun_x.jpg\n")
    with pytest.raises(ValueError, match="Testing_01.txt:4.*no class"):
        read_sun(root, 1)
    (root / "ClassName.txt").unlink()
    with pytest.raises(FileNotFoundError, match="ClassName.txt"):
        read_sun(root, 2)


# ------------------------------------------------------------------------------------------------
# feature extraction
# ------------------------------------------------------------------------------------------------


class _TinyTrunk(nn.Module):
    """Stand-in for the project's models: conv-BN-ReLU, then max5 / pool5 / fc6."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2), nn.BatchNorm2d(4), nn.ReLU())
        self.pool = nn.AdaptiveMaxPool2d(3)
        self.fc6 = nn.Linear(4 * 3 * 3, 6)

    def forward_intermediates(self, x: torch.Tensor, layers: list[str]) -> dict:
        conv5 = self.conv(x)  # (B, 4, h, w)
        pool5 = self.pool(conv5)  # (B, 4, 3, 3)
        out = {"max5": conv5.amax((2, 3)), "pool5": pool5, "fc6": self.fc6(pool5.flatten(1))}
        return {k: v for k, v in out.items() if k in layers}


def _images(tmp_path: Path, n: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        arr = rng.integers(0, 255, size=(20 + i, 30, 3), dtype=np.uint8)
        paths.append(tmp_path / f"im{i}.jpg")
        Image.fromarray(arr).save(paths[-1])
    return paths


def test_extract_features_shapes_and_trunk_unchanged(tmp_path):
    torch.manual_seed(0)
    model = _TinyTrunk()
    model.train()
    with torch.no_grad():
        model.conv[1].running_mean.fill_(0.3)  # non-default BN statistics
    before = snapshot_state(model)
    paths = _images(tmp_path, 5)
    feats = extract_features(
        model,
        paths,
        ["max5", "pool5", "fc6"],
        input_size=16,
        resize_size=18,
        batch_size=2,
        progress=False,
    )
    assert {k: v.shape for k, v in feats.items()} == {
        "max5": (5, 4),
        "pool5": (5, 36),
        "fc6": (5, 6),
    }
    assert feats["fc6"].dtype == np.float32
    assert_trunk_unchanged(model, before)
    assert model.training  # mode restored
    # each row equals the image's features computed alone (batching does not mix images)
    alone = extract_features(model, paths[3:4], ["fc6"], 16, 18, progress=False)
    assert np.allclose(alone["fc6"][0], feats["fc6"][3], atol=1e-6)


def test_assert_trunk_unchanged_detects_bn_update():
    model = _TinyTrunk().train()
    before = snapshot_state(model)
    model.forward_intermediates(torch.randn(2, 3, 16, 16), ["max5"])  # train mode: BN stats move
    with pytest.raises(AssertionError, match="running_mean"):
        assert_trunk_unchanged(model, before)


def test_extract_features_errors(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_text("not an image")
    with pytest.raises(OSError, match="broken.jpg"):
        extract_features(_TinyTrunk(), [bad], ["fc6"], 16, 18, progress=False)
    with pytest.raises(KeyError, match="conv9"):
        extract_features(_TinyTrunk(), _images(tmp_path, 1), ["conv9"], 16, 18, progress=False)
