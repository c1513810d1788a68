"""Config validation against the workflow's JSON schema, with errors that name the key."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jsonschema
import yaml


def dataclass_from_dict(cls: type, values: Mapping[str, Any], what: str) -> Any:
    """``cls(**values)`` for a dataclass ``cls``; ValueError naming unknown keys (``what``: e.g.
    "training config")."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown {what} key(s) {unknown}; known: {sorted(known)}")
    return cls(**values)


class ConfigError(ValueError):
    """A config value is missing, of the wrong type or out of range; the message names the key."""


def _fill_defaults(node: dict[str, Any], schema: Mapping[str, Any]) -> None:
    """Insert schema defaults for absent keys, recursing into objects."""
    for key, sub in schema.get("properties", {}).items():
        if key not in node and "default" in sub:
            node[key] = copy.deepcopy(sub["default"])
        if sub.get("type") == "object" and isinstance(node.get(key), dict):
            _fill_defaults(node[key], sub)


def _key_path(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path = ".".join(filter(None, [path, ",".join(extra)]))
    return path or "<top level>"


def load_schema(path: str | Path) -> dict[str, Any]:
    """Read a YAML/JSON schema file."""
    return yaml.safe_load(Path(path).read_text())


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``config`` with defaults filled in; raise :class:`ConfigError` if invalid.

    Unknown keys are errors (a typo must not be ignored silently).
    """
    cfg = copy.deepcopy(dict(config))
    _fill_defaults(cfg, schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  config key `{_key_path(e)}`: {_message(e)}" for e in errors]
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))
    _check_cross_keys(cfg)
    return cfg


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return "unknown key (check its spelling against workflow/schemas/config.schema.yaml)"
    return error.message


def _check_cross_keys(cfg: Mapping[str, Any]) -> None:
    """Constraints that involve more than one key."""
    if cfg["table5"]["annotations"] and cfg["table5"]["cluster_k"] not in cfg["figure11"]["k"]:
        raise ConfigError(
            f"config key `table5.cluster_k` ({cfg['table5']['cluster_k']}) must be one of "
            f"`figure11.k` {cfg['figure11']['k']}: Table 5 reuses the sweep's model"
        )
    world, ingest = cfg["world"], cfg["ingest"]
    if cfg["sources"]["videos"] == "world" and world["duration_s"] <= ingest["window_s"]:
        raise ConfigError(
            f"config key `world.duration_s` ({world['duration_s']}) must exceed "
            f"`ingest.window_s` ({ingest['window_s']}): no frame would have a full audio window"
        )
    n_frames = cfg["ingest"]["frames_per_video"] * world["n_videos"]
    for key, ks in (("labels.k", cfg["labels"]["k"]), ("figure11.k", cfg["figure11"]["k"])):
        if cfg["sources"]["videos"] == "world" and 2 * max(ks) > n_frames:
            raise ConfigError(
                f"config key `{key}`: {max(ks)} clusters need at least twice as many frames "
                f"(half are dropped as far from their centroid); the world gives {n_frames}"
            )
    if cfg["audioset"]["enabled"]:
        _check_audioset(cfg)
    _check_downloads(cfg)


def _check_downloads(cfg: Mapping[str, Any]) -> None:
    """Every requested download names a known archive."""
    from soundsight.data.download import ARCHIVES

    unknown = sorted(set(cfg["download"]["datasets"]) - set(ARCHIVES))
    if unknown:
        raise ConfigError(
            f"config key `download.datasets`: unknown archives {unknown}; known: {list(ARCHIVES)}"
        )


def audioset_world(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The second (music-heavy) world's config: `world` with `audioset.world` over it."""
    return corpora(cfg)["audioset"].world


# The video corpora: each is a key of `sources` and goes through the same ingest, feature and
# label rules (the workflow's `{corpus}` wildcard). The value names the config section that holds
# the corpus's `enabled` switch, its `world` overrides of `world` and its `seed_offset` (None: the
# first corpus, which uses `world` and `seed` as they are). A new corpus is a `sources` key, a
# section of that shape and one entry here; no new rules.
CORPUS_SECTIONS: dict[str, str | None] = {"videos": None, "audioset": "audioset"}


@dataclass(frozen=True)
class Corpus:
    """A video corpus as the workflow sees it."""

    name: str
    source: str  # `world` or the path of a directory of videos / a manifest CSV
    enabled: bool
    world: dict[str, Any]  # the AmbientWorld config that renders it when source is `world`
    world_seed: int  # seed of that world (`seed` + the section's `seed_offset`)

    @property
    def is_world(self) -> bool:
        return self.source == "world"


def corpora(cfg: Mapping[str, Any]) -> dict[str, Corpus]:
    """Every declared video corpus (enabled or not) with its source and world settings."""
    out = {}
    for name, section_key in CORPUS_SECTIONS.items():
        section = cfg[section_key] if section_key else {}
        out[name] = Corpus(
            name=name,
            source=cfg["sources"][name],
            enabled=bool(section.get("enabled", True)),
            world={**cfg["world"], **section.get("world", {})},
            world_seed=cfg["seed"] + section.get("seed_offset", 0),
        )
    return out


def _check_audioset(cfg: Mapping[str, Any]) -> None:
    """The second corpus must be a valid world with enough frames for its clusters."""
    if cfg["sources"]["audioset"] != "world":
        return
    from soundsight.world import WorldConfig

    try:
        world = WorldConfig.from_dict(audioset_world(cfg))
    except (TypeError, ValueError) as err:
        raise ConfigError(f"config key `audioset.world`: {err}") from err
    if world.duration_s <= cfg["ingest"]["window_s"]:
        raise ConfigError(
            f"config key `audioset.world`: duration_s ({world.duration_s}) must exceed "
            f"`ingest.window_s` ({cfg['ingest']['window_s']})"
        )
    k, n_frames = cfg["audioset"]["cluster_k"], cfg["ingest"]["frames_per_video"] * world.n_videos
    if 2 * k > n_frames:
        raise ConfigError(
            f"config key `audioset.cluster_k`: {k} clusters need at least twice as many frames; "
            f"the second world gives {n_frames}"
        )


_LAYOUTS = {
    "videos": (
        "a directory of videos (searched recursively) or a manifest CSV with a `path` column",
        (),
    ),
    "audioset": (
        "a directory of AudioSet clips (searched recursively) or a manifest CSV with a `path` "
        "column",
        (),
    ),
    "voc2007": (
        "the VOC2007 devkit folder holding JPEGImages/, Annotations/ and ImageSets/Main/",
        ("JPEGImages", "Annotations", "ImageSets/Main"),
    ),
    "sun397": (
        "the SUN397 folder holding ClassName.txt, Training_0k.txt/Testing_0k.txt and the class "
        "folders (/a/abbey/...)",
        ("ClassName.txt",),
    ),
    "esc50": (
        "the ESC-50-master folder holding meta/esc50.csv and audio/",
        ("meta/esc50.csv", "audio"),
    ),
    "dcase2013": (
        "the DCASE 2013 scenes folder holding scenes_stereo/ (development set) and "
        "scenes_stereo_testset/ (test set)",
        ("scenes_stereo", "scenes_stereo_testset"),
    ),
    "kinetics_sounds": (
        "a CSV manifest of labelled clips with columns path,start,end,labels (one label per clip)",
        (),
    ),
    "audioset_instruments": (
        "a folder holding ontology.json, balanced_train_segments.csv, eval_segments.csv and clips/",
        ("ontology.json", "balanced_train_segments.csv", "eval_segments.csv", "clips"),
    ),
    "localisation": (
        "a folder holding frames.csv, objects.csv and the images/, audio/ and masks/ they name",
        ("frames.csv", "objects.csv"),
    ),
}


def check_sources(cfg: Mapping[str, Any]) -> None:
    """Fail early, naming the key, the path and the expected layout, for a missing dataset."""
    for key, value in cfg["sources"].items():
        off = (key == "audioset" and not cfg["audioset"]["enabled"]) or (
            key in ("kinetics_sounds", "audioset_instruments", "localisation")
            and not cfg["avc"]["enabled"]
        )
        if value == "world" or off:
            continue
        layout, required = _LAYOUTS[key]
        path = Path(value)
        missing = [] if path.exists() else [path]
        missing += [path / r for r in required if path.exists() and not (path / r).exists()]
        if missing:
            raise ConfigError(
                f"config key `sources.{key}`: {missing[0]} does not exist; expected {layout}"
            )


# `avc` keys that override `pretext` for a correspondence model (besides the sheet's own cells);
# here, torch-free, because the DAG build reads them (workflow/rules/common.smk, avc_task)
AVC_OVERRIDE_KEYS = ("width", "input_size", "audio_rate", "n_fft", "iterations", "batch_size",
                     "lr", "weight_decay", "lr_steps")  # fmt: skip


SOUNDNET_OVERRIDE_KEYS = ("width", "iterations", "batch_size", "lr", "weight_decay", "lr_steps")


def soundnet_overrides(soundnet: Mapping[str, Any]) -> dict[str, Any]:
    """The ``soundnet`` section's training settings (:data:`SOUNDNET_OVERRIDE_KEYS`) over
    ``pretext``."""
    return {k: soundnet[k] for k in SOUNDNET_OVERRIDE_KEYS if k in soundnet}


TEACHER_SETS = {"teachers": "teachers", "teachers_weak": "weak_teachers"}  # cache -> soundnet key


def distill_target(soundnet: Mapping[str, Any], targets: str) -> tuple[str, list[str]]:
    """A distillation row's ``targets`` ``<cache>_<heads>``: the teacher cache (``teachers``:
    ``soundnet.teachers``; ``teachers_weak``: ``soundnet.weak_teachers``, Table 6's weaker pair)
    and the heads it distils (``both``: every teacher of the set)."""
    cache, _, heads = targets.rpartition("_")
    if cache not in TEACHER_SETS:
        raise ValueError(
            f"distillation targets {targets!r}: expected <cache>_<heads> with cache one of "
            f"{list(TEACHER_SETS)}"
        )
    teachers = teacher_set(soundnet, cache)
    if heads == "both":
        return cache, list(teachers)
    if heads not in teachers:
        raise ValueError(f"distillation targets {targets!r}: no head {heads!r} in {teachers}")
    return cache, [heads]


def teacher_set(soundnet: Mapping[str, Any], cache: str) -> dict[str, str]:
    """``{head: sheet model}`` of the teacher cache ``cache`` (:data:`TEACHER_SETS`)."""
    if cache not in TEACHER_SETS:
        raise ValueError(f"unknown teacher cache {cache!r}; expected one of {list(TEACHER_SETS)}")
    return dict(soundnet[TEACHER_SETS[cache]])


def local_teachers(soundnet: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{name: entry}`` of the teachers read from the user's local weights
    (``soundnet.local_teachers``: ``weights``, ``model``, ``num_outputs``, ``kwargs``,
    ``rename``), rather than trained by this DAG from a sheet row."""
    return {
        name: {"kwargs": {}, "rename": {}, **entry}
        for name, entry in soundnet.get("local_teachers", {}).items()
    }


def check_local_teachers(cfg: Mapping[str, Any], sheet_models: Collection[str]) -> None:
    """Fail early, naming the key, for a teacher that is neither a model this DAG trains nor
    a local weights file that exists with a registered architecture."""
    from soundsight.models.registry import BUILTIN_MODELS  # a torch-free listing

    sn = cfg["soundnet"]
    local = local_teachers(sn)
    for name, entry in local.items():
        key = f"soundnet.local_teachers.{name}"
        if entry["model"] not in BUILTIN_MODELS:
            raise ConfigError(
                f"config key `{key}.model`: {entry['model']!r} is not a registered model "
                f"(registered: {sorted(BUILTIN_MODELS)})"
            )
        if not Path(entry["weights"]).is_file():
            raise ConfigError(
                f"config key `{key}.weights`: {entry['weights']} does not exist; expected a "
                "local state dict (never downloaded at run time)"
            )
    if not sn["enabled"]:
        return
    for cache, key in TEACHER_SETS.items():
        for head, name in teacher_set(sn, cache).items():
            if name not in local and name not in sheet_models:
                raise ConfigError(
                    f"config key `soundnet.{key}.{head}`: teacher {name!r} is neither a model "
                    f"this DAG trains (on real videos the world's object and scene models are "
                    "not trained) nor a key of `soundnet.local_teachers`; name local weights "
                    "there, or set `soundnet.enabled: false`"
                )


def avc_overrides(avc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``avc`` section's training settings (:data:`AVC_OVERRIDE_KEYS` it holds) over
    ``pretext``."""
    return {k: avc[k] for k in AVC_OVERRIDE_KEYS if k in avc}
