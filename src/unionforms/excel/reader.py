"""Read a filled unionforms template (.xlsx) into a typed report, fast and without trusting the file.

The workbook contract (written by the template writer):

- a hidden sheet ``_unionforms``: A1 ``unionforms`` / B1 contract version, A2 ``form`` / B2 form id,
  A3 ``version`` / B3 definition version, A4 ``sheet`` / B4 the main sheet's name;
- workbook-scope defined names ``F_<code>`` (``.`` in the code written ``_``) for every field, and
  ``H_unit``, ``H_filled_by``, ``H_phone``, ``H_date`` for the header, each naming one cell.

Only the parts needed are parsed: ``xl/workbook.xml`` and its relationships, the ``_unionforms`` sheet,
the sheet(s) the names point at (only the named cells kept, up to the end of sheetData; see
:mod:`.sheetscan`), and the shared strings up to the last one used. Numbers go from the file's text
straight to :class:`~decimal.Decimal` or int, never through binary floating point; a number in a 万元
cell is read at its field's declared precision (3.7 stored -> 3.70), since a cell does not keep the
places typed. A plain stored number is typed in one step (:func:`unionforms.core.values.typed_number`);
every other value is typed and checked by :func:`unionforms.core.validate.typed_value`, as for every other
reader. Where a template's names put the fields is worked out once per form and workbook.xml.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from unionforms.core.errors import InputError
from unionforms.core.findings import Finding, finding
from unionforms.core.model import Form
from unionforms.core.report import Meta, ReadResult, Report, Source
from unionforms.core.units import Kind
from unionforms.core.validate import marked_value, typed_value
from unionforms.core.values import Value, ValueProblem, coerce_header, typed_number
from unionforms.excel.cells import NO_CACHE, Cell, cell_text, cell_value, read_strings
from unionforms.excel.contract import (
    CONTRACT_VERSION,
    EXPLAIN_PREFIX,
    FIELD_PREFIX,
    FINGERPRINT_KEY,
    HEADER_NAMES,
    ID_SHEET,
    explain_name,
    field_name,
    fingerprint,
)
from unionforms.excel.ooxml import Book, Name, read_book, sheet_part
from unionforms.excel.safety import SafeZip
from unionforms.excel.sheetscan import read_cells
from unionforms.plugins.registry import Registry

_ID_ROWS = 20  # rows of the _unionforms sheet read as key/value pairs
_ID_REFS = frozenset(f"{col}{row}" for row in range(1, _ID_ROWS + 1) for col in "AB")


def read_xlsx(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a filled template: its form, typed report, cell locations and the findings met reading it.

    InputError when the file is unusable (codes IN-0xx of the catalogue): unreadable, not an xlsx, not a
    unionforms template, an unknown form, another form or definition version than ``expect`` (or than
    the one registered), an identity sheet edited to another form or version (IN-035), too large or
    hostile. Values that cannot be typed, formulas without a computed result, a header date that is not a
    date, and a field whose cell name was deleted (TPL-001) are findings. Rules are not checked here.
    """
    file = str(path)
    with SafeZip(path) as zf:
        book = read_book(zf, file)
        names = book.cell_names
        id_part = sheet_part(book, ID_SHEET, file)
        if id_part is None:
            has_fields = any(key.startswith(FIELD_PREFIX) for key in names)
            raise InputError("IN-031" if has_fields else "IN-030", id_sheet=ID_SHEET, file=file)
        id_cells = read_cells(zf, id_part, _ID_REFS)
        sheet_cells: dict[str, dict[str, Cell]] = {}
        for sheet, refs in book.named_cells.items():
            part = sheet_part(book, sheet, file)
            assert part is not None
            sheet_cells[sheet] = read_cells(zf, part, refs)
        needed = {
            int(c.v)
            for cells in (id_cells, *sheet_cells.values())
            for c in cells.values()
            if c.type == "s" and c.v is not None and c.v.strip().isascii() and c.v.strip().isdigit()
        }
        strings = read_strings(zf, book.strings_part, needed)

    form, main_sheet = _identify(id_cells, strings, registry, expect, names, file, book.memo)
    if registry.adjusts_templates:  # a hook that moves cells makes templates that read wrong: PLUG-012
        from unionforms.excel.writer import check_hooks  # openpyxl: only where a plugin adjusts templates

        check_hooks(form, registry)
    return _build(form, main_sheet, book, names, sheet_cells, strings, file)


def _identify(
    cells: Mapping[str, Cell],
    strings: Mapping[int, str],
    registry: Registry,
    expect: Form | None,
    names: Mapping[str, Name],
    file: str,
    memo: dict[object, object],
) -> tuple[Form, str | None]:
    entries: dict[str, str] = {}
    for row in range(1, _ID_ROWS + 1):
        key_cell, value_cell = cells.get(f"A{row}"), cells.get(f"B{row}")
        if key_cell is None:
            continue
        key = cell_text(cell_value(key_cell, strings, file, f"{ID_SHEET}!A{row}"))
        value = cell_text(cell_value(value_cell, strings, file, f"{ID_SHEET}!B{row}")) if value_cell else None
        if key:
            entries.setdefault(key.lower(), value or "")
    contract = entries.get("unionforms")
    form_id = entries.get("form")
    if contract is None or not form_id:
        raise InputError("IN-032", id_sheet=ID_SHEET, file=file)
    if contract != CONTRACT_VERSION:
        raise InputError("IN-033", contract=contract, supported=CONTRACT_VERSION, file=file, form=form_id)
    version = entries.get("version", "")
    stored = entries.get(FINGERPRINT_KEY)
    if expect is not None and form_id != expect.id:
        raise InputError("IN-004", found=form_id, expected=expect.id, file=file, form=form_id)
    try:
        form = registry.get(form_id)
    except InputError as exc:
        exc.file, exc.form = file, form_id
        raise
    if stored:
        memo_key = ("fingerprint", form_id, version, stored)
        checked = memo.get(memo_key)
        if not (isinstance(checked, tuple) and checked[0] is form):
            _check_fingerprint(form, form_id, version, stored, names, file)
            memo[memo_key] = (form,)  # passed: the same names and identity need no second look
    if version != form.version:
        raise InputError("IN-034", version=version or "?", installed=form.version, file=file, form=form_id)
    return form, entries.get("sheet") or None


def _check_fingerprint(
    form: Form, form_id: str, version: str, stored: str, names: Mapping[str, Name], file: str
) -> None:
    """IN-035 when the identity sheet names another form or version than the layout was written for.

    With every name of the form intact the fingerprint decides. With some deleted or broken (each is a
    TPL finding later) it cannot be recomputed; then names of fields the named form does not have
    betray another form's template. The explanation cells (``EXPL_<n>``) are not part of the layout.
    """
    fields = {field_name(code).upper() for code in form.fields}
    wanted = fields | {name.upper() for name in HEADER_NAMES.values()}
    intact = {
        key: n.cell for key, n in names.items() if n.cell is not None and not key.startswith(EXPLAIN_PREFIX)
    }
    if wanted <= set(intact):
        altered = fingerprint(form_id, version, intact) != stored
    else:
        altered = any(key.startswith(FIELD_PREFIX) and key not in fields for key in names)
    if altered:
        raise InputError("IN-035", id_sheet=ID_SHEET, version=version or "?", file=file, form=form_id)


# --- the report ----------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class _Plan:
    """Where a template's names put a form's fields, header and explanations: the same for every return
    written from one template, so worked out once per form and workbook.xml (kept in ``Book.memo``)."""

    form: Form
    main: str
    structure: tuple[tuple[str, dict[str, object]], ...]  # TPL-002/TPL-003: code and parameters
    located: tuple[tuple[str, Name | None, str], ...]  # code, its name (None: unusable), its cell as shown
    header: Mapping[str, Name | None]
    explained: tuple[tuple[str, Name], ...]  # rule id, the name of its EXPL cell
    cells: Mapping[str, str]  # code -> cell as shown, for Source
    places: Mapping[str, int]  # code -> declared decimals of a 万元 field
    kinds: Mapping[str, Kind]


def _plan(form: Form, declared_sheet: str | None, book: Book, file: str) -> _Plan:
    key = ("plan", form.id, form.version, declared_sheet)
    found = book.memo.get(key)
    if isinstance(found, _Plan) and found.form is form:
        return found
    names = book.cell_names

    def usable(name: Name | None) -> Name | None:
        return name if name is not None and name.cell is not None and name.sheet in book.sheets else None

    located = {code: usable(names.get(field_name(code).upper())) for code in form.fields}
    counts = Counter(n.sheet for n in located.values() if n is not None)
    declared = _sheet_named(book, declared_sheet)
    structure: list[tuple[str, dict[str, object]]] = []
    if counts:
        main = counts.most_common(1)[0][0]
        if declared is not None and counts.get(declared) == counts[main]:
            main = declared
        elif declared_sheet is not None and declared is None:
            structure.append(("TPL-003", {"sheet": main, "declared": declared_sheet}))
    elif declared_sheet is not None and declared is None:
        raise InputError("IN-036", sheet=declared_sheet, file=file, form=form.id)
    else:
        main = declared or declared_sheet or ""
    header = {attr: usable(names.get(name.upper())) for attr, name in HEADER_NAMES.items()}
    for attr, defined in HEADER_NAMES.items():
        if header[attr] is None:
            place = form.header.label(attr)
            structure.append(("TPL-002", {"place": place, "name": defined, "sheet": main or None}))

    def where(name: Name | None) -> str:
        if name is None or name.cell is None:
            return ""
        return name.cell if name.sheet == main else f"{name.sheet}!{name.cell}"

    explained = []
    for i, rule in enumerate(form.rules, start=1):
        name = names.get(explain_name(i).upper())
        if name is not None and name.cell is not None:
            explained.append((rule.id, name))
    places = {code: p for code in form.fields if (p := form.declared_decimals(code)) is not None}
    plan = _Plan(
        form,
        main,
        tuple(structure),
        tuple((code, name, where(name)) for code, name in located.items()),
        header,
        tuple(explained),
        {code: where(name) for code, name in located.items() if name is not None},
        places,
        {code: field.kind for code, field in form.fields.items()},
    )
    book.memo[key] = plan
    return plan


def _build(
    form: Form,
    declared_sheet: str | None,
    book: Book,
    names: Mapping[str, Name],
    sheet_cells: Mapping[str, Mapping[str, Cell]],
    strings: Mapping[int, str],
    file: str,
) -> ReadResult:
    plan = _plan(form, declared_sheet, book, file)
    main = plan.main
    structure = [finding(code, **params, file=file) for code, params in plan.structure]  # type: ignore[arg-type]
    source = Source(file=file, sheet=main or None, cells=dict(plan.cells))
    places, kinds = plan.places, plan.kinds
    typed: dict[str, Value] = {}
    field_findings: list[Finding] = []
    for code, name, ref in plan.located:
        if name is None:
            field = form.fields[code]
            written = names.get(field_name(code).upper())
            field_findings.append(
                finding(
                    "TPL-001",
                    place=f"{code} {field.label}",
                    name=field_name(code),
                    fields=(code,),
                    file=file,
                    sheet=main or None,
                    detail=f"{field_name(code)} = {written.text}" if written is not None else None,
                )
            )
            continue
        cells = sheet_cells.get(name.sheet)
        cell = cells.get(name.cell) if cells is not None and name.cell is not None else None
        if cell is None:
            continue
        if cell.type == "n" and cell.v:  # a number as stored: typed in one step
            number = typed_number(kinds[code], places.get(code), cell.v)
            if number is not None:
                typed[code] = number
                continue
        raw = cell_value(cell, strings, file, ref)
        if raw is NO_CACHE:
            field_findings.append(
                finding(
                    "VAL-007",
                    place=f"{code}（{ref}） {form.fields[code].label}",
                    fields=(code,),
                    values=(f"={cell.formula}",),
                    file=file,
                    sheet=main or None,
                    cells=(ref,),
                )
            )
            continue
        value = typed_value(form, source, code, raw)
        if isinstance(value, Finding):
            field_findings.append(value)
            value = marked_value(form, code, raw)  # a 不适用 mark is read (its VAL-012 says as what)
        if value is not None:
            typed[code] = value

    def where(name: Name) -> str:
        assert name.cell is not None
        return name.cell if name.sheet == main else f"{name.sheet}!{name.cell}"

    meta, meta_findings = _meta(form, plan.header, sheet_cells, strings, book.date1904, file, main, where)
    explanations = _explanations(plan.explained, sheet_cells, strings, file)
    findings = (*structure, *meta_findings, *field_findings)
    return ReadResult(form, Report(form.id, meta, typed, explanations), source, findings)


def _sheet_named(book: Book, sheet: str | None) -> str | None:
    """The workbook's name of ``sheet`` (sheet names are case-insensitive), or None if it has none."""
    if sheet is None:
        return None
    if sheet in book.sheets:
        return sheet
    return next((n for n in book.sheets if n.casefold() == sheet.casefold()), None)


def _explanations(
    explained: tuple[tuple[str, Name], ...],
    sheet_cells: Mapping[str, Mapping[str, Cell]],
    strings: Mapping[int, str],
    file: str,
) -> dict[str, str]:
    """The filler's 合理性审核说明 from the ``EXPL_<n>`` cells, by rule id; blank cells are left out."""
    out: dict[str, str] = {}
    for rule_id, name in explained:
        cell = sheet_cells.get(name.sheet, {}).get(name.cell or "")
        if cell is None:
            continue
        value = cell_value(cell, strings, file, name.cell or "")
        text = cell_text(value) if value is not NO_CACHE else None
        if text:
            out[rule_id] = text
    return out


def _meta(
    form: Form,
    header: Mapping[str, Name | None],
    sheet_cells: Mapping[str, Mapping[str, Cell]],
    strings: Mapping[int, str],
    date1904: bool,
    file: str,
    main: str,
    where: Callable[[Name], str],
) -> tuple[Meta, list[Finding]]:
    kept: dict[str, object] = {}
    findings: list[Finding] = []
    for attr, name in header.items():
        if name is None or name.cell is None:
            continue
        cell = sheet_cells.get(name.sheet, {}).get(name.cell)
        if cell is None:
            continue
        ref = where(name)
        value = cell_value(cell, strings, file, ref)
        if value is NO_CACHE:
            problem: object = ValueProblem("VAL-007")
            value = f"={cell.formula}"
        else:
            problem = coerce_header(form.header, attr, value, date1904=date1904)
        if isinstance(problem, ValueProblem):
            findings.append(
                finding(
                    problem.code,
                    place=f"{form.header.label(attr)}（{ref}）",
                    **problem.params,
                    values=(value,),
                    file=file,
                    sheet=main or None,
                    cells=(ref,),
                )
            )
        elif problem is not None:
            kept[attr] = problem
    return Meta(**kept), findings  # type: ignore[arg-type]
