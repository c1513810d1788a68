"""Correspondence rows of the model sheet, the `avc` config section and the workflow's AVC
helpers (soundsight.train.avc): pair settings, `avc` overrides, per-pair held-out ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from soundsight.config import avc_overrides, load_schema, validate_config
from soundsight.sheet import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    SheetError,
    load_models,
    read_model_sheet,
    resolve_models,
)
from soundsight.train.avc import (
    avc_pairs,
    heldout_pair_ids,
    pair_config,
    write_avc_pairs,
)
from soundsight.train.run import model_kwargs

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "config" / "models.tsv"
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "models.schema.yaml"
SCHEMA = yaml.safe_load(SCHEMA_PATH.read_text())
ARCHS = ("caffenet_bn", "l3_net", "ave_net")
BASE = {
    "name": "m", "papers": "owens2018", "corpus": "videos", "architecture": "caffenet_bn",
    "task": "cluster", "targets": "clusters_k{k}", "k": "4", "optimizer": "sgd",
    "schedule": "step", "iterations": "", "requires": "", "description": "a model",
}  # fmt: skip
CONFIG_SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
AVC_ROW = {
    "name": "l3", "papers": "l3net;objects_sound", "architecture": "l3_net",
    "task": "correspondence", "targets": "split", "k": "", "optimizer": "adamw",
    "schedule": "", "input_size": "", "batch_size": "", "lr": "", "pairs": "",
}  # fmt: skip


def write_rows(path: Path, *rows: dict[str, str]) -> Path:
    """A sheet with every optional column (``pairs`` included)."""
    header = [*COLUMNS, *OPTIONAL_COLUMNS]
    full = [{**{c: "" for c in OPTIONAL_COLUMNS}, **BASE, **r} for r in rows]
    path.write_text(
        "\n".join(["\t".join(header), *("\t".join(r[c] for c in header) for r in full)])
    )
    return path


def read(path: Path):
    return read_model_sheet(path, SCHEMA, ARCHS, ("videos",))


def config(preset: str | None = None) -> dict:
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    if preset:
        for key, value in yaml.safe_load((ROOT / preset).read_text()).items():
            cfg[key] = {**cfg.get(key, {}), **value} if isinstance(value, dict) else value
    return validate_config(cfg, load_schema(CONFIG_SCHEMA))


def project_models(cfg: dict) -> dict:
    from soundsight.models import list_models
    from soundsight.world import SCENE_NAMES

    return load_models(
        SHEET, SCHEMA_PATH, cfg, list_models(), ("videos", "audioset"),
        {"world_scene": len(SCENE_NAMES)},
    )  # fmt: skip


def test_correspondence_rows_take_a_sampler_and_no_k(tmp_path):
    sheet = write_rows(
        tmp_path / "m.tsv",
        {"name": "plain"},
        AVC_ROW,
        {**AVC_ROW, "name": "l3_naive", "pairs": "naive"},
        {**AVC_ROW, "name": "ave", "architecture": "ave_net", "pairs": "aligned"},
    )
    models = resolve_models(read(sheet), {})
    assert models["plain"].pairs is None and models["plain"].n_classes == 4
    assert [models[n].pairs for n in ("l3", "l3_naive", "ave")] == ["aligned", "naive", "aligned"]
    assert models["l3"].task == "correspondence" and models["l3"].n_classes is None
    assert models["l3"].papers == ("l3net", "objects_sound") and models["l3"].k is None
    for row, column, message in (
        ({**AVC_ROW, "k": "2"}, "k", "must be blank for task correspondence"),
        ({**AVC_ROW, "pairs": "shuffled"}, "pairs", "'shuffled' is not one of"),
        ({"name": "c", "pairs": "naive"}, "pairs", "must be blank for task cluster"),
    ):
        bad = write_rows(tmp_path / "bad.tsv", row)
        with pytest.raises(SheetError, match=rf"column `{column}`: .*{message}"):
            read(bad)


def test_the_project_sheet_has_the_five_avc_models_gated_by_avc_enabled():
    off = project_models(config())
    avc = {n: m for n, m in off.items() if m.task == "correspondence"}
    assert set(avc) == {"l3", "l3_naive", "ave", "ave_naive", "avol"}
    assert not any(m.enabled for m in avc.values())  # make run's budget: avc.enabled false
    cfg = config("presets/smoke.yaml")
    on = project_models(cfg)
    for name, m in ((n, on[n]) for n in avc):
        assert m.enabled and m.requires == ("avc.enabled",) and m.targets == "split"
        arch = {"ave": "ave_net", "avo": "avol_net"}.get(name[:3], "l3_net")
        assert m.architecture == arch
        assert m.pairs == ("naive" if name.endswith("_naive") else "aligned")
        assert (m.optimizer, m.iterations, m.input_size) == (
            "adamw", cfg["avc"]["iterations"], cfg["avc"]["input_size"],
        )  # fmt: skip
        assert (m.batch_size, m.lr) == (cfg["avc"]["batch_size"], cfg["avc"]["lr"])
    assert on["l3"].papers == ("l3net", "objects_sound")
    assert all(on[n].papers == ("objects_sound",) for n in ("l3_naive", "ave", "ave_naive"))
    # the other rows are untouched by the new column
    assert all(m.pairs is None for n, m in on.items() if n not in avc)


def test_avc_config_defaults_and_presets():
    default, smoke, paper = config(), config("presets/smoke.yaml"), config("presets/paper.yaml")
    assert default["avc"]["enabled"] is False and smoke["avc"]["enabled"] is True
    assert default["avc"]["pairs"] == {"fps": None, "max_misalign_s": 0.5, "gain": 0.1}
    assert (default["avc"]["lr"], default["avc"]["weight_decay"]) == (1e-4, 1e-5)
    assert (paper["avc"]["audio_rate"], paper["avc"]["n_fft"], paper["avc"]["input_size"]) == (
        48000, 512, 224,
    )  # fmt: skip
    assert smoke["avc"]["iterations"] <= 10 and smoke["avc"]["audio_rate"] == 8000
    bad = yaml.safe_load((ROOT / "config.yaml").read_text())
    bad["avc"]["pairs"]["max_misalign_s"] = 0.7
    with pytest.raises(Exception, match="max_misalign_s"):
        validate_config(bad, load_schema(CONFIG_SCHEMA))


def test_pair_config_from_the_sampler_and_the_world_fps():
    pairs = {"fps": None, "max_misalign_s": 0.25, "gain": 0.05}
    aligned = pair_config(pairs, "aligned", world_fps=5)
    assert (aligned.shortcut_prevention, aligned.fps) == (True, 5.0)
    assert (aligned.max_misalign_s, aligned.gain, aligned.clip_s) == (0.25, 0.05, 1.0)
    naive = pair_config({**pairs, "fps": 30}, "naive", world_fps=5)
    assert (naive.shortcut_prevention, naive.fps) == (False, 30.0)  # an explicit fps wins
    with pytest.raises(ValueError, match="avc.pairs.fps"):
        pair_config(pairs, "aligned", world_fps=None)
    with pytest.raises(ValueError, match="unknown pair sampler 'shuffled'"):
        pair_config(pairs, "shuffled", world_fps=5)


def test_avc_overrides_reach_only_the_models_that_take_them():
    avc = config()["avc"]
    over = avc_overrides(avc)
    assert "enabled" not in over and "pairs" not in over
    assert (over["audio_rate"], over["n_fft"], over["weight_decay"]) == (16000, 256, 1e-5)
    pretext = {**config()["pretext"], **over}
    assert model_kwargs({**pretext, "model": "l3_net"}) == {
        "width": 0.125, "input_size": 48, "audio_rate": 16000, "n_fft": 256,
    }  # fmt: skip
    # a CaffeNet never sees the audio options (and `pretext` itself has none)
    assert model_kwargs({**pretext, "model": "caffenet_bn"}) == {"width": 0.125, "input_size": 48}
    assert "audio_rate" not in config()["pretext"]


def test_heldout_pairs_get_frame_ids_in_the_sampler_order(tmp_path):
    split = tmp_path / "split.csv"
    pd.DataFrame(
        {"frame_id": ["007", "a", "b", "c"], "split": ["test", "train", "test", "train"]}
    ).to_csv(split, index=False)
    assert heldout_pair_ids(split).tolist() == ["007:pos", "007:neg", "b:pos", "b:neg"]
    heldout = {"score": np.array([1.0, 0.0, 0.0, 1.0]), "loss": np.zeros(4)}
    pairs = avc_pairs(heldout, split)
    assert pairs["correct"].tolist() == [True, False, False, True]
    assert pairs["label"].tolist() == [1, 0, 1, 0]
    np.savez(tmp_path / "heldout.npz", **heldout)
    assert write_avc_pairs(tmp_path / "heldout.npz", split, tmp_path / "m/avc.npz") == 0.5
    with np.load(tmp_path / "m/avc.npz") as z:
        assert z["pair_ids"].tolist()[0] == "007:pos" and z["correct"].sum() == 2
    with pytest.raises(ValueError, match="6 held-out pairs but .* gives 4"):
        avc_pairs({"score": np.ones(6)}, split)
