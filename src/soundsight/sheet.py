"""The model sheet (config/models.tsv): one row per trained or initialised model of every paper.

The sheet is a tab-separated table in the Snakemake workflow catalog's sample-sheet style
(a header line, one row per model, ``#`` lines are comments), checked against a JSON schema of one
row (workflow/schemas/models.schema.yaml). Errors name the file, the line, the model and the
column, e.g. ``config/models.tsv line 4 (sound_cluster), column `architecture`: 'alexnett' is not
a registered architecture``.

Cell conventions (documented in the schema too):

* ``$key.path`` (optionally ``$key.path[i]``) reads a config key, e.g. ``$figure11.iterations`` or
  ``$labels.k[0]``. A list-valued ``k`` (``$figure11.k``) makes one model per value; the row's
  name then holds ``{k}`` (``sweep_k{k}`` -> ``sweep_k2``, ``sweep_k4``...).
* ``{k}`` in ``name`` and ``targets`` is replaced by the row's ``k``.
* A blank ``architecture``, ``optimizer``, ``schedule`` or ``iterations`` means the ``pretext``
  config's value (the resolved field is ``None``: the training script keeps ``pretext.<key>``).
* The columns ``input_size``, ``batch_size`` and ``lr`` (:data:`OPTIONAL_COLUMNS`) may be left
  out of the header; a blank or absent cell keeps ``pretext.<key>`` too. They let a paper train
  at its own scale (e.g. AlexNet, which needs >= 63 px, with AdamW's learning rate).
* The optional column ``pairs`` says how a ``correspondence`` model's audio-visual pairs are
  drawn (:data:`PAIR_SAMPLERS`): ``aligned`` (the default when blank: *Objects that Sound*'s
  shortcut prevention, every audio start on the frame grid) or ``naive`` (positives centred on
  their frame, negatives anywhere: the sampler that lets a network cheat). Other tasks leave it
  blank. A correspondence model leaves ``k`` blank: its architecture fixes its outputs (L3-Net and
  AVE-Net: 2 logits; AVOL-Net: 1).
* The optional column ``divergence`` says how a ``distillation`` model compares its posteriors
  with the teachers' (:data:`DIVERGENCES`): ``kl`` (SoundNet's loss) or ``l2`` (its Table 5
  ablation); blank: the ``soundnet.divergence`` config's. Other tasks leave it blank.
* ``requires`` lists conditions, ``;``-separated: ``key.path`` (the config value is true) or
  ``key.path=value`` (it equals ``value``); a model whose conditions fail is not in this DAG.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

COLUMNS = (
    "name", "papers", "corpus", "architecture", "task", "targets", "k", "optimizer",
    "schedule", "iterations", "requires", "description",
)  # fmt: skip
# Per-row overrides of the `pretext` training settings; the header may omit them (blank cells).
OPTIONAL_COLUMNS = ("input_size", "batch_size", "lr", "pairs", "divergence")
DIVERGENCES = ("kl", "l2")  # the `divergence` column's values (soundsight.train.tasks)
Task = Literal["cluster", "code", "correspondence", "distillation", "init"]
PairSampler = Literal["aligned", "naive"]
# the `pairs` column's values -> shortcut prevention on (soundsight.train.pairs.PairConfig)
PAIR_SAMPLERS: dict[str, bool] = {"aligned": True, "naive": False}
DEFAULT_SAMPLER: PairSampler = "aligned"
_REF = re.compile(r"^\$([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(?:\[(\d+)\])?$")


class SheetError(ValueError):
    """A model-sheet cell is invalid; the message names the file, line, model and column."""


@dataclass(frozen=True)
class SheetRow:
    """One line of the sheet as written (every cell a string; blank cells are ``""``)."""

    path: str
    line: int
    cells: dict[str, str]

    def where(self, column: str) -> str:
        """``<file> line <n> (<name>), column `<column>```: the prefix of every error."""
        return f"{self.path} line {self.line} ({self.cells.get('name', '?')}), column `{column}`"


@dataclass(frozen=True)
class ModelEntry:
    """One model of the catalogue, with its config references resolved."""

    name: str
    papers: tuple[str, ...]
    corpus: str
    architecture: str | None  # None: pretext.model
    task: Task
    targets: str  # label table name (e.g. clusters_k30) or, for task `init`, the init method
    k: int | None
    n_classes: int | None  # output size for cluster and init tasks; None for codes and
    # correspondence (the architecture's own outputs)
    optimizer: str | None  # None: pretext.optimizer (the default: SGD)
    schedule: str | None  # None: pretext.schedule (the default: step decay)
    iterations: int | None  # None: pretext.iterations
    requires: tuple[str, ...]
    enabled: bool  # every condition of `requires` holds under this config
    description: str
    input_size: int | None = None  # None: pretext.input_size
    batch_size: int | None = None  # None: pretext.batch_size
    lr: float | None = None  # None: pretext.lr
    pairs: PairSampler | None = None  # correspondence only: how pairs are drawn (PAIR_SAMPLERS)
    divergence: str | None = None  # distillation only: kl / l2 (None: soundnet.divergence)


def read_model_sheet(
    path: str | Path,
    schema: Mapping[str, Any],
    architectures: Collection[str],
    corpora: Collection[str],
) -> list[SheetRow]:
    """Read and check the sheet at ``path``: each row against ``schema`` (one row), then the
    architecture against the registry names, the corpus against ``corpora``, unique names."""
    rows = list(_parse(Path(path)))
    validator = jsonschema.Draft202012Validator(schema)
    seen: dict[str, SheetRow] = {}
    for row in rows:
        _check_schema(row, validator)
        cells = row.cells
        if cells["architecture"] and cells["architecture"] not in architectures:
            raise SheetError(
                f"{row.where('architecture')}: {cells['architecture']!r} is not a registered "
                f"architecture ({', '.join(sorted(architectures))})"
            )
        if cells["corpus"] not in corpora:
            raise SheetError(
                f"{row.where('corpus')}: {cells['corpus']!r} is not a corpus "
                f"({', '.join(sorted(corpora))})"
            )
        _check_k(row)
        if cells["name"] in seen:
            raise SheetError(
                f"{row.where('name')}: duplicate name, also on line {seen[cells['name']].line}"
            )
        seen[cells["name"]] = row
    return rows


def _parse(path: Path) -> Iterator[SheetRow]:
    """Rows of a TSV with ``#`` comment lines; a row with the wrong number of cells is an error."""
    if not path.is_file():
        raise SheetError(f"{path}: no such model sheet (config key `model_sheet`)")
    lines = [
        (n, line)
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise SheetError(f"{path}: no header line")
    header = lines[0][1].split("\t")
    unknown = [c for c in header if c not in COLUMNS + OPTIONAL_COLUMNS]
    missing = [c for c in COLUMNS if c not in header]
    if unknown or missing:
        raise SheetError(
            f"{path} line {lines[0][0]}: header has unknown columns {unknown} and lacks "
            f"{missing}; the columns are {list(COLUMNS)} (optional: {list(OPTIONAL_COLUMNS)})"
        )
    for n, line in lines[1:]:
        cells = next(csv.reader([line], delimiter="\t"))
        if len(cells) != len(header):
            raise SheetError(
                f"{path} line {n}: {len(cells)} tab-separated cells, the header has {len(header)}"
            )
        values = {c: v.strip() for c, v in zip(header, cells, strict=True)}
        yield SheetRow(str(path), n, {c: "" for c in OPTIONAL_COLUMNS} | values)


def _check_schema(row: SheetRow, validator: jsonschema.Draft202012Validator) -> None:
    def column_order(error: jsonschema.ValidationError) -> int:
        order = COLUMNS + OPTIONAL_COLUMNS
        path = error.absolute_path
        return order.index(path[0]) if path and path[0] in order else len(order)

    errors = sorted(validator.iter_errors(row.cells), key=column_order)  # the leftmost first
    if errors:
        error = errors[0]
        column = str(error.absolute_path[0]) if error.absolute_path else "?"
        raise SheetError(f"{row.where(column)}: {_message(error, validator.schema, row)}")


def _message(error: jsonschema.ValidationError, schema: Mapping[str, Any], row: SheetRow) -> str:
    """A readable reason: the column's description for a malformed cell, the task for a cell that
    the row's task forbids."""
    if error.validator == "const":
        expected = repr(error.validator_value) if error.validator_value else "blank"
        return f"must be {expected} for task {row.cells['task']}"
    if error.validator == "not":
        return f"{error.instance!r} is not allowed for task {row.cells['task']}"
    if error.validator == "pattern" and error.absolute_path:
        prop = schema.get("properties", {}).get(error.absolute_path[0], {})
        return f"{error.instance!r} is malformed; expected {prop.get('description', 'see schema')}"
    return error.message


def _check_k(row: SheetRow) -> None:
    """``{k}`` placeholders need a ``k``; a ``k`` must be used by the row."""
    cells = row.cells
    placeholder = "{k}" in cells["name"] or "{k}" in cells["targets"]
    if placeholder and not cells["k"]:
        raise SheetError(f"{row.where('k')}: `{{k}}` in name or targets needs a k")
    if cells["task"] == "init" and not cells["k"]:
        raise SheetError(f"{row.where('k')}: an init model needs k (its number of outputs)")
    if cells["task"] == "code" and cells["k"] and "{k}" not in cells["targets"]:
        raise SheetError(f"{row.where('k')}: a code model uses k only through `{{k}}` in targets")
    if cells["task"] in ("correspondence", "distillation") and cells["k"]:
        raise SheetError(
            f"{row.where('k')}: a {cells['task']} model's outputs are its architecture's or its "
            "teachers'; leave k blank"
        )


def config_value(config: Mapping[str, Any], ref: str) -> Any:
    """The config value named by ``key.path`` or ``key.path[i]`` (without the ``$``)."""
    match = _REF.match("$" + ref)
    if match is None:
        raise KeyError(ref)
    node: Any = config
    for part in match.group(1).split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(ref)
        node = node[part]
    if match.group(2) is not None:
        index = int(match.group(2))
        if not isinstance(node, list) or index >= len(node):
            raise KeyError(ref)
        node = node[index]
    return node


def _cell(row: SheetRow, column: str, config: Mapping[str, Any]) -> Any:
    """A cell's value: the config value for ``$ref`` cells, else the string itself."""
    value = row.cells[column]
    if not value.startswith("$"):
        return value
    try:
        return config_value(config, value[1:])
    except KeyError:
        raise SheetError(f"{row.where(column)}: no config key {value[1:]!r}") from None


def _positive_int(row: SheetRow, column: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise SheetError(f"{row.where(column)}: {value!r} is not a positive integer")
    if int(value) < 1:
        raise SheetError(f"{row.where(column)}: {value!r} is not a positive integer")
    return int(value)


def _optional_int(row: SheetRow, column: str, config: Mapping[str, Any]) -> int | None:
    """A positive integer cell (or ``$ref``), None when blank."""
    value = _cell(row, column, config)
    return None if value == "" else _positive_int(row, column, value)


def _optional_float(row: SheetRow, column: str, config: Mapping[str, Any]) -> float | None:
    """A positive number cell (or ``$ref``), None when blank."""
    value = _cell(row, column, config)
    if value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number > 0 or math.isinf(number):
        raise SheetError(f"{row.where(column)}: {value!r} is not a positive number")
    return number


def requirement_met(config: Mapping[str, Any], requirement: str) -> bool:
    """``key.path`` is true, or ``key.path=value`` holds, in ``config``."""
    key, sep, expected = requirement.partition("=")
    value = config_value(config, key)
    return str(value) == expected if sep else bool(value)


def _enabled(row: SheetRow, config: Mapping[str, Any]) -> tuple[tuple[str, ...], bool]:
    requires = tuple(r for r in row.cells["requires"].split(";") if r)
    try:
        return requires, all(requirement_met(config, r) for r in requires)
    except KeyError as err:
        raise SheetError(f"{row.where('requires')}: no config key {err.args[0]!r}") from None


def _ks(row: SheetRow, config: Mapping[str, Any]) -> list[int | None]:
    """The row's k values: one per model it makes (a list-valued ``$ref`` makes several)."""
    if not row.cells["k"]:
        return [None]
    value = _cell(row, "k", config)
    if isinstance(value, list):
        if "{k}" not in row.cells["name"]:
            raise SheetError(
                f"{row.where('k')}: {row.cells['k']} is a list; the name needs `{{k}}` to make "
                "one model per value"
            )
        return [_positive_int(row, "k", v) for v in value]
    return [_positive_int(row, "k", value)]


def _n_classes(row: SheetRow, k: int | None, fixed_classes: Mapping[str, int]) -> int | None:
    task, targets = row.cells["task"], row.cells["targets"]
    if task in ("code", "correspondence", "distillation"):
        return None
    if k is not None:
        return k
    if targets in fixed_classes:
        return fixed_classes[targets]
    raise SheetError(
        f"{row.where('k')}: a {task} model on {targets!r} needs k (its number of classes)"
    )


def _optional(value: str) -> str | None:
    return value or None


def _sampler(row: SheetRow) -> PairSampler | None:
    """The pair sampler of a correspondence row (blank: :data:`DEFAULT_SAMPLER`); None else."""
    value = row.cells["pairs"]
    if row.cells["task"] != "correspondence":
        if value:
            raise SheetError(f"{row.where('pairs')}: only correspondence models draw pairs")
        return None
    if value and value not in PAIR_SAMPLERS:
        raise SheetError(
            f"{row.where('pairs')}: {value!r} is not a pair sampler ({', '.join(PAIR_SAMPLERS)})"
        )
    return value or DEFAULT_SAMPLER  # type: ignore[return-value]  # checked just above


def resolve_models(
    rows: list[SheetRow],
    config: Mapping[str, Any],
    fixed_classes: Mapping[str, int] | None = None,
) -> dict[str, ModelEntry]:
    """Every model of the sheet under ``config``, in sheet order (templates expanded).

    ``fixed_classes`` gives the number of classes of label tables whose size the data fixes
    (e.g. ``{"world_scene": 8}``), for cluster rows without ``k``. Models whose ``requires``
    fail are kept with ``enabled=False`` so that a config list naming them is not a typo.
    """
    fixed = dict(fixed_classes or {})
    models: dict[str, ModelEntry] = {}
    lines: dict[str, int] = {}
    for row in rows:
        requires, enabled = _enabled(row, config)
        iterations = _optional_int(row, "iterations", config)
        scale = {
            "input_size": _optional_int(row, "input_size", config),
            "batch_size": _optional_int(row, "batch_size", config),
            "lr": _optional_float(row, "lr", config),
        }
        for k in _ks(row, config):
            entry = replace(_entry(row, k, requires, enabled, iterations, fixed), **scale)
            if entry.name in models:
                raise SheetError(
                    f"{row.where('name')}: makes {entry.name!r}, also made on line "
                    f"{lines[entry.name]}"
                )
            models[entry.name], lines[entry.name] = entry, row.line
    return models


def _entry(
    row: SheetRow,
    k: int | None,
    requires: tuple[str, ...],
    enabled: bool,
    iterations: int | None,
    fixed: Mapping[str, int],
) -> ModelEntry:
    cells = row.cells
    fill = (lambda s: s.replace("{k}", str(k))) if k is not None else (lambda s: s)
    return ModelEntry(
        name=fill(cells["name"]),
        papers=tuple(cells["papers"].split(";")),
        corpus=cells["corpus"],
        architecture=_optional(cells["architecture"]),
        task=cells["task"],  # type: ignore[arg-type]  # checked by the schema
        targets=fill(cells["targets"]),
        k=k,
        n_classes=_n_classes(row, k, fixed),
        optimizer=_optional(cells["optimizer"]),
        schedule=_optional(cells["schedule"]),
        iterations=iterations,
        requires=requires,
        enabled=enabled,
        description=cells["description"],
        pairs=_sampler(row),
        divergence=_divergence(row),
    )


def _divergence(row: SheetRow) -> str | None:
    """A distillation row's divergence (None: the config's); an error on any other task."""
    value = row.cells["divergence"]
    if value and row.cells["task"] != "distillation":
        raise SheetError(f"{row.where('divergence')}: only distillation models have a divergence")
    if value and value not in DIVERGENCES:
        raise SheetError(f"{row.where('divergence')}: {value!r} is not one of {DIVERGENCES}")
    return value or None


def load_models(
    path: str | Path,
    schema_path: str | Path,
    config: Mapping[str, Any],
    architectures: Collection[str],
    corpora: Collection[str],
    fixed_classes: Mapping[str, int] | None = None,
) -> dict[str, ModelEntry]:
    """Read, check and resolve the sheet: what the workflow's common.smk calls once."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    rows = read_model_sheet(path, schema, architectures, corpora)
    return resolve_models(rows, config, fixed_classes)
