"""The model sheet (soundsight.sheet, config/models.tsv): checks that name the row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from soundsight.config import load_schema, validate_config
from soundsight.sheet import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    SheetError,
    config_value,
    load_models,
    read_model_sheet,
    requirement_met,
    resolve_models,
)

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "config" / "models.tsv"
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "models.schema.yaml"
SCHEMA = yaml.safe_load(SCHEMA_PATH.read_text())
ARCHS = ("caffenet_bn", "caffenet_bn_cam", "resnet18", "alexnet")
CORPORA = ("videos", "audioset")
BASE = {
    "name": "m",
    "papers": "owens2018",
    "corpus": "videos",
    "architecture": "caffenet_bn",
    "task": "cluster",
    "targets": "clusters_k{k}",
    "k": "4",
    "optimizer": "sgd",
    "schedule": "step",
    "iterations": "",
    "requires": "",
    "description": "a model",
}
CONFIG = {
    "labels": {"k": [4, 8]},
    "figure11": {"k": [2, 4], "iterations": 5},
    "sources": {"videos": "world"},
    "table5": {"annotations": False},
}


def write_sheet(path: Path, *rows: dict[str, str], comment: bool = True) -> Path:
    """A sheet of ``rows`` (each BASE with some cells changed) under a comment line."""
    lines = ["# a comment"] if comment else []
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join({**BASE, **row}[c] for c in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def read(path: Path):
    return read_model_sheet(path, SCHEMA, ARCHS, CORPORA)


def resolve(path: Path, config=CONFIG, fixed=None):
    return resolve_models(read(path), config, fixed)


def test_template_row_makes_one_model_per_config_value(tmp_path):
    sheet = write_sheet(
        tmp_path / "m.tsv",
        {"name": "sound_cluster", "k": "$labels.k[0]"},
        {"name": "sweep_k{k}", "k": "$figure11.k", "iterations": "$figure11.iterations"},
    )
    models = resolve(sheet)
    assert list(models) == ["sound_cluster", "sweep_k2", "sweep_k4"]
    assert models["sound_cluster"].targets == "clusters_k4"
    assert models["sound_cluster"].n_classes == 4 and models["sound_cluster"].iterations is None
    assert models["sweep_k2"].targets == "clusters_k2" and models["sweep_k2"].n_classes == 2
    assert models["sweep_k2"].iterations == 5


def test_blank_cells_fall_back_to_the_pretext_config(tmp_path):
    sheet = write_sheet(
        tmp_path / "m.tsv",
        {"task": "code", "targets": "codes_binary", "k": "", "architecture": "", "optimizer": ""},
    )
    m = resolve(sheet)["m"]
    assert (m.architecture, m.optimizer, m.schedule, m.iterations) == (None, None, "step", None)
    assert m.n_classes is None and m.k is None


def test_requires_gate_models_but_keep_them_known(tmp_path):
    sheet = write_sheet(
        tmp_path / "m.tsv",
        {"name": "scene", "targets": "world_scene", "k": "", "requires": "sources.videos=world"},
        {"name": "annotations", "task": "code", "targets": "annotations", "k": "",
         "requires": "table5.annotations"},
    )  # fmt: skip
    models = resolve(sheet, fixed={"world_scene": 8})
    assert models["scene"].enabled and models["scene"].n_classes == 8
    assert not models["annotations"].enabled
    real = {**CONFIG, "sources": {"videos": "/data/clips.csv"}}
    assert not resolve(sheet, real, {"world_scene": 8})["scene"].enabled


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"architecture": "alexnett"}, "architecture", "not a registered architecture"),
        ({"task": "regress"}, "task", "is not one of"),
        ({"corpus": "kinetics"}, "corpus", "not a corpus"),
        ({"optimizer": "adam"}, "optimizer", "is not one of"),
        ({"k": "four"}, "k", "malformed; expected Number of clusters"),
        ({"k": ""}, "k", "needs a k"),
        ({"task": "init", "targets": "clusters_k{k}"}, "targets", "is not one of"),
        ({"task": "init", "targets": "random"}, "optimizer", "must be blank for task init"),
        ({"task": "code", "targets": "codes_binary"}, "k", "uses k only"),
        ({"targets": "random"}, "targets", "'random' is not allowed for task cluster"),
    ],
)
def test_bad_cell_names_the_line_model_and_column(tmp_path, row, column, message):
    sheet = write_sheet(tmp_path / "m.tsv", {"name": "ok"}, {"name": "bad", **row})
    with pytest.raises(SheetError, match=message) as err:
        read(sheet)
    assert f"m.tsv line 4 (bad), column `{column}`" in str(err.value)


def test_duplicate_names_are_an_error_before_and_after_expansion(tmp_path):
    sheet = write_sheet(tmp_path / "a.tsv", {"name": "twin"}, {"name": "twin"})
    with pytest.raises(SheetError, match=r"line 4 \(twin\), column `name`: duplicate.*line 3"):
        read(sheet)
    sheet = write_sheet(
        tmp_path / "b.tsv", {"name": "sweep_k2"}, {"name": "sweep_k{k}", "k": "$figure11.k"}
    )
    with pytest.raises(SheetError, match=r"line 4 \(sweep_k\{k\}\).*'sweep_k2'.*line 3"):
        resolve(sheet)


def test_config_references_must_exist_and_lists_need_a_placeholder(tmp_path):
    with pytest.raises(SheetError, match=r"column `iterations`: no config key 'figure12.iter'"):
        resolve(write_sheet(tmp_path / "a.tsv", {"iterations": "$figure12.iter"}))
    with pytest.raises(SheetError, match=r"column `k`: \$figure11.k is a list"):
        resolve(write_sheet(tmp_path / "b.tsv", {"k": "$figure11.k"}))
    with pytest.raises(SheetError, match=r"column `requires`: no config key 'audioset.on'"):
        resolve(write_sheet(tmp_path / "c.tsv", {"requires": "audioset.on"}))
    with pytest.raises(SheetError, match=r"column `k`: .* needs k"):
        resolve(write_sheet(tmp_path / "d.tsv", {"targets": "world_scene", "k": ""}))


def test_header_and_row_shape_are_checked(tmp_path):
    path = tmp_path / "m.tsv"
    path.write_text("name\tpapers\n")
    with pytest.raises(SheetError, match=r"line 1: header .* lacks \['corpus'"):
        read(path)
    write_sheet(path, {}, comment=False)
    path.write_text(path.read_text() + "short\trow\n")
    with pytest.raises(SheetError, match=r"line 3: 2 tab-separated cells, the header has 12"):
        read(path)


def test_config_value_and_requirements():
    cfg = {"a": {"b": [3, 4], "on": True, "src": "world"}}
    assert config_value(cfg, "a.b") == [3, 4] and config_value(cfg, "a.b[1]") == 4
    with pytest.raises(KeyError):
        config_value(cfg, "a.b[2]")
    assert requirement_met(cfg, "a.on") and requirement_met(cfg, "a.src=world")
    assert not requirement_met(cfg, "a.src=/data")


def test_the_project_sheet_is_the_owens_catalogue_under_the_default_config():
    """config/models.tsv reproduces the catalogue that common.smk held as Python dicts."""
    from soundsight.models import list_models
    from soundsight.world import SCENE_NAMES

    defaults = yaml.safe_load((ROOT / "config.yaml").read_text())
    config = validate_config(defaults, load_schema(ROOT / "workflow/schemas/config.schema.yaml"))
    models = load_models(
        SHEET, SCHEMA_PATH, config, list_models(), CORPORA, {"world_scene": len(SCENE_NAMES)}
    )
    got = {n: (m.task, m.targets, m.n_classes, m.architecture, m.iterations, m.corpus)
           for n, m in models.items() if m.enabled and "owens2018" in m.papers}  # fmt: skip
    cluster = ("cluster", "clusters_k30", 30, "caffenet_bn", None, "videos")
    sweep = {
        f"sweep_k{k}": ("cluster", f"clusters_k{k}", k, "caffenet_bn", 80, "videos")
        for k in (2, 5, 10, 30, 60, 120)
    }
    assert got == {
        "sound_cluster": cluster,
        "sound_binary": ("code", "codes_binary", None, "caffenet_bn", None, "videos"),
        "sound_spectrum": ("code", "codes_spectrum", None, "caffenet_bn", None, "videos"),
        "texton_cnn": ("cluster", "textons_k30", 30, "caffenet_bn", None, "videos"),
        "sound_cluster_cam": (*cluster[:3], "caffenet_bn_cam", None, "videos"),
        **sweep,
        "object": ("code", "world_objects", None, "caffenet_bn", None, "videos"),
        "scene": ("cluster", "world_scene", len(SCENE_NAMES), "caffenet_bn", None, "videos"),
        "annotations": ("code", "annotations", None, "caffenet_bn", None, "videos"),
        "audioset_cluster": ("cluster", "clusters_k30", 30, "caffenet_bn", None, "audioset"),
        "random": ("init", "random", 30, "caffenet_bn", None, "videos"),
        "kmeans": ("init", "kmeans", 30, "caffenet_bn", None, "videos"),
    }
    owens = [m for m in models.values() if "owens2018" in m.papers]
    trained = [m for m in owens if m.task != "init"]
    assert {(m.optimizer, m.schedule) for m in trained} == {("sgd", "step")}
    assert all(m.papers[0] == "owens2018" for m in owens)
    assert all((m.input_size, m.batch_size, m.lr) == (None,) * 3 for m in owens)  # pretext's


def test_optional_training_columns_override_the_pretext_config(tmp_path):
    """input_size, batch_size and lr: absent from a header or blank = pretext's; else a value
    or a config key (the student's AlexNet at its own size and AdamW learning rate)."""
    assert read(write_sheet(tmp_path / "old.tsv", {}))[0].cells["input_size"] == ""
    path = tmp_path / "m.tsv"
    header = [*COLUMNS, *OPTIONAL_COLUMNS]
    rows = [
        {**BASE, "name": "plain", "input_size": "", "batch_size": "", "lr": "", "pairs": ""},
        {
            **BASE,
            "name": "big",
            "input_size": "$student.size",
            "batch_size": "16",
            "lr": "1e-3",
            "pairs": "",
        },
    ]
    rows = [{"divergence": "", **r} for r in rows]
    lines = ["\t".join(header), *("\t".join(r[c] for c in header) for r in rows)]
    path.write_text("\n".join(lines) + "\n")
    config = {**CONFIG, "student": {"size": 64}}
    models = resolve(path, config)
    assert (models["plain"].input_size, models["plain"].batch_size, models["plain"].lr) == (
        None, None, None,
    )  # fmt: skip
    assert (models["big"].input_size, models["big"].batch_size, models["big"].lr) == (64, 16, 1e-3)
    config["student"]["zero"] = 0
    for cell, message in (("$student.zero", "not a positive"), ("$student.none", "no config key")):
        path.write_text(path.read_text().replace("$student.size", cell, 1))
        with pytest.raises(SheetError, match=rf"\(big\), column `input_size`: .*{message}"):
            resolve(path, config)
        path.write_text(path.read_text().replace(cell, "$student.size", 1))
    path.write_text(path.read_text().replace("1e-3", "fast"))
    with pytest.raises(SheetError, match=r"\(big\), column `lr`: 'fast' is malformed"):
        read(path)


def test_the_project_sheet_has_the_student_rows():
    """Paper `student`: AlexNet and ResNet-18 per k of the sweep, the MFCC AlexNet at
    student.k, all AdamW + OneCycle at the student's size, iterations, batch and lr."""
    from soundsight.models import list_models
    from soundsight.world import SCENE_NAMES

    defaults = yaml.safe_load((ROOT / "config.yaml").read_text())
    config = validate_config(defaults, load_schema(ROOT / "workflow/schemas/config.schema.yaml"))
    models = load_models(
        SHEET, SCHEMA_PATH, config, list_models(), CORPORA, {"world_scene": len(SCENE_NAMES)}
    )
    student = config["student"]
    ks = student["sweep_k"]
    own = {n: m for n, m in models.items() if m.papers == ("student",)}
    assert set(own) == {
        *(f"student_alexnet_k{k}" for k in ks),
        *(f"student_resnet18_k{k}" for k in ks),
        f"student_alexnet_mfcc_k{student['k']}",
    }
    assert student["k"] in ks
    for name, m in own.items():
        assert m.enabled and m.task == "cluster" and m.corpus == "videos"
        assert (m.optimizer, m.schedule) == ("adamw", "onecycle")
        assert (m.iterations, m.input_size) == (student["iterations"], student["input_size"])
        assert (m.batch_size, m.lr) == (student["batch_size"], student["lr"])
        assert m.architecture == ("resnet18" if "resnet18" in name else "alexnet")
        assert m.targets == (f"clusters_mfcc_k{m.k}" if "mfcc" in name else f"clusters_k{m.k}")
    shared = ("object", "random", "sound_cluster")  # Table 1's other rows are Owens models
    assert all(models[n].papers == ("owens2018", "student") for n in shared)


def test_divergence_column_is_for_distillation_rows_only(tmp_path):
    header = [*COLUMNS, "divergence"]
    student = {
        **BASE, "name": "s", "architecture": "", "task": "distillation",
        "targets": "teachers_both", "k": "", "divergence": "l2",
    }  # fmt: skip
    path = tmp_path / "m.tsv"
    path.write_text("\t".join(header) + "\n" + "\t".join(student[c] for c in header) + "\n")
    assert resolve(path, CONFIG)["s"].divergence == "l2"
    wrong = {**BASE, "divergence": "kl"}
    path.write_text("\t".join(header) + "\n" + "\t".join(wrong[c] for c in header) + "\n")
    with pytest.raises(SheetError, match="divergence"):
        resolve(path, CONFIG)
