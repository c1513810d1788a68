"""Workflow entry points: training config mapping, run keys, model folders, probe helpers."""

import json
from pathlib import Path

import pytest
import torch
import yaml

from soundsight.models.spec import load_trained, write_spec
from soundsight.probes.run import resize_for
from soundsight.train.run import model_kwargs, run_init, run_key, train_config

ROOT = Path(__file__).resolve().parents[1]
PRETEXT = yaml.safe_load((ROOT / "config.yaml").read_text())["pretext"]


def test_train_config_follows_the_pretext_section():
    cfg = train_config(PRETEXT, seed=7, threads=1)
    assert cfg.iterations == PRETEXT["iterations"] and cfg.seed == 7
    assert cfg.model_kwargs == {"width": PRETEXT["width"]}
    assert cfg.decode == PRETEXT["decode"] == "auto"
    assert tuple(cfg.lr_steps) == tuple(PRETEXT["lr_steps"])


def test_run_key_changes_with_config_and_with_labels(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("frame_id,label\na,1\n")
    cfg = train_config(PRETEXT, seed=0)
    key = run_key(cfg, [labels])
    assert key == run_key(train_config(PRETEXT, seed=0), [labels])
    assert key != run_key(train_config(PRETEXT, seed=1), [labels])
    labels.write_text("frame_id,label\na,2\n")
    assert key != run_key(cfg, [labels])


def test_resize_keeps_the_papers_256_to_227_ratio():
    assert resize_for(227) == 256
    assert resize_for(112) == 126


@pytest.mark.parametrize("method", ["random", "kmeans"])
def test_init_baseline_writes_a_loadable_model_folder(tmp_path, method):
    kwargs = {"width": 0.125, "input_size": 48}
    images = torch.rand(16, 3, 48, 48)
    metrics = run_init(method, images, "caffenet_bn", 4, kwargs, seed=0, out_dir=tmp_path)
    assert metrics["method"] == method and metrics["n_images"] == 16
    model = load_trained(tmp_path / "model.pt")
    assert not model.training
    assert model(torch.rand(2, 3, 48, 48)).shape == (2, 4)
    spec = json.loads((tmp_path / "model.json").read_text())
    assert spec == {"name": "caffenet_bn", "num_outputs": 4, "kwargs": kwargs}


def test_load_trained_needs_the_spec(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="model.json"):
        load_trained(tmp_path / "model.pt")


def test_spec_roundtrip_rebuilds_the_same_architecture(tmp_path):
    write_spec(tmp_path / "model.json", "caffenet_bn", 3, **model_kwargs(PRETEXT))
    spec = json.loads((tmp_path / "model.json").read_text())
    assert spec["kwargs"] == {"width": PRETEXT["width"], "input_size": PRETEXT["input_size"]}
