"""Fine-tuning on VOC2007 (soundsight.eval.finetune): head only vs all layers, on a tiny VOC."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.eval.finetune import (
    MODES,
    FinetuneConfig,
    finetune,
    trainable_prefixes,
    training_targets,
)
from soundsight.models import build_model
from soundsight.models.registry import list_models
from soundsight.models.spec import write_spec
from soundsight.train.tasks import IGNORE, MaskedMultilabelTask, get_task

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLASSES = ("bird", "cat", "dog")
COLOURS = {"bird": (230, 40, 40), "cat": (40, 230, 40), "dog": (40, 40, 230)}
# Tiny registry models (others, e.g. ones added later, are built with their defaults).
TINY = {
    "caffenet_bn": {"width": 0.125, "input_size": 48},
    "caffenet_bn_cam": {"width": 0.125, "input_size": 48},
    "resnet18": {"input_size": 48},
    "vgg16": {"width": 0.0625, "input_size": 32},
}
CFG = FinetuneConfig(
    iterations=3, batch_size=4, lr=1e-2, device="cpu", num_threads=1, keep_weights=True
)

# ------------------------------------------------------------------------------------------------
# a tiny VOC2007: each class a coloured square; every class positive in every split
# ------------------------------------------------------------------------------------------------

_XML = "<annotation><filename>{i}.jpg</filename>{objs}</annotation>"
_OBJ = "<object><name>{n}</name><difficult>{d}</difficult></object>"


def _objects(k: int) -> list[tuple[str, int]]:
    """(class, difficult) of image k: one or two classes; every 5th second object difficult."""
    objs = [(CLASSES[k % 3], 0)]
    if k % 2:
        objs.append((CLASSES[(k + 1) % 3], int(k % 5 == 0)))
    return objs


def _write_image(path: Path, objs: list[tuple[str, int]], rng: np.random.Generator) -> None:
    pixels = rng.integers(90, 140, size=(56, 56, 3))
    for j, (name, _) in enumerate(objs):
        pixels[4 + 24 * j : 26 + 24 * j, 6:50] = COLOURS[name]
    Image.fromarray(pixels.astype(np.uint8)).save(path, quality=95)


def write_tiny_voc(root: Path, n_per_split: int = 6) -> Path:
    """VOC2007 under root: train/val/test of ``n_per_split`` images each, trainval = both."""
    voc = root / "VOC2007"
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        (voc / sub).mkdir(parents=True)
    rng = np.random.default_rng(0)
    splits: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    for k in range(3 * n_per_split):
        image_id = f"{k + 1:06d}"
        objs = _objects(k)
        body = "".join(_OBJ.format(n=n, d=d) for n, d in objs)
        (voc / "Annotations" / f"{image_id}.xml").write_text(_XML.format(i=image_id, objs=body))
        _write_image(voc / "JPEGImages" / f"{image_id}.jpg", objs, rng)
        splits[("train", "val", "test")[(k // 3) % 3]].append(image_id)  # all classes in each
    splits["trainval"] = sorted(splits["train"] + splits["val"])
    for split, ids in splits.items():
        (voc / "ImageSets" / "Main" / f"{split}.txt").write_text("\n".join(ids) + "\n")
    return voc


@pytest.fixture(scope="module")
def voc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_voc(tmp_path_factory.mktemp("voc"))


def _model_folder(folder: Path, name: str, seed: int = 0) -> Path:
    """A model folder (model.pt + model.json) of a freshly built 4-way registry model."""
    folder.mkdir(parents=True, exist_ok=True)
    model = build_model(name, num_outputs=4, seed=seed, **TINY[name])
    torch.save(model.state_dict(), folder / "model.pt")
    write_spec(folder / "model.json", name, 4, **TINY[name])
    return folder


def _run(voc: Path, tmp: Path, name: str, mode: str) -> tuple[dict, dict, dict]:
    """(summary, state before, state after) of one fine-tuning run."""
    folder = _model_folder(tmp / "model", name)
    before = torch.load(folder / "model.pt", weights_only=True)
    summary = finetune(folder / "model.pt", folder / "model.json", voc, mode, CFG, tmp / "out")
    (work,) = (tmp / "out").glob("work-*")
    after = torch.load(work / "model.pt", weights_only=True)
    return summary, before, after


def _outside(state: dict, prefixes: tuple[str, ...]) -> list[str]:
    return [k for k in state if not k.startswith(prefixes)]


# ------------------------------------------------------------------------------------------------
# head only vs all layers
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["caffenet_bn", "resnet18"])
def test_head_only_leaves_the_trunk_and_its_bn_buffers_bit_identical(voc, tmp_path, name):
    summary, before, after = _run(voc, tmp_path, name, "head")
    prefixes = tuple(summary["trainable"])
    frozen = _outside(before, prefixes)
    assert any("running_mean" in k for k in frozen) and any("num_batches" in k for k in frozen)
    for key in frozen:  # weights, BN affine parameters AND running statistics
        assert torch.equal(before[key], after[key]), key
    assert after["head.weight"].shape[0] == len(CLASSES)
    fresh = build_model(name, num_outputs=4, **TINY[name])
    fresh.reset_head(len(CLASSES), seed=CFG.seed)  # the head fine-tuning started from
    assert not torch.equal(after["head.weight"], fresh.head.weight)
    if name == "caffenet_bn":  # fc6/fc7 belong to the head: trained, their BN stats move
        assert not torch.equal(after["fc6.0.weight"], before["fc6.0.weight"])
        assert not torch.equal(after["fc7.1.running_mean"], before["fc7.1.running_mean"])


def test_all_layers_changes_the_trunk(voc, tmp_path):
    summary, before, after = _run(voc, tmp_path, "caffenet_bn", "all")
    assert summary["trainable"] == [] and summary["mode"] == "all"
    assert not torch.equal(after["conv1.0.weight"], before["conv1.0.weight"])
    assert not torch.equal(after["conv1.1.running_mean"], before["conv1.1.running_mean"])


def test_outputs_have_the_documented_keys(voc, tmp_path):
    summary, _, _ = _run(voc, tmp_path, "caffenet_bn", "head")
    on_disk = json.loads((tmp_path / "out" / "finetune.json").read_text())
    assert on_disk == summary
    for key in ("mode", "classes", "map11", "map_area", "ap11", "area_ap", "config", "seed",
                "timings", "train", "difficult", "trainable"):  # fmt: skip
        assert key in summary, key
    assert summary["classes"] == list(CLASSES) and set(summary["ap11"]) == set(CLASSES)
    assert 0.0 <= summary["map11"] <= 1.0 and 0.0 <= summary["map_area"] <= 1.0
    assert summary["map11"] == pytest.approx(np.mean(list(summary["ap11"].values())))
    assert summary["trainable"] == ["fc6.", "fc7.", "head."]
    assert summary["config"]["optimizer"] == "adamw" and summary["seed"] == CFG.seed
    assert {"train_s", "test_s", "wall_s"} <= set(summary["timings"])
    assert summary["n_images"] == {"trainval": 12, "val": 6, "test": 6}
    with np.load(tmp_path / "out" / "voc_scores.npz") as npz:
        assert npz["scores"].shape == (6, 3) and npz["labels"].shape == (6, 3)
        assert list(npz["classes"]) == list(CLASSES) and len(npz["image_ids"]) == 6
        assert set(np.unique(npz["labels"])) <= {-1, 0, 1}
    (work,) = (tmp_path / "out").glob("work-*")
    assert json.loads((work / "model.json").read_text())["num_outputs"] == 3
    assert not (work / "checkpoint.pt").exists()


def test_fine_tuned_weights_are_deleted_unless_kept(voc, tmp_path):
    folder = _model_folder(tmp_path / "model", "caffenet_bn")
    cfg = dataclasses.replace(CFG, keep_weights=False)
    summary = finetune(folder / "model.pt", folder / "model.json", voc, "head", cfg, tmp_path / "o")
    (work,) = (tmp_path / "o").glob("work-*")
    assert not (work / "model.pt").exists() and (work / "model.json").exists()
    assert (tmp_path / "o" / "voc_scores.npz").exists() and 0.0 <= summary["map11"] <= 1.0


def test_a_bad_mode_names_the_allowed_modes(voc, tmp_path):
    folder = _model_folder(tmp_path / "model", "caffenet_bn")
    with pytest.raises(ValueError, match=r"allowed modes: \['head', 'all'\]"):
        finetune(folder / "model.pt", folder / "model.json", voc, "fc8", CFG, tmp_path / "out")
    assert MODES == ("head", "all")


def test_a_model_folder_without_model_json_fails_clearly(voc, tmp_path):
    folder = _model_folder(tmp_path / "model", "caffenet_bn")
    (folder / "model.json").unlink()
    with pytest.raises(FileNotFoundError, match="model.json"):
        finetune(folder / "model.pt", folder / "model.json", voc, "all", CFG, tmp_path / "out")


def test_unknown_config_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown finetune config key"):
        FinetuneConfig.from_dict({"iterations": 2, "momentun": 0.9})


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_declares_existing_head_layers(name):
    model = build_model(name, num_outputs=3, **TINY.get(name, {}))
    prefixes = trainable_prefixes(model, "head")
    assert "head." in prefixes
    assert trainable_prefixes(model, "all") == ()
    trunk = [n for n, _ in model.named_parameters() if not n.startswith(prefixes)]
    assert trunk, "the head must not be the whole model"


def test_a_model_without_head_layers_cannot_train_its_head_only():
    with pytest.raises(ValueError, match="declares no `head_layers`"):
        trainable_prefixes(nn.Linear(2, 2), "head")


# ------------------------------------------------------------------------------------------------
# difficult labels: ignored in training
# ------------------------------------------------------------------------------------------------


def test_difficult_only_labels_become_ignored_targets():
    labels = np.array([[1, -1, 0], [-1, 1, 1]], dtype=np.int8)
    expected = np.array([[1, 0, IGNORE], [0, 1, 1]], dtype=np.float32)
    np.testing.assert_array_equal(training_targets(labels), expected)


def test_masked_multilabel_loss_and_metrics_skip_ignored_entries():
    task = get_task("masked_multilabel")
    assert isinstance(task, MaskedMultilabelTask)
    logits = torch.tensor([[2.0, -1.0, 5.0], [-3.0, 0.5, 1.0]])
    targets = torch.tensor([[1.0, 0.0, IGNORE], [0.0, IGNORE, 1.0]])
    keep = targets != IGNORE
    bce = nn.functional.binary_cross_entropy_with_logits(logits[keep], targets[keep])
    assert task.loss(logits, targets).item() == pytest.approx(bce.item())
    full = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    assert task.loss(logits, full).item() == pytest.approx(get_task("multilabel").loss(
        logits, full).item())  # fmt: skip
    m = task.metrics(logits, targets, train_targets=targets.numpy())
    assert m["bit_accuracy"] == [1.0, 1.0, 1.0] and m["n_ignored"] == 2
    task.check_targets(targets.numpy(), "set")
    with pytest.raises(ValueError, match="outside"):
        task.check_targets(np.full((2, 3), 0.5, np.float32), "set")


# ------------------------------------------------------------------------------------------------
# the workflow rule
# ------------------------------------------------------------------------------------------------


def test_dry_run_of_the_finetune_rule_builds_the_random_model_first(tmp_path):
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    target = f"{tmp_path}/finetune/random/head/finetune.json"
    out = subprocess.run(
        [str(BIN / "snakemake"), "-n", target, "--configfile", "presets/smoke.yaml",
         "--config", f"results={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    pairs = (line.split() for line in out.stdout.splitlines())
    jobs = {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}
    assert jobs["finetune_voc"] == 1 and jobs["init_baseline"] == 1
    assert "train_pretext" not in jobs


def test_checkpoint_interval_defaults_to_a_quarter_and_can_be_set():
    assert FinetuneConfig(iterations=40).checkpoint_interval() == 10
    assert FinetuneConfig(iterations=3).checkpoint_interval() == 1
    assert FinetuneConfig(iterations=40, checkpoint_every=0).checkpoint_interval() == 0
    cfg = FinetuneConfig.from_dict({"iterations": 8, "checkpoint_every": 0})
    spec = {"name": "caffenet_bn", "kwargs": {"input_size": 64, "width": 0.125}}
    assert cfg.train_config(spec, ()).checkpoint_every == 0
