"""L3-Net Table 3: the linear probe of a two-stream model's vision subnet, its table and claim."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from torch import nn

from soundsight.models import build_model
from soundsight.papers.l3net.claims import l3net_claims, table3_claim
from soundsight.papers.l3net.tables import L3, L3_UNTRAINED, build_table3
from soundsight.probes.linear import sun_linear_probe, train_linear_classifier, vision_features
from soundsight.report.audit import run_audit

TINY = {"width": 0.0625, "input_size": 32, "audio_rate": 8000, "n_fft": 128}
COLOURS = {"/a/abbey": (220, 30, 30), "/b/beach": (30, 30, 220), "/f/forest": (30, 200, 30)}


def _l3(seed: int = 0) -> nn.Module:
    return build_model("l3_net", seed=seed, **TINY).eval()


def _sun(root: Path, n_train: int = 4, n_test: int = 3) -> Path:
    """One SUN partition of three colour-coded classes (noisy images of the class colour)."""
    rng = np.random.default_rng(0)
    root.mkdir()
    (root / "ClassName.txt").write_text("\n".join(COLOURS) + "\n")
    lists: dict[str, list[str]] = {"Training": [], "Testing": []}
    for cls, colour in COLOURS.items():
        for stem, n in (("Training", n_train), ("Testing", n_test)):
            for j in range(n):
                rel = f"{cls}/sun_{stem[:2]}{j}.jpg"
                pixels = np.clip(np.array(colour) + rng.normal(0, 20, (40, 40, 3)), 0, 255)
                (root / rel[1:]).parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(pixels.astype(np.uint8)).save(root / rel[1:], format="JPEG")
                lists[stem].append(rel)
    for stem, rels in lists.items():
        (root / f"{stem}_01.txt").write_text("\n".join(rels) + "\n")
    return root


def test_linear_classifier_separates_separable_classes_and_checks_its_arguments():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    X = np.eye(3)[y] * 5 + rng.normal(size=(60, 3))
    correct = train_linear_classifier(X[::2], y[::2], X[1::2], y[1::2], cost=1.0)
    assert correct.dtype == bool and correct.shape == (30,) and correct.all()
    with pytest.raises(ValueError, match="cost"):
        train_linear_classifier(X, y, X, y, cost=0.0)
    with pytest.raises(ValueError, match="two training classes"):
        train_linear_classifier(X[:5], np.zeros(5), X, y, cost=1.0)


def test_vision_features_are_the_pooled_map_of_the_image_stream(tmp_path):
    sun = _sun(tmp_path / "SUN397", n_train=1, n_test=1)
    paths = sorted(sun.rglob("*.jpg"))
    model = _l3()
    c4 = model.vision.out_channels
    X = vision_features(model, paths, "vision.conv4_2", (4, 4), batch_size=2)
    assert X.shape == (len(paths), 16 * c4) and X.dtype == np.float32 and (X >= 0).all()  # ReLU
    pooled = vision_features(model, paths, "vision.pool4", None, batch_size=5)
    assert pooled.shape == (len(paths), c4)
    # the global max of conv4_2 is the max over its 4 x 4 max-pooled cells
    np.testing.assert_allclose(X.reshape(len(paths), c4, 16).max(-1), pooled, rtol=1e-5)
    with pytest.raises(ValueError, match="not a map"):
        vision_features(model, paths, "vision.pool4", (2, 2))


def test_sun_linear_probe_writes_the_sun_probe_format(tmp_path):
    sun = _sun(tmp_path / "SUN397")
    summary, arrays = sun_linear_probe(
        _l3(), sun, "vision.conv4_2", (4, 4), train_per_class=4, cost=1.0, seed=0
    )
    layer = summary["layers"]["vision.conv4_2"]
    assert (
        set(arrays) == {"correct_vision.conv4_2_p1"}
        and len(arrays["correct_vision.conv4_2_p1"]) == 9
    )
    assert layer["mean_accuracy"] == pytest.approx(arrays["correct_vision.conv4_2_p1"].mean())
    assert layer["mean_accuracy"] > 1 / 3  # colour-coded classes: even random features see colour
    assert summary["classes"] == list(COLOURS) and summary["rejected_images"] == []


def _linear_folder(root: Path, accuracies: dict[str, np.ndarray]) -> Path:
    for model, correct in accuracies.items():
        (root / model).mkdir(parents=True)
        np.savez(root / model / "sun_predictions.npz", **{"correct_vision.conv4_2_p1": correct})
        summary = {"layers": {"vision.conv4_2": {"mean_accuracy": float(correct.mean())}}}
        (root / model / "sun.json").write_text(json.dumps(summary))
    return root


def test_table3_and_its_claim_read_the_linear_probes(tmp_path):
    rng = np.random.default_rng(0)
    linear = _linear_folder(
        tmp_path / "linear", {L3: rng.random(200) < 0.8, L3_UNTRAINED: rng.random(200) < 0.3}
    )
    _, frame = build_table3(linear, [L3, L3_UNTRAINED])
    cells = frame.set_index("model")
    assert cells.loc[L3, "replicated"] == pytest.approx(100 * 0.8, abs=8)
    assert cells.loc[L3, "published"] == 32.3 and cells.loc[L3_UNTRAINED, "published"] == 12.9
    assert "l3_beats_untrained_images" in {c.name for c in l3net_claims()}
    audit = run_audit([table3_claim()], {"probe_dir": linear}, n_boot=200, progress=False)
    assert dict(zip(audit["name"], audit["verdict"], strict=True)) == {
        "l3_beats_untrained_images": "holds"
    }
