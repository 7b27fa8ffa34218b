"""Read a filled unionforms template (.xlsx) into a typed report, fast and without trusting the file.

The workbook contract (written by the template writer):

- a hidden sheet ``_unionforms``: A1 ``unionforms`` / B1 contract version, A2 ``form`` / B2 form id,
  A3 ``version`` / B3 definition version, A4 ``sheet`` / B4 the main sheet's name;
- workbook-scope defined names ``F_<code>`` (``.`` in the code written ``_``) for every field, and
  ``H_unit``, ``H_filled_by``, ``H_phone``, ``H_date`` for the header, each naming one cell.

Only the parts needed are parsed: ``xl/workbook.xml`` and its relationships, the ``_unionforms`` sheet,
the sheet(s) the names point at (streamed; only the named cells kept; parsing stops after the last
named row), and the shared strings up to the last one used. Numbers go from the file's text straight to
:class:`~decimal.Decimal`, never through binary floating point. The values are then typed and checked
by :func:`unionforms.validate.typed_values`, as for every other reader.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import InputError
from ..findings import Finding, Severity
from ..model import Form
from ..registry import Registry
from ..report import Meta, ReadResult, Report, Source
from ..validate import typed_values
from ..values import Problem, coerce_header
from .cells import NO_CACHE, Cell, cell_text, cell_value, read_cells, read_strings
from .contract import CONTRACT_VERSION, HEADER_NAMES, ID_SHEET, field_name
from .ooxml import Book, Name, cell_names, read_book, sheet_part
from .safety import SafeZip

_ID_ROWS = 20  # rows of the _unionforms sheet read as key/value pairs
_NOT_TEMPLATE_HINT = "generate a template with `unionforms blank FORM`, fill it in and send that file"


def read_xlsx(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a filled template: its form, typed report, cell locations and the findings met reading it.

    InputError when the file is unusable: IN-001 unreadable, IN-002 not an xlsx or not a unionforms
    template, IN-003 unknown form, IN-004 another form or definition version than ``expect`` (or than
    the one registered), IN-005 too large or hostile. Values that cannot be typed, formulas without a
    computed result and a header date that is not a date are findings. Rules are not checked here.
    """
    file = str(path)
    with SafeZip(path) as zf:
        book = read_book(zf, file)
        id_part = sheet_part(book, ID_SHEET, file, required=False)
        if id_part is None:
            raise InputError(
                "IN-002",
                f"not a unionforms template: the workbook has no {ID_SHEET!r} sheet",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
            )
        names = cell_names(book)
        wanted: dict[str, set[str]] = {}
        for name in names.values():
            if name.cell is not None and name.sheet in book.sheets:
                wanted.setdefault(name.sheet, set()).add(name.cell)
        id_refs = {f"{col}{row}" for row in range(1, _ID_ROWS + 1) for col in "AB"}
        id_cells = read_cells(zf, id_part, id_refs)
        sheet_cells: dict[str, dict[str, Cell]] = {}
        for sheet, refs in wanted.items():
            part = sheet_part(book, sheet, file, required=True)
            assert part is not None
            sheet_cells[sheet] = read_cells(zf, part, refs)
        needed = {
            int(c.v)
            for cells in (id_cells, *sheet_cells.values())
            for c in cells.values()
            if c.type == "s" and c.v is not None and c.v.strip().isascii() and c.v.strip().isdigit()
        }
        strings = read_strings(zf, book.strings_part, needed)

    form, main_sheet = _identify(id_cells, strings, registry, expect, file)
    return _build(form, main_sheet, book, names, sheet_cells, strings, file)


def _identify(
    cells: Mapping[str, Cell], strings: Mapping[int, str], registry: Registry, expect: Form | None, file: str
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
        raise InputError(
            "IN-002",
            f"not a unionforms template: the {ID_SHEET!r} sheet does not name the form",
            hint=_NOT_TEMPLATE_HINT,
            file=file,
        )
    if contract != CONTRACT_VERSION:
        raise InputError(
            "IN-002",
            f"the workbook follows template contract {contract!r}; "
            f"this unionforms reads {CONTRACT_VERSION!r}",
            hint="upgrade unionforms, or fill in a template generated by this version",
            file=file,
            form=form_id,
        )
    version = entries.get("version", "")
    if expect is not None and (form_id, version) != (expect.id, expect.version):
        raise InputError(
            "IN-004",
            f"this file is form {form_id} (definition version {version or '?'}), "
            f"but {expect.id} (version {expect.version}) was expected",
            hint=f"fill in a template generated by `unionforms blank {expect.id}` "
            f"(请使用 {expect.id} 的模板填报)",
            file=file,
            form=form_id,
        )
    try:
        form = registry.get(form_id)
    except InputError as exc:
        raise InputError("IN-003", exc.message, hint=exc.hint, file=file, form=form_id) from None
    if version != form.version:
        raise InputError(
            "IN-004",
            f"this file is definition version {version or '?'} of form {form_id}, "
            f"but the installed definition is version {form.version}",
            hint=f"fill in a new template from `unionforms blank {form_id}`, or install the plugin version "
            "the template was made with",
            file=file,
            form=form_id,
        )
    return form, entries.get("sheet") or None


# --- the report ----------------------------------------------------------------------------------


def _build(
    form: Form,
    declared_sheet: str | None,
    book: Book,
    names: Mapping[str, Name],
    sheet_cells: Mapping[str, Mapping[str, Cell]],
    strings: Mapping[int, str],
    file: str,
) -> ReadResult:
    located = {code: names.get(field_name(code).upper()) for code in form.fields}
    counts = Counter(n.sheet for n in located.values() if n is not None and n.cell is not None)
    if counts:
        main = counts.most_common(1)[0][0]
        if declared_sheet is not None and counts.get(declared_sheet) == counts[main]:
            main = declared_sheet
    else:
        main = declared_sheet or ""
    header = {attr: names.get(name.upper()) for attr, name in HEADER_NAMES.items()}
    used = [(field_name(code), n) for code, n in located.items()]
    used += [(HEADER_NAMES[attr], n) for attr, n in header.items()]
    for key, name in used:
        if name is None:
            continue
        if name.problem is not None:
            raise InputError(
                "IN-002",
                f"{name.problem}: the template is damaged",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
                form=form.id,
            )
        if name.cell is not None and name.sheet not in book.sheets:
            raise InputError(
                "IN-002",
                f"defined name {key} points at sheet {name.sheet!r}, which the workbook does not have",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
                form=form.id,
            )

    def where(name: Name) -> str:
        assert name.cell is not None
        return name.cell if name.sheet == main else f"{name.sheet}!{name.cell}"

    cells: dict[str, str] = {}
    raw: dict[str, object] = {}
    formula_findings: dict[str, Finding] = {}
    for code, name in located.items():
        if name is None or name.cell is None:
            continue
        ref = where(name)
        cells[code] = ref
        cell = sheet_cells.get(name.sheet, {}).get(name.cell)
        if cell is None:
            continue
        value = cell_value(cell, strings, file, ref)
        if value is NO_CACHE:
            field = form.fields[code]
            formula_findings[code] = Finding(
                "VAL-007",
                Severity.ERROR,
                f"{code}（{ref}） {field.label}：该单元格是公式，但文件中没有公式的计算结果。"
                "请用 Excel、WPS 或 LibreOffice 打开并保存一次，或直接填写数字。",
                fields=(code,),
                values=(f"={cell.formula}",),
                file=file,
                sheet=main or None,
                cells=(ref,),
            )
        elif value is not None:
            raw[code] = value
    source = Source(file=file, sheet=main or None, cells=cells)
    meta, meta_findings = _meta(form, header, sheet_cells, strings, book.date1904, file, main, where)
    report = Report(form.id, meta, raw)
    typed, problems = typed_values(form, report, source)
    order = {code: i for i, code in enumerate(form.fields)}
    field_findings = sorted(
        [*formula_findings.values(), *problems], key=lambda f: order.get(f.fields[0], 0) if f.fields else 0
    )
    return ReadResult(form, Report(form.id, meta, typed), source, tuple(meta_findings + field_findings))


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
            problem: object = Problem(
                "VAL-007",
                "该单元格是公式，但文件中没有公式的计算结果。"
                "请用 Excel、WPS 或 LibreOffice 打开并保存一次，或直接填写。",
            )
            value = f"={cell.formula}"
        else:
            problem = coerce_header(form.header, attr, value, date1904=date1904)
        if isinstance(problem, Problem):
            findings.append(
                Finding(
                    problem.code,
                    Severity.ERROR,
                    f"{form.header.label(attr)}（{ref}）：{problem.message}",
                    values=(value,),
                    file=file,
                    sheet=main or None,
                    cells=(ref,),
                )
            )
        elif problem is not None:
            kept[attr] = problem
    return Meta(**kept), findings  # type: ignore[arg-type]
