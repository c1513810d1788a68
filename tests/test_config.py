"""Config validation: defaults filled, errors name the offending key."""

from pathlib import Path

import pytest
import yaml

from soundsight.config import (
    ConfigError,
    audioset_world,
    check_sources,
    corpora,
    load_schema,
    validate_config,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")


def _default():
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_default_config_and_presets_validate():
    validate_config(_default(), SCHEMA)
    for preset in (ROOT / "presets").glob("*.yaml"):
        cfg = _default()
        for key, val in yaml.safe_load(preset.read_text()).items():
            cfg[key] = {**cfg.get(key, {}), **val} if isinstance(val, dict) else val
        validate_config(cfg, SCHEMA)


def test_defaults_are_filled_from_schema():
    cfg = validate_config({}, SCHEMA)
    assert cfg["ingest"]["frames_per_video"] == 10
    assert cfg["labels"]["k"] == [30]
    assert cfg["sources"]["videos"] == "world"


def test_every_schema_key_has_description_and_default():
    def walk(node, path):
        for key, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{path}{key} has no description"
            assert "default" in sub, f"{path}{key} has no default"
            walk(sub, f"{path}{key}.")

    walk(SCHEMA, "")


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"ingest": {"shard_size": 0}}, "ingest.shard_size"),
        ({"world": {"n_videos": "many"}}, "world.n_videos"),
        ({"labels": {"group_scaling": "sqrt"}}, "labels.group_scaling"),
        ({"labels": {"kk": [3]}}, "labels.kk"),
        ({"world": {"duration_s": 2.0}}, "world.duration_s"),
        ({"world": {"scene_weights": {"beach": -1}}}, "world.scene_weights.beach"),
        ({"audioset": {"world": {"n_videoz": 3}}}, "audioset.world"),
        ({"audioset": {"world": {"duration_s": 2.0}}}, "audioset.world"),
        ({"audioset": {"cluster_k": 900}}, "audioset.cluster_k"),
        ({"download": {"datasets": ["imagenet"]}}, "download.datasets"),
    ],
)
def test_errors_name_the_key(patch, key):
    with pytest.raises(ConfigError, match=rf"`{key}`"):
        validate_config(patch, SCHEMA)


def test_missing_dataset_path_names_key_path_and_layout(tmp_path):
    cfg = validate_config({"sources": {"voc2007": str(tmp_path / "nope")}}, SCHEMA)
    with pytest.raises(ConfigError, match=r"`sources.voc2007`.*nope.*JPEGImages"):
        check_sources(cfg)
    (tmp_path / "VOC2007" / "JPEGImages").mkdir(parents=True)
    cfg["sources"]["voc2007"] = str(tmp_path / "VOC2007")
    with pytest.raises(ConfigError, match="Annotations"):
        check_sources(cfg)
    check_sources(validate_config({}, SCHEMA))  # the world needs no paths


def test_audioset_source_is_checked_only_when_enabled(tmp_path):
    cfg = validate_config({"sources": {"audioset": str(tmp_path / "clips")}}, SCHEMA)
    with pytest.raises(ConfigError, match=r"`sources.audioset`.*clips"):
        check_sources(cfg)
    cfg["audioset"]["enabled"] = False
    check_sources(cfg)


def test_corpora_map_each_corpus_to_its_source_world_and_seed():
    cfg = validate_config({"seed": 3, "sources": {"audioset": "/data/clips.csv"}}, SCHEMA)
    found = corpora(cfg)
    assert list(found) == ["videos", "audioset"]
    first, second = found["videos"], found["audioset"]
    assert first.is_world and first.enabled and first.world == cfg["world"]
    assert first.world_seed == 3
    assert second.source == "/data/clips.csv" and not second.is_world
    assert second.world == audioset_world(cfg) != cfg["world"]
    assert second.world_seed == 3 + cfg["audioset"]["seed_offset"]
    cfg["audioset"]["enabled"] = False
    assert not corpora(cfg)["audioset"].enabled


def test_audio_probe_sources_name_their_layout(tmp_path):
    """sources.esc50 / sources.dcase2013 off the world: a missing part names the layout."""
    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    esc, dcase = tmp_path / "ESC-50-master", tmp_path / "DCASE2013"
    (esc / "audio").mkdir(parents=True)
    (dcase / "scenes_stereo").mkdir(parents=True)
    cfg = validate_config({"sources": {"esc50": str(esc)}}, schema)
    with pytest.raises(ConfigError, match=r"`sources.esc50`.*meta/esc50.csv"):
        check_sources(cfg)
    (esc / "meta").mkdir()
    (esc / "meta" / "esc50.csv").write_text("filename,fold,target,category,esc10\n")
    check_sources(cfg)
    cfg = validate_config({"sources": {"dcase2013": str(dcase)}}, schema)
    with pytest.raises(ConfigError, match=r"`sources.dcase2013`.*scenes_stereo_testset"):
        check_sources(cfg)


def test_kinetics_sounds_source_is_checked_only_when_avc_runs(tmp_path):
    """sources.kinetics_sounds (L3 Table 4's clips): a missing manifest is named when the AVC
    papers run, ignored when they are off."""
    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    missing = str(tmp_path / "ks.csv")
    check_sources(validate_config({"sources": {"kinetics_sounds": missing}}, schema))
    cfg = validate_config(
        {"sources": {"kinetics_sounds": missing}, "avc": {"enabled": True}}, schema
    )
    with pytest.raises(ConfigError, match=r"`sources.kinetics_sounds`.*labelled clips"):
        check_sources(cfg)


def _soundnet_cfg(tmp_path, **local):
    cfg = validate_config({"soundnet": {"enabled": True, "local_teachers": local}}, SCHEMA)
    return cfg


def test_local_teachers_are_checked_by_key(tmp_path):
    """A local teacher names a registered architecture and an existing file; every teacher is
    a model this DAG trains or a local one (on real videos the world's are not trained)."""
    from soundsight.config import check_local_teachers, local_teachers

    weights = tmp_path / "vgg.pth"
    entry = {"weights": str(weights), "model": "alexnet", "num_outputs": 1000}
    cfg = _soundnet_cfg(tmp_path, places=entry)
    with pytest.raises(ConfigError, match=r"`soundnet.local_teachers.places.weights`.*vgg.pth"):
        check_local_teachers(cfg, ["object", "scene", "object_weak", "scene_weak"])
    weights.write_bytes(b"")
    check_local_teachers(cfg, ["object", "scene", "object_weak", "scene_weak"])
    assert local_teachers(cfg["soundnet"])["places"]["rename"] == {}  # defaults filled
    with pytest.raises(ConfigError, match=r"`soundnet.teachers.scene`: teacher 'scene'"):
        check_local_teachers(cfg, ["object", "object_weak", "scene_weak"])
    cfg["soundnet"]["teachers"]["scene"] = "places"  # the local weights teach the scene head
    check_local_teachers(cfg, ["object", "object_weak", "scene_weak"])
    cfg["soundnet"]["local_teachers"]["places"]["model"] = "vgg17"
    with pytest.raises(ConfigError, match=r"`soundnet.local_teachers.places.model`: 'vgg17'"):
        check_local_teachers(cfg, ["object", "object_weak", "scene_weak"])
    cfg = validate_config({"soundnet": {"enabled": False}}, SCHEMA)
    check_local_teachers(cfg, [])  # SoundNet off: no teacher is needed
    with pytest.raises(ConfigError, match="local_teachers.x"):
        validate_config({"soundnet": {"local_teachers": {"x": {"weights": "w"}}}}, SCHEMA)
