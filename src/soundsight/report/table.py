"""One table engine: declared tables rendered to a tidy CSV and Markdown, replicated beside
published.

A paper declares each table once: its columns (:class:`Column`), which replicated model stands
for which printed row (:class:`Row`), where the published numbers live (``paper``/``table`` of
:mod:`soundsight.report.published`) and its wording. The cells are fed by a result source
(:data:`soundsight.report.results.Values`: model -> {cell key: value}). The engine knows no paper.
Three layouts cover the tables so far:

- :class:`RowsTable`: one line per method, one column per measure, cells ``replicated
  (published)``; the paper's rows in its order with replicated models standing in for them,
  methods not re-implemented kept as *published only* (†), models without a paper row last
  (*replicated only*, ‡), stand-ins under another name marked as analogues (*), footnotes.
- :class:`ColumnsTable`: the transpose, one column per model and one line per measure.
- :class:`BlockTable`: when the two sides measure different things (e.g. other class sets), a
  replicated block, a published block and one summary measure side by side.

Each layout builds a tidy long-form frame (one line per cell, unrounded) and renders it;
:func:`write_table` writes both.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from soundsight.report.published import load_published
from soundsight.report.results import Values

logger = logging.getLogger(__name__)

MISSING = "—"
PUBLISHED_ONLY, REPLICATED_ONLY, BOTH = "published only", "replicated only", "replicated+published"
ROW_FIELDS: tuple[str, ...] = (
    "row",
    "model",
    "published_row",
    "column",
    "replicated",
    "published",
    "unit",
    "source",
)
COLUMN_FIELDS: tuple[str, ...] = (
    "row",
    "model",
    "column",
    "replicated",
    "published",
    "published_column",
    "unit",
)
BLOCK_FIELDS: tuple[str, ...] = (
    "block",
    "row",
    "model",
    "published_row",
    "column",
    "value",
    "unit",
    "status",
    "note",
)


# ------------------------------------------------------------------------------------------------
# declarations and formatting
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """How one replicated model is shown and which printed row it is compared with."""

    display: str
    published_row: str | None
    note: str = ""


@dataclass(frozen=True)
class Column:
    """One measure of a table.

    ``key`` is the cell key of the result source and of the published CSV's ``column``;
    ``source`` (default ``key``) and ``scale`` say which value of the result feeds it.
    A column with ``reference`` is a difference: its ``source`` cell minus the same cell of the
    reference model's row (replicated) and of that model's paper row (published).
    """

    key: str
    header: str
    unit: str = ""
    signed: bool = False
    source: str | None = None
    scale: float = 1.0
    reference: str | None = None

    @property
    def feed(self) -> str:
        """The cell key this column reads."""
        return self.source or self.key


@dataclass(frozen=True)
class CellFormat:
    """How ``replicated (published)`` cells are printed (format specs; text for NaN)."""

    replicated: str = ".1f"
    published: str = ".1f"
    replicated_missing: str | None = MISSING  # None: print NaN as Python formats it
    published_missing: str | None = MISSING


def fmt(value: float | None, spec: str = ".1f", missing: str | None = MISSING) -> str:
    """``value`` formatted with ``spec`` (sign forced when ``signed``), ``missing`` for NaN."""
    if missing is not None and (value is None or math.isnan(value)):
        return missing
    return format(value, spec)


def signed(spec: str) -> str:
    """The format spec with the sign always shown."""
    return spec if spec.startswith("+") else f"+{spec}"


def md_row(cells: Sequence[str]) -> str:
    """One Markdown table line."""
    return "| " + " | ".join(cells) + " |"


def md_rule(left: int, right: int) -> str:
    """The header rule of ``left`` left-aligned then ``right`` right-aligned columns."""
    return "|" + "|".join(["---"] * left + ["---:"] * right) + "|"


def published_cells(paper: str, table: str) -> dict[str, dict[str, float]]:
    """A published table as ``{row: {column: value}}``, rows and columns in the paper's order."""
    cells: dict[str, dict[str, float]] = {}
    for rec in load_published(paper, table).itertuples(index=False):
        cells.setdefault(str(rec.row), {})[str(rec.column)] = float(rec.value)
    return cells


def check_models(models: Sequence[str], known: Mapping[str, Any], label: str) -> None:
    """Raise KeyError naming unknown model keys, ValueError naming repeated ones."""
    unknown = [m for m in models if m not in known]
    if unknown:
        raise KeyError(f"unknown {label} models {unknown}; expected some of {list(known)}")
    if len(set(models)) != len(models):
        raise ValueError(f"repeated models in {list(models)}")


def write_table(frame: pd.DataFrame, markdown: str, csv_path: Path, md_path: Path) -> None:
    """Write the tidy CSV (full precision) and the Markdown rendering."""
    csv_path, md_path = Path(csv_path), Path(md_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(csv_path, index=False)
    md_path.write_text(markdown, encoding="utf-8")
    logger.info("wrote %s and %s", csv_path, md_path)


def _header(title: str, description: str) -> list[str]:
    """Title and description lines every layout starts with."""
    return [f"# {title}", "", description, ""]


def _close(lines: list[str], footnotes: Sequence[str]) -> str:
    """The Markdown text: the lines, then a blank line and the footnotes when there are any."""
    return "\n".join([*lines, "", *footnotes, ""] if footnotes else [*lines, ""])


# ------------------------------------------------------------------------------------------------
# one line per method
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowsTable:
    """A table with one line per method and one column per measure.

    ``paper_order``: the paper's rows in its order, each replicated model taking its paper
    row's place, unmatched paper rows kept as *published only* and models without a paper row
    last; otherwise only the given models, in their order. A model whose paper row is not in
    the published table is an error when ``require_row``, else *replicated only*.
    ``keep_empty`` keeps cells with neither side (shown as dashes).
    """

    paper: str
    table: str
    label: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Mapping[str, Row]
    fields: tuple[str, ...] = ROW_FIELDS
    paper_order: bool = True
    require_row: bool = True
    keep_empty: bool = False
    cells: CellFormat = CellFormat()
    show_model: bool = False
    markers: bool = True
    no_row: str = "no paper row"

    # -- building -----------------------------------------------------------------------------
    def _published(self) -> dict[str, dict[str, float]]:
        """The published cells of this table's measures, rows in the paper's order."""
        feeds = {c.key for c in self.columns if c.reference is None}
        out = {}
        for row, cells in published_cells(self.paper, self.table).items():
            kept = {k: v for k, v in cells.items() if k in feeds}
            if kept:
                out[row] = kept
        return out

    def _match(self, models: Sequence[str], published: Mapping[str, Any]) -> dict[str, str]:
        """``{paper row: model}`` for the models standing for a printed row."""
        mapped: dict[str, str] = {}
        for m in models:
            row = self.rows[m].published_row
            if row is None:
                continue
            if row not in published:
                if self.require_row and self.paper_order:
                    raise KeyError(f"rows of {m!r} absent from {self.paper} {self.table}: {[row]}")
                continue
            if row in mapped:
                raise ValueError(f"models {mapped[row]!r} and {m!r} both stand for row {row!r}")
            mapped[row] = m
        return mapped

    def _derive(
        self, column: Column, own: Mapping[str, float] | None, ref: Mapping[str, float] | None
    ) -> float:
        """A difference column's value: own cell minus the reference's (NaN where absent)."""
        if own is None or ref is None:
            return math.nan
        return own.get(column.feed, math.nan) - ref.get(column.feed, math.nan)

    def _records(
        self,
        row: str,
        model: str,
        pub_row: str,
        rep: Mapping[str, float] | None,
        pub: Mapping[str, float] | None,
        refs: tuple[Mapping[str, float] | None, Mapping[str, float] | None],
    ) -> list[dict[str, Any]]:
        """Long-form records of one table line (one per column, empty cells dropped)."""
        source = BOTH if rep is not None and pub is not None else PUBLISHED_ONLY
        if pub is None:
            source = REPLICATED_ONLY
        out = []
        for column in self.columns:
            if column.reference is None:
                r = rep.get(column.feed, math.nan) * column.scale if rep is not None else math.nan
                p = pub.get(column.key, math.nan) if pub is not None else math.nan
            else:
                r, p = self._derive(column, rep, refs[0]), self._derive(column, pub, refs[1])
            if not self.keep_empty and math.isnan(r) and math.isnan(p):
                continue  # a cell printed '-' for a method we do not replicate
            rec = {"row": row, "model": model, "published_row": pub_row, "column": column.key}
            rec |= {"replicated": r, "published": p, "unit": column.unit, "source": source}
            out.append(rec)
        return out

    def _references(
        self, reps: Mapping[str, Mapping[str, float]], published: Mapping[str, Any]
    ) -> tuple[Mapping[str, float] | None, Mapping[str, float] | None]:
        """The (replicated, published) cells that difference columns subtract."""
        refs = {c.reference for c in self.columns if c.reference is not None}
        if not refs:
            return None, None
        if len(refs) > 1:
            raise ValueError(f"{self.label}: one reference model per table, got {sorted(refs)}")
        ref = refs.pop()
        assert ref is not None
        pub_row = self.rows[ref].published_row if ref in self.rows else None
        return reps.get(ref), published.get(pub_row) if pub_row else None

    def build(self, values: Values, models: Sequence[str]) -> pd.DataFrame:
        """The tidy table (``fields``), values unrounded, NaN where a side is absent."""
        models = list(models)
        check_models(models, self.rows, self.label)
        published = self._published()
        mapped = self._match(models, published)
        reps = {m: values(m) for m in models}
        refs = self._references(reps, published)
        records: list[dict[str, Any]] = []
        if self.paper_order:
            for pub_row, pub in published.items():
                m = mapped.get(pub_row)
                if m is None:
                    records += self._records(pub_row, "", pub_row, None, pub, refs)
                else:
                    records += self._records(self.rows[m].display, m, pub_row, reps[m], pub, refs)
        rest = models if not self.paper_order else [m for m in models if m not in mapped.values()]
        for m in rest:
            pub_row = self.rows[m].published_row if m in mapped.values() else None
            pub = published.get(pub_row) if pub_row else None
            records += self._records(self.rows[m].display, m, pub_row or "", reps[m], pub, refs)
        logger.info("%s: %d cells", self.label, len(records))
        return pd.DataFrame.from_records(records, columns=list(self.fields))

    # -- rendering ----------------------------------------------------------------------------
    def label_of(self, row: str, source: str, published_row: str) -> str:
        """Row label with markers: † published only, ‡ replicated only, * an analogue row."""
        if not self.markers:
            return row
        if source == PUBLISHED_ONLY:
            return f"{row} †"
        if source == REPLICATED_ONLY:
            return f"{row} ‡"
        return row if row == published_row else f"{row} * (paper: {published_row})"

    def _cell(self, group: pd.DataFrame, column: Column) -> str:
        """``replicated (published)`` of one line and column, a dash when it has no cell."""
        hit = group[group["column"] == column.key]
        if hit.empty:
            return MISSING
        rep, pub = float(hit["replicated"].iloc[0]), float(hit["published"].iloc[0])
        f = self.cells
        rep_spec, pub_spec = f.replicated, f.published
        if column.signed:
            rep_spec, pub_spec = signed(rep_spec), signed(pub_spec)
        rep_text = fmt(rep, rep_spec, f.replicated_missing)
        return f"{rep_text} ({fmt(pub, pub_spec, f.published_missing)})"

    def footnotes(self, frame: pd.DataFrame) -> list[str]:
        """What the markers mean, then the analogue note of every replicated row shown."""
        if not self.markers:
            return []
        lines = [
            "† published only: a method soundsight does not re-implement (or did not run); "
            "value as printed in the paper, no replicated number.",
            f"‡ replicated only: no corresponding row in the paper's {self.label}.",
            "* analogue: our model stands in for the paper's row.",
            "",
            "Row analogues (replicated model → paper row):",
            "",
        ]
        for model in [m for m in dict.fromkeys(frame["model"]) if m]:
            spec = self.rows[model]
            shown = frame[frame["model"] == model]["published_row"].iloc[0] or self.no_row
            lines.append(f"- `{model}` — {spec.display} → {shown}: {spec.note}.")
        return lines

    def markdown(
        self, frame: pd.DataFrame, title: str | None = None, description: str | None = None
    ) -> str:
        """One line per method, cells ``replicated (published)``, then the footnotes."""
        missing = [c for c in self.fields if c not in frame.columns]
        if missing:
            raise ValueError(f"not a {self.label} frame: columns {missing} missing")
        lead = ["Method", "model"] if self.show_model else ["Method"]
        header = [*lead, *(c.header for c in self.columns)]
        lines = _header(
            title or self.title, self.description if description is None else description
        )
        lines += [md_row(header), md_rule(len(lead), len(self.columns))]
        for (row, model), group in frame.groupby(["row", "model"], sort=False):
            first = group.iloc[0]
            source = str(first["source"]) if "source" in group else ""
            pub_row = str(first["published_row"]) if "published_row" in group else str(row)
            cells = [self.label_of(str(row), source, pub_row)]
            cells += [f"`{model}`"] if self.show_model else []
            lines.append(md_row([*cells, *(self._cell(group, c) for c in self.columns)]))
        return _close(lines, self.footnotes(frame))

    def write(self, frame: pd.DataFrame, csv_path: Path, md_path: Path, **text: str) -> None:
        """Write the tidy CSV and the Markdown (``title``/``description`` may be overridden)."""
        write_table(frame, self.markdown(frame, **text), csv_path, md_path)


# ------------------------------------------------------------------------------------------------
# one column per model
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnsTable:
    """A table with one line per measure (``columns``, keyed by the paper's row names) and one
    column per model; ``rows`` maps each model to its display name and the paper's column.

    ``extras`` adds per-model fields to the tidy frame, computed from the model's result.
    """

    paper: str
    table: str
    label: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Mapping[str, Row]
    extras: Mapping[str, Callable[[Mapping[str, Any]], Any]] | None = None
    cells: CellFormat = CellFormat(published="g")

    def build(self, values: Values, models: Sequence[str]) -> pd.DataFrame:
        """Tidy frame (COLUMN_FIELDS + extras): one line per (model, measure)."""
        check_models(list(models), self.rows, self.label)
        published = load_published(self.paper, self.table)
        out = []
        for model in models:
            result, spec = values(model), self.rows[model]
            extra = {k: f(result) for k, f in (self.extras or {}).items()}
            for column in self.columns:
                at = (published["row"] == column.key) & (published["column"] == spec.published_row)
                pub = published[at]
                out.append(
                    {
                        "row": column.key,
                        "model": model,
                        "column": spec.display,
                        "replicated": float(result[column.feed]) * column.scale,
                        "published": float(pub["value"].iloc[0]) if len(pub) else math.nan,
                        "published_column": spec.published_row,
                        "unit": pub["unit"].iloc[0] if len(pub) else "",
                        **extra,
                    }
                )
        return pd.DataFrame(out)

    def markdown(
        self, frame: pd.DataFrame, description: str | None = None, footnotes: Sequence[str] = ()
    ) -> str:
        """Measures as lines, one ``replicated (published)`` column per model."""
        models = list(dict.fromkeys(frame["column"]))
        lines = _header(self.title, self.description if description is None else description)
        lines += ["|" + " | ".join(["", *models]) + " |", md_rule(1, len(models))]  # empty corner
        f = self.cells
        for column in self.columns:
            cells = []
            for m in models:
                r = frame[(frame["row"] == column.key) & (frame["column"] == m)].iloc[0]
                rep = fmt(r["replicated"], f.replicated, f.replicated_missing)
                cells.append(f"{rep} ({fmt(r['published'], f.published, f.published_missing)})")
            lines.append(md_row([column.key, *cells]))
        return _close(lines, footnotes)


# ------------------------------------------------------------------------------------------------
# replicated and published blocks
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockEntry:
    """One line of the replicated block: its cells (None: not run) and notes."""

    row: str
    model: str
    published_row: str
    cells: Mapping[str, float] | None
    note: str
    missing_note: str = ""


@dataclass(frozen=True)
class BlockTable:
    """Replicated and published lines measured on different column sets (e.g. class sets).

    Each line gets ``summary`` (the mean of its cells); the paper's lines come from the
    published table, all of them, with the replicated model standing for each when any.
    """

    paper: str
    table: str
    title: str
    description: str
    summary: str
    summary_unit: str
    cell_unit: str
    replicated_note: str
    published_note: str
    headings: tuple[str, str]
    side_by_side: tuple[str, str]  # summary column headers: replicated, published
    notes: tuple[str, ...]
    digits: tuple[int, int] = (1, 0)
    not_run: str = "not run"

    def _record(
        self, block: str, entry: BlockEntry, column: str, value: float, status: str, note: str
    ) -> dict[str, Any]:
        """One long-form record."""
        unit = self.summary_unit if column == self.summary else self.cell_unit
        where = {"block": block, "row": entry.row, "model": entry.model}
        what = {"published_row": entry.published_row, "column": column, "value": value}
        return where | what | {"unit": unit, "status": status, "note": note}

    def _line(self, block: str, entry: BlockEntry, cells: Mapping[str, float]) -> list[dict]:
        """Cell records of one line plus its summary (mean of the cells)."""
        status = "ok" if block == "replicated" else "published"
        note = self.replicated_note if block == "replicated" else self.published_note
        recs = [self._record(block, entry, c, v, status, entry.note) for c, v in cells.items()]
        mean = sum(cells.values()) / len(cells)
        return [*recs, self._record(block, entry, self.summary, mean, status, note)]

    def build(self, entries: Sequence[BlockEntry], by_row: Mapping[str, str]) -> pd.DataFrame:
        """Tidy frame (BLOCK_FIELDS): the replicated ``entries``, then every paper line.

        ``by_row`` names the replicated model standing for each paper row.
        """
        records: list[dict[str, Any]] = []
        for e in entries:
            if e.cells is None:
                args = (self.summary, math.nan, self.not_run, e.missing_note)
                records.append(self._record("replicated", e, *args))
            else:
                records += self._line("replicated", e, e.cells)
        first = load_published(self.paper, self.table).drop_duplicates("row")  # a row's note
        notes = dict(
            zip(first["row"].astype(str), first["note"].fillna("").astype(str), strict=True)
        )
        for row, cells in published_cells(self.paper, self.table).items():
            entry = BlockEntry(row, by_row.get(row, ""), row, cells, notes[row])
            records += self._line("published", entry, cells)
        logger.info("%s %s: %d records", self.paper, self.table, len(records))
        return pd.DataFrame.from_records(records, columns=list(BLOCK_FIELDS))

    def _block_lines(self, block: pd.DataFrame, digits: int) -> list[str]:
        """One block: a line per row, a column per cell key, then the summary."""
        keys = [c for c in dict.fromkeys(block["column"]) if c != self.summary]
        columns = [*keys, self.summary]
        lines = [md_row(["Method", *columns]), md_rule(1, len(columns))]
        for row, group in block.groupby("row", sort=False):
            values = dict(zip(group["column"], group["value"], strict=True))
            if (group["status"] == self.not_run).any():
                cells = [MISSING] * len(keys) + [self.not_run]
            else:
                cells = [
                    fmt(values.get(c, math.nan), f".{digits if c != self.summary else 1}f")
                    for c in columns
                ]
            lines.append(md_row([str(row), *cells]))
        return lines

    def _side_by_side(self, frame: pd.DataFrame) -> list[str]:
        """The summary of each replicated line beside that of the paper row it stands for."""
        summary = frame[frame["column"] == self.summary]
        rep = summary[summary["block"] == "replicated"]
        pub = summary[summary["block"] == "published"]
        pub_map = dict(zip(pub["row"], pub["value"], strict=True))
        lines = [md_row(["Replicated row", "Paper row", *self.side_by_side]), md_rule(2, 2)]
        for rec in rep.itertuples(index=False):
            rep_cell = self.not_run if rec.status == self.not_run else fmt(rec.value)
            paper_row = rec.published_row or MISSING
            pub_cell = fmt(pub_map.get(rec.published_row, math.nan))
            lines.append(md_row([str(rec.row), paper_row, rep_cell, pub_cell]))
        return lines

    def markdown(self, frame: pd.DataFrame) -> str:
        """Replicated block, published block, the summaries side by side, then the notes."""
        missing = [c for c in BLOCK_FIELDS if c not in frame.columns]
        if missing:
            raise ValueError(f"not a {self.paper} {self.table} frame: columns {missing} missing")
        lines = _header(self.title, self.description)
        for (block, heading), digits in zip(
            (("replicated", self.headings[0]), ("published", self.headings[1])),
            self.digits,
            strict=True,
        ):
            lines += [f"## {heading}", ""]
            lines += [*self._block_lines(frame[frame["block"] == block], digits), ""]
        lines += [f"## {self.summary} side by side", "", *self._side_by_side(frame), ""]
        return "\n".join([*lines, *self.notes, ""])

    def write(self, frame: pd.DataFrame, csv_path: Path, md_path: Path) -> None:
        """Write the tidy CSV and the Markdown."""
        write_table(frame, self.markdown(frame), csv_path, md_path)
