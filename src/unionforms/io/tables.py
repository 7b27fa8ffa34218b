"""Returns as table rows, and table rows back into returns (``specs/export.md``).

- The **long** table has one row per filled value (a return with no value at all has one row with a
  blank code, so that it is still there): :data:`LONG_COLUMNS`.
- The **wide** table has one row per return and one column per field code of one form, after
  :data:`WIDE_FIXED`; the second header row holds the printed labels (:func:`wide_labels`).

Cells are Python values here (text, int, Decimal, bool, None for blank); each writer encodes them for its
format. Text that a spreadsheet would take for a formula is escaped with a leading apostrophe
(:func:`escape_text`), and the readers undo it (:func:`unescape_text`).

Reading back, every row (wide) or run of rows (long) is its own input, named ``file.csv#row 3``; a row
that cannot be a return is an :class:`~unionforms.core.errors.InputError` naming that row (IN-080, IN-081,
IN-003 for a form not installed), never the end of the file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import attrs

from unionforms.core.errors import InputError
from unionforms.core.findings import Finding, finding
from unionforms.core.inputs import open_input, unreadable
from unionforms.core.model import Form
from unionforms.core.report import Meta, ReadResult, Report, Source, figures_digest
from unionforms.core.validate import typed_values
from unionforms.core.values import Value, ValueProblem, coerce_header
from unionforms.excel.cells import NO_CACHE
from unionforms.excel.contract import ID_SHEET
from unionforms.excel.rows import SheetRows, column_letters, column_number, read_sheets
from unionforms.io.text import text_encoding
from unionforms.plugins.registry import Registry

#: A return's status, from its findings: no finding, warnings only, at least one error.
STATUSES = ("ok", "warnings", "errors")

#: The columns that say which return a row belongs to: before its figures, and after them.
_RETURN_HEAD = ("unit", "form", "year")
_RETURN_TAIL = (
    "source_file",
    "status",
    "current",
    "standing",
    "filled_by",
    "phone",
    "date",
    "provenance",
    "explanations",
)
#: The long table: one row per value, the value's own columns between the return's.
LONG_COLUMNS = (*_RETURN_HEAD, "code", "line", "letter", "label", "measure_unit", "value", *_RETURN_TAIL)
#: The wide table's columns before one column per field code.
WIDE_FIXED = (*_RETURN_HEAD, *_RETURN_TAIL)

#: The Chinese name of every fixed column (the wide table's second header row; the docs).
COLUMN_LABELS = {
    "unit": "填报单位",
    "form": "表式",
    "year": "年份",
    "code": "栏目代码",
    "line": "行次",
    "letter": "项",
    "label": "栏目",
    "measure_unit": "计量单位",
    "value": "数值",
    "source_file": "来源文件",
    "status": "审核状态",
    "current": "本轮有效",
    "standing": "本轮状态",
    "filled_by": "填报人",
    "phone": "联系电话",
    "date": "填报日期",
    "provenance": "汇总来源",
    "explanations": "合理性审核说明",
}

_META = ("unit", "filled_by", "phone", "date")
#: The largest CSV table read (a wide table of 100,000 full returns is some 60 MB, a long one some 150
#: MB); larger is IN-091, refused before it is read.
MAX_TABLE_BYTES = 256 << 20
#: The most returns one table may hold. A bulk run keeps every input it lists, a table's returns as
#: read, about 3 KiB each while it runs: 50,000 returns (a national table of every county's returns is
#: about 3,000) took 180 MiB at most (benchmarks/bench_tables.py). A larger table is one unusable input
#: (IN-065), refused before it is read, never read in part.
MAX_TABLE_RETURNS = 50_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

TableCell = str | int | Value | None


@attrs.frozen
class Return:
    """One return ready to export: its input name, form, typed report, status and where it came from.

    ``provenance`` is the provenance of an aggregate (as its report JSON holds it), None for a return;
    ``source_hash`` the SHA-256 of the file it was read from. ``current`` is whether it is its unit's
    current return of the round, and ``standing`` where it stands
    (:class:`unionforms.collect.current.Standing` values: current, superseded, conflict, other_form,
    not_listed, no_unit): a sum of a table's figures takes the rows whose ``current`` is true and
    ``status`` is not errors, as ``aggregate`` does.
    """

    name: str
    form: Form
    report: Report
    status: str = attrs.field(validator=attrs.validators.in_(STATUSES))
    findings: tuple[Finding, ...] = ()
    provenance: Mapping[str, Any] | None = None
    source_hash: str | None = None
    current: bool = True
    standing: str = "current"
    listed: str | None = None  # the unit's name on the 名录, when there is one

    @property
    def figures_hash(self) -> str:
        """SHA-256 of the header and figures: two returns with the same hash say the same thing."""
        return figures_digest(self.report)

    @property
    def provenance_ref(self) -> str | None:
        """Where an aggregate's provenance is: its report JSON's ``provenance`` (a JSON pointer)."""
        if self.provenance is None:
            return None
        ref = self.provenance.get("ref") if isinstance(self.provenance, Mapping) else None
        return ref if isinstance(ref, str) else f"{self.name}#/provenance"


def escape_text(text: str) -> str:
    """``text`` with a leading apostrophe when it starts with = + - @ tab, CR or an apostrophe (OWASP).

    A spreadsheet then shows it as text and never runs it as a formula; :func:`unescape_text` undoes it.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_text(text: str) -> str:
    """Undo :func:`escape_text`: drop one leading apostrophe."""
    return text[1:] if text.startswith("'") else text


# --- rows out -------------------------------------------------------------------------------------


def _meta_cells(ret: Return) -> dict[str, TableCell]:
    meta = ret.report.meta
    return {
        "unit": meta.unit,
        "filled_by": meta.filled_by,
        "phone": meta.phone,
        "date": meta.date.isoformat() if meta.date else None,
        "form": ret.form.id,
        "year": ret.form.year,
        "source_file": ret.name,
        "status": ret.status,
        "current": ret.current,
        "standing": ret.standing,
        "provenance": ret.provenance_ref,
        "explanations": explanations_text(ret.report.explanations),
    }


def long_rows(ret: Return) -> Iterator[list[TableCell]]:
    """The long rows of one return in :data:`LONG_COLUMNS` order, in the form's field order.

    A return with no value at all gives one row with a blank code, so that it is still there.
    """
    m = _meta_cells(ret)
    head = [m[c] for c in _RETURN_HEAD]
    tail = [m[c] for c in _RETURN_TAIL]
    values = ret.report.values
    any_value = False
    for field in ret.form.iter_fields():
        value = values.get(field.code)
        if value is None:
            continue
        any_value = True
        yield [*head, field.code, field.line, field.letter, field.label, field.unit, value, *tail]  # type: ignore[list-item]
    if not any_value:
        yield [*head, None, None, None, None, None, None, *tail]


def explanations_text(explanations: Mapping[str, str]) -> str | None:
    """A return's 合理性审核说明 as one cell: a JSON object of rule id → text (None when there is none)."""
    if not explanations:
        return None
    return json.dumps(dict(sorted(explanations.items())), ensure_ascii=False)


def _explanations(cell: object, name: str) -> dict[str, str]:
    """The explanations cell read back; IN-084 for this row when it is not a JSON object of texts."""
    text = _text(cell)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError("IN-084", detail=f"{type(exc).__name__}: {exc}", file=name) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError("IN-084", file=name)
    return {rule: t.strip() for rule, t in data.items() if t.strip()}


def wide_columns(form: Form) -> list[str]:
    """The wide table's first header row for ``form``: the fixed columns, then every field code."""
    return [*WIDE_FIXED, *form.fields]


def wide_labels(form: Form) -> list[str]:
    """The second header row: the fixed columns' Chinese names, then each field's label and unit."""
    return [COLUMN_LABELS[c] for c in WIDE_FIXED] + [f"{f.label}（{f.unit}）" for f in form.iter_fields()]


def wide_row(ret: Return) -> list[TableCell]:
    """One return as a wide row, in :func:`wide_columns` order (None for a blank)."""
    fixed = _meta_cells(ret)
    values = ret.report.values
    figures = [cast(TableCell, values.get(code)) for code in ret.form.fields]
    return [fixed[c] for c in WIDE_FIXED] + figures


# --- rows back in ---------------------------------------------------------------------------------

TableEntry = ReadResult | InputError
_Rows = Iterator[tuple[int, Sequence[object]]]
_Group = list[tuple[int, dict[str, object]]]


def read_table(
    file: str, rows: Iterable[tuple[int, Sequence[object]]], registry: Registry, *, sheet: str | None = None
) -> Iterator[TableEntry]:
    """The returns of a long or wide table (``rows``: row number and cells), each its own input.

    The first row is the header; it says which kind of table this is. A wide table's second row is
    taken as the labels row when its ``form`` cell reads 表式.
    """
    it = iter(rows)
    first = next(it, None)
    header = [_text(c) or "" for c in first[1]] if first is not None else []
    named = [h for h in header if h]
    if len(set(named)) != len(named):  # a column given twice: which one holds cannot be told
        twice = next(h for i, h in enumerate(named) if h in named[:i])
        raise InputError("IN-089", column=twice, file=file, sheet=sheet)
    if "code" in header and "value" in header and "form" in header:
        entries = _read_long(file, sheet, header, it, registry)
    elif "form" in header:
        entries = _read_wide(file, sheet, header, it, registry)
    else:
        raise InputError("IN-082", file=file, sheet=sheet)
    empty = True
    for entry in entries:
        empty = False
        yield entry
    if empty:  # a header and no row: the table is still accounted for
        yield InputError("IN-085", file=file, sheet=sheet)


def _text(cell: object) -> str | None:
    """A cell as text (numbers as plain digits), escapes undone; None for a blank."""
    if cell is None or cell is NO_CACHE:
        return None
    if isinstance(cell, bool):
        return "是" if cell else "否"
    text = format(cell, "f") if hasattr(cell, "as_tuple") else str(cell)
    if not text.strip():
        return None
    return unescape_text(text)


def _raw(cell: object) -> object:
    """A value cell as given to :func:`~unionforms.core.values.coerce`: numbers kept, text unescaped."""
    if isinstance(cell, str):
        return unescape_text(cell) if cell.strip() else None
    return cell


def _row_name(file: str, sheet: str | None, first: int, last: int | None = None) -> str:
    rows = f"row {first}" if last is None or last == first else f"rows {first}-{last}"
    return f"{file}#{sheet + ' ' if sheet else ''}{rows}"


def _form_of(name: str, cells: Mapping[str, object], registry: Registry) -> Form:
    form_id = _text(cells.get("form"))
    if form_id is None:
        raise InputError("IN-080", file=name)
    try:
        return registry.get(form_id.strip())
    except InputError as exc:  # IN-003, the form is not installed: said of this row
        known = exc.params.get("known")
        raise InputError("IN-003", form_id=form_id, known=known, file=name) from None


def _meta(
    form: Form, cells: Mapping[str, object], name: str, sheet: str | None
) -> tuple[Meta, list[Finding]]:
    kept: dict[str, object] = {}
    findings: list[Finding] = []
    for entry in _META:
        raw = cells.get(entry)
        typed = coerce_header(form.header, entry, _raw(raw))
        if isinstance(typed, ValueProblem):
            place = f"{form.header.label(entry)}（{entry}）"
            findings.append(
                finding(typed.code, place=place, **typed.params, values=(raw,), file=name, sheet=sheet)
            )
        elif typed is not None:
            kept[entry] = typed
    return Meta(**kept), findings  # type: ignore[arg-type]


def _cells(number: int, header: Sequence[str], cells: Sequence[object], name: str) -> dict[str, object]:
    if len(cells) > len(header) and any(_text(c) is not None for c in cells[len(header) :]):
        raise InputError("IN-081", cells=len(cells), columns=len(header), file=name)
    return {h: c for h, c in zip(header, cells, strict=False) if h}


def _read_wide(
    file: str,
    sheet: str | None,
    header: list[str],
    rows: Iterator[tuple[int, Sequence[object]]],
    registry: Registry,
) -> Iterator[TableEntry]:
    letters = {h: column_letters(i + 1) for i, h in enumerate(header)}
    for number, cells in rows:
        if isinstance(cells, BadRow):  # a quote never closed: this row alone is unusable
            name = _row_name(file, sheet, number)
            yield InputError("IN-083", detail=cells.detail, file=name)
            continue
        if all(_text(c) is None for c in cells):
            continue
        name = _row_name(file, sheet, number)
        try:
            row = _cells(number, header, cells, name)
            if _text(row.get("form")) == COLUMN_LABELS["form"]:
                continue  # the labels row
            form = _form_of(name, row, registry)
            explanations = _explanations(row.get("explanations"), name)
        except InputError as exc:
            yield exc
            continue
        meta, findings = _meta(form, row, name, sheet)
        raw = {h: _raw(c) for h, c in row.items() if h not in WIDE_FIXED}
        raw = {h: v for h, v in raw.items() if v is not None}
        source = Source(file=name, sheet=sheet, cells={h: f"{letters[h]}{number}" for h in raw})
        yield _result(form, meta, raw, source, findings, explanations, row.get("provenance"))


def _no_cache(form: Form, raw: dict[str, object], source: Source) -> list[Finding]:
    """VAL-007 for each formula cell the file holds no result of (the value is taken out of ``raw``)."""
    findings = []
    for code in [c for c, v in raw.items() if v is NO_CACHE]:
        del raw[code]
        field = form.fields.get(code)
        cell = source.cells.get(code)
        label = field.label if field else ""
        findings.append(
            finding(
                "VAL-007",
                place=f"{code}（{cell}） {label}",
                fields=(code,),
                file=source.file,
                sheet=source.sheet,
                cells=(cell,) if cell else (),
            )
        )
    return findings


def _place(form: Form, code: str) -> str:
    field = form.fields.get(code)
    return f"{code} {field.label}" if field else code


def _provenance(cell: object) -> dict[str, Any] | None:
    ref = _text(cell)
    return {"ref": ref} if ref else None


#: The columns whose values tell one return of a long table from the next.
_LONG_KEY = ("form", "unit", "filled_by", "phone", "date", "source_file", "explanations")


def _read_long(
    file: str,
    sheet: str | None,
    header: list[str],
    rows: Iterator[tuple[int, Sequence[object]]],
    registry: Registry,
) -> Iterator[TableEntry]:
    key_columns = _LONG_KEY
    group: list[tuple[int, dict[str, object]]] = []
    key: tuple[str | None, ...] | None = None
    for number, cells in rows:
        if isinstance(cells, BadRow):  # a quote never closed: this row alone is unusable
            name = _row_name(file, sheet, number)
            yield InputError("IN-083", detail=cells.detail, file=name)
            continue
        if all(_text(c) is None for c in cells):
            continue
        try:
            row = _cells(number, header, cells, _row_name(file, sheet, number))
        except InputError as exc:
            yield exc
            continue
        row_key = tuple(_text(row.get(c)) for c in key_columns)
        if group and row_key != key:
            yield _long_return(file, sheet, header, group, registry)
            group = []
        key = row_key
        group.append((number, row))
    if group:
        yield _long_return(file, sheet, header, group, registry)


def _long_return(
    file: str,
    sheet: str | None,
    header: list[str],
    group: list[tuple[int, dict[str, object]]],
    registry: Registry,
) -> TableEntry:
    name = _row_name(file, sheet, group[0][0], group[-1][0])
    first = group[0][1]
    try:
        form = _form_of(name, first, registry)
        explanations = _explanations(first.get("explanations"), name)
    except InputError as exc:
        return exc
    value_col = column_letters(header.index("value") + 1)
    meta, findings = _meta(form, first, name, sheet)
    raw: dict[str, object] = {}
    cells: dict[str, str] = {}
    for number, row in group:
        code = _text(row.get("code"))
        value = _raw(row.get("value"))
        if code is None:
            if value is not None:
                findings.append(
                    finding(
                        "VAL-011",
                        row=number,
                        value=value,
                        values=(value,),
                        file=name,
                        sheet=sheet,
                        cells=(f"{value_col}{number}",),
                    )
                )
            continue
        if code in raw:
            findings.append(
                finding(
                    "VAL-010",
                    place=_place(form, code),
                    row=number,
                    fields=(code,),
                    values=(value,),
                    file=name,
                    sheet=sheet,
                    cells=(f"{value_col}{number}",),
                )
            )
            continue
        if value is not None:
            raw[code] = value
            cells[code] = f"{value_col}{number}"
    source = Source(file=name, sheet=sheet, cells=cells)
    return _result(form, meta, raw, source, findings, explanations, first.get("provenance"))


def _result(
    form: Form,
    meta: Meta,
    raw: dict[str, object],
    source: Source,
    findings: list[Finding],
    explanations: Mapping[str, str],
    provenance: object,
) -> ReadResult:
    """The return one row (wide) or group of rows (long) holds: its values typed as a template's are,
    with the findings of reading it."""
    findings += _no_cache(form, raw, source)
    typed, problems = typed_values(form, Report(form.id, meta, raw), source)
    report = Report(form.id, meta, typed, explanations)
    return ReadResult(form, report, source, (*findings, *problems), _provenance(provenance))


# --- files ----------------------------------------------------------------------------------------


def csv_encoding(path: str | Path) -> str:
    """The encoding of a CSV file, found as a report's is (:func:`.text.text_encoding`): UTF-8 (with or
    without BOM), UTF-16 (LibreOffice's "Unicode"), else GB18030 (what Excel on Chinese Windows saves)."""
    try:
        with open_input(path, limit=MAX_TABLE_BYTES) as fh:  # a regular file (IN-090), bounded (IN-091)
            return text_encoding(iter(lambda: fh.read(1 << 20), b""))
    except OSError as exc:
        raise unreadable(str(path), exc) from None


class BadRow(list[str]):
    """A CSV row that cannot be parsed (a quote never closed): its own unusable input, IN-083."""

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail


def csv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV file with their row numbers (1 for the header), streamed. A quote never closed
    makes its row a :class:`BadRow` and the lines after that row's first are read as rows again: it
    never swallows the rest of the table."""
    encoding = csv_encoding(path)

    @contextlib.contextmanager
    def text() -> Iterator[io.TextIOWrapper]:
        with (
            open_input(path, limit=MAX_TABLE_BYTES) as raw,
            io.TextIOWrapper(raw, encoding, newline="") as fh,
        ):
            yield fh

    try:
        yield from enumerate(_rows_of(text), start=1)
    except OSError as exc:
        raise unreadable(str(path), exc) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError("IN-083", detail=f"{type(exc).__name__}: {exc}", file=str(path)) from None


def _rows_of(text: Callable[[], contextlib.AbstractContextManager[io.TextIOWrapper]]) -> Iterator[list[str]]:
    """The rows of the text ``text()`` opens, read by the csv module at its own speed. Only the last row
    is checked for a quote never closed (the csv module then takes every following line into its last
    field); such a row is a :class:`BadRow`, and reading starts again on the line after its first."""
    skip = 0  # lines before the run being read
    while True:
        with text() as fh:
            for _ in range(skip):
                fh.readline()
            reader = csv.reader(fh)
            held: tuple[int, list[str]] | None = None
            start = skip  # the lines before the next row
            for row in reader:
                if held is not None:
                    yield held[1]
                held = (start, row)
                start = skip + reader.line_num
        if held is None:
            return
        first = held[0]  # the lines before the last row
        with text() as fh:
            for _ in range(first):
                fh.readline()
            detail = _unclosed(fh.read())
        if detail is None:
            yield held[1]
            return
        yield BadRow(detail)
        skip = first + 1  # read on from the line after the bad row's first


def _unclosed(rest: str) -> str | None:
    """Why ``rest`` ends inside a quoted field, or None when it does not."""
    try:
        for _ in csv.reader(io.StringIO(rest, newline=""), strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return f"csv.Error: {exc} (a quote not closed)"
    return None


def read_csv(path: str | Path, registry: Registry) -> Iterator[TableEntry]:
    """The returns of a long or wide CSV table, each row (or run of rows) its own input; a table of more
    than :data:`MAX_TABLE_RETURNS` returns is refused whole (IN-065) after a quick count of its rows,
    before any is read as a return."""
    try:
        if Path(path).stat().st_size > _COUNT_ABOVE and _count_returns(path) > MAX_TABLE_RETURNS:
            yield InputError("IN-065", limit=MAX_TABLE_RETURNS, file=str(path))
            return
        yield from read_table(str(path), csv_rows(path), registry)
    except InputError as exc:
        yield exc
    except OSError as exc:
        yield unreadable(str(path), exc)


#: Tables larger than this are counted before they are read (a smaller one cannot hold too many returns).
_COUNT_ABOVE = 4 << 20


def _count_returns(path: str | Path) -> int:
    """How many returns a CSV table holds, counted over its rows without reading any as a return: a wide
    table's rows but the header and labels row; a long table's runs of rows of one return."""
    rows = csv_rows(path)
    _, header = next(rows, (0, []))
    if "form" not in header:
        return 0
    if "code" in header and "value" in header:  # long: a return is a run of rows with one key
        columns = [header.index(c) for c in _LONG_KEY if c in header]
        keys = (tuple(row[i] if i < len(row) else "" for i in columns) for _, row in rows if any(row))
        return sum(1 for _ in itertools.groupby(keys))
    at = header.index("form")
    labels = COLUMN_LABELS["form"]
    return sum(1 for _, row in rows if any(row) and not (len(row) > at and row[at] == labels))


def read_xlsx_table(path: str | Path, registry: Registry) -> Iterator[TableEntry]:
    """The returns of every sheet of a long or wide xlsx table (one sheet per form, as we write it)."""
    try:
        sheets = read_sheets(path)
    except InputError as exc:
        yield exc
        return
    tables = [sheet for sheet in sheets if sheet.rows and "form" in _header(sheet)]
    if not tables:  # no sheet is a table: a workbook that is neither a template nor a table
        yield InputError("IN-030", id_sheet=ID_SHEET, file=str(path))
        return
    for sheet in sheets:
        if not sheet.rows:
            continue
        width = max((column_number(c) for cells in sheet.rows.values() for c in cells), default=0)
        rows = (
            (number, [cells.get(column_letters(i)) for i in range(1, width + 1)])
            for number, cells in sheet.rows.items()
        )
        try:
            yield from read_table(str(path), rows, registry, sheet=sheet.name)
        except InputError as exc:
            yield exc


def _header(sheet: SheetRows) -> list[str | None]:
    first = sheet.rows[min(sheet.rows)]
    return [_text(v) for v in first.values()]
