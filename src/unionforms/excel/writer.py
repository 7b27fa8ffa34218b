"""Write a form's Excel template — blank or filled — generated from its definition.

The sheet reads like the printed form (title, header, numbered lines, letters, the sentence with the input
cell where the blank stands, units, notes), prints on A4 portrait, and lets the filler type only into
the input cells. Every rule is compiled into a live check (see :mod:`.formulas`).
"""

from __future__ import annotations

import errno
import gc
import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from unionforms.core.display import pretty
from unionforms.core.errors import InputError, PluginError
from unionforms.core.findings import Severity
from unionforms.core.model import Form
from unionforms.core.outputs import atomic_write, cannot_write, check_output
from unionforms.core.units import Kind
from unionforms.excel.adjust import adjust
from unionforms.excel.contract import (
    CONTRACT_VERSION,
    DATE_PLACEHOLDER,
    FIELD_PREFIX,
    FINGERPRINT_KEY,
    HEADER_NAMES,
    ID_SHEET,
    YESNO_NAME,
    explain_name,
    field_name,
    fingerprint,
)
from unionforms.excel.formulas import ERROR, VERDICTS, WARNING, verdict_formula
from unionforms.excel.layout import (
    CHECK_COLUMN,
    COLUMNS,
    EXPLAIN_COLUMN,
    MARGIN_BOTTOM,
    MARGIN_FOOTER,
    MARGIN_HEADER,
    MARGIN_SIDE,
    MARGIN_TOP,
    PRINT_SCALE,
    WIDTHS,
    Phrase,
    SheetLayout,
    notes_text,
    plan,
    row_height,
)
from unionforms.excel.paper import BODY_FONT, page_footer
from unionforms.plugins.registry import Registry

_BODY = BODY_FONT
_TITLE = "黑体"
# Colours carry their alpha byte: "000000" is written 00000000, which programs that honour alpha (Gnumeric)
# draw as transparent, so the borders vanish there.
_BLACK, _GREY = "FF000000", "FF808080"
_THIN = Side(style="thin", color=_BLACK)
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNDER = Border(bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFF9E5")
# A differential (conditional-format) fill is painted from bgColor by Excel, from fgColor by others: set both.
_RED = PatternFill("solid", fgColor="FFFFC7CE", bgColor="FFFFC7CE")
_YELLOW = PatternFill("solid", fgColor="FFFFEB9C", bgColor="FFFFEB9C")
_UNLOCKED = Protection(locked=False)
_FORMATS = {Kind.COUNT: "0", Kind.MONEY: "0.00##", Kind.FLAG: "@"}
_DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def build_workbook(
    form: Form, *, password: str | None = None, registry: Registry | None = None
) -> tuple[Workbook, SheetLayout]:
    """The blank template of ``form`` as an openpyxl workbook (:mod:`.fill` fills it)."""
    layout = plan(form)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = layout.sheet
    _page(ws, layout)
    _header(ws, form, layout)
    _lines(ws, form, layout)
    _notes(ws, form, layout)
    _checks(ws, form, layout)
    _names(wb, form, layout)
    _id_sheet(wb, form, layout, password)
    ws.protection.sheet = True
    if password:
        ws.protection.password = password
    wb.calculation.fullCalcOnLoad = True
    if registry is not None and registry.adjusts_templates:
        adjust(registry, form, wb, ws, layout)  # each plugin's hook, checked: PLUG-010 … PLUG-013
    _fingerprint(wb, form)
    return wb, layout


#: What the hooks gave on each form's template in this process: None (they hold) or the error, beside the
#: registry asked (kept, so that its id is not reused by another while the entry stands).
_CHECKED: dict[tuple[str, str, int], tuple[Registry, PluginError | None]] = {}


def check_hooks(form: Form, registry: Registry) -> None:
    """The error the plugins' hooks give on ``form``'s template, if any, for a reader: a template those
    hooks made reads figures into the wrong fields. The template is built once per process and form."""
    key = (form.id, form.version, id(registry))
    if key not in _CHECKED:
        try:
            build_workbook(form, registry=registry)
        except PluginError as exc:
            _CHECKED[key] = (registry, exc)
        else:
            _CHECKED[key] = (registry, None)
    error = _CHECKED[key][1]
    if error is not None:
        raise error


def write_template(
    form: Form,
    path: str | Path,
    *,
    password: str | None = None,
    registry: Registry | None = None,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> SheetLayout:
    """Write the blank template of ``form`` to ``path``, atomically (a filled one: :func:`.fill.fill`).

    ``path`` must end in .xlsx, must not be one of ``inputs`` and must not exist unless ``force``
    (:func:`unionforms.core.outputs.atomic_write`; OUT-001 to OUT-004).
    """
    check_output(path, kind="xlsx", force=force, inputs=inputs)
    wb, layout = build_workbook(form, password=password, registry=registry)
    data = serialise(wb, str(path))
    with atomic_write(path, kind="xlsx", force=force, inputs=inputs) as fh:
        fh.write(data)
    return layout


def serialise(wb: Workbook, file: str) -> bytes:
    """The workbook's bytes; OUT-004 when openpyxl's own temporary files cannot be written (a full disk)."""
    buf = io.BytesIO()
    error: InputError | None = None
    try:
        wb.save(buf)
    except Exception as exc:
        number = write_errno(exc)
        if number is None:
            raise
        error = cannot_write(file, OSError(number, os.strerror(number)))
    if error is not None:
        # openpyxl leaves half-closed writers behind; collect them now, quietly, not at exit with a traceback
        hook = sys.unraisablehook
        sys.unraisablehook = lambda _: None
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise error
    return buf.getvalue()


def write_errno(exc: Exception) -> int | None:
    """The errno of a failed write: an OSError's, or lxml's (openpyxl writes through lxml when installed,
    which reports ``IO_EFBIG``, ``IO_ENOSPC`` … as a SerialisationError); None for any other exception."""
    if isinstance(exc, OSError):
        return exc.errno or errno.EIO
    name = str(exc)
    if type(exc).__name__ == "SerialisationError" and name.startswith("IO_"):
        number = getattr(errno, name.removeprefix("IO_"), errno.EIO)
        return number if isinstance(number, int) else errno.EIO
    return None


def _font(size: float = 11, bold: bool = False, name: str = _BODY, color: str | None = None) -> Font:
    return Font(name=name, size=size, bold=bold, color=color)


def _page(ws: Worksheet, layout: SheetLayout) -> None:
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    for row, height in layout.heights.items():
        ws.row_dimensions[row].height = height
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.scale = PRINT_SCALE  # fixed, so that the planned page breaks hold (layout.PRINT_SCALE)
    # Excel and WPS print without cell colours: no input tint and no check marks on the sealed copy.
    ws.page_setup.blackAndWhite = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP, MARGIN_BOTTOM
    ws.page_margins.header, ws.page_margins.footer = MARGIN_HEADER, MARGIN_FOOTER
    ws.print_title_rows = f"{layout.table_header_row}:{layout.table_header_row}"
    ws.print_area = layout.print_area
    page_footer(ws)
    for row in layout.breaks:
        ws.row_breaks.append(Break(id=row))
        # Gnumeric (1.12) reads rowBreaks as column breaks and colBreaks as row breaks, so it pages as
        # planned only from a column break of the same number; that column (past AL) lies far right of
        # the print area A:E, where Excel, WPS and LibreOffice print nothing.
        ws.col_breaks.append(Break(id=row, max=1048575))


def _header(ws: Worksheet, form: Form, layout: SheetLayout) -> None:
    t = layout.title_row
    ws.merge_cells(f"A{t}:E{t}")
    cell = ws[f"A{t}"]
    cell.value = form.title
    cell.font = _font(18, True, _TITLE)
    cell.alignment = _CENTER
    r1, r2 = layout.header_rows
    h = form.header
    for row, label, target in ((r1, h.unit_label, "unit"), (r2, h.filler_label, "filled_by")):
        ws.merge_cells(f"A{row}:B{row}")
        ws[f"A{row}"].value = f"{label}："
        ws[f"A{row}"].alignment = _RIGHT
        ws[f"A{row}"].font = _font()
        _input(ws[layout.meta[target]])
    date = ws[layout.meta["date"]]
    ws.merge_cells(f"{layout.meta['date']}:E{r1}")
    for col in "DE":  # every cell of a merged input area is unlocked, or Excel refuses typing into it
        _input(ws[f"{col}{r1}"])
    # The date is typed into the printed 年 月 日: blank, the cell shows them with room to write by hand.
    date.value = DATE_PLACEHOLDER
    date.number_format = _DATE_FORMAT
    date.alignment = _RIGHT
    dv = DataValidation(type=None, allow_blank=True)
    dv.promptTitle, dv.prompt, dv.showInputMessage = (
        "填报日期",
        "请填写日期，如 2017-1-15；显示为 2017年1月15日",
        True,
    )
    dv.add(f"{layout.meta['date']}:E{r1}")
    ws.add_data_validation(dv)
    ws[f"D{r2}"].value = f"{h.phone_label}："
    ws[f"D{r2}"].alignment = _RIGHT
    ws[f"D{r2}"].font = _font()
    _input(ws[layout.meta["phone"]])
    ws[layout.meta["phone"]].number_format = "@"
    check = ws[f"{CHECK_COLUMN}{layout.title_row}"]
    check.value = "审核结果（不打印）"
    check.font = _font(10, True)
    check.alignment = _WRAP


def _input(c: Cell) -> None:
    """Make ``c`` an input cell: unlocked, tinted, boxed."""
    c.protection = _UNLOCKED
    c.fill = _INPUT_FILL
    c.border = _UNDER if c.column > 4 or c.row < 4 else _BOX
    c.font = _font()
    # A long entry (a 27-character 填报单位, a phone with an extension) wraps onto the lines its row has
    # room for (layout.UNIT_LINES, PHONE_LINES): Gnumeric ignores shrink-to-fit and would cut it.
    c.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _lines(ws: Worksheet, form: Form, layout: SheetLayout) -> None:
    th = layout.table_header_row
    for col, text in zip(COLUMNS, ("行次", "项", "项目", "填报数", "单位"), strict=True):
        cell = ws[f"{col}{th}"]
        cell.value = text
        cell.font = _font(11, True)
        cell.alignment = _CENTER
        cell.border = _BOX
    # Column A: the line number, one cell per page the line is on ("08", then "08" / "（续）").
    for start, end, label in layout.line_cells:
        if end > start:
            ws.merge_cells(f"A{start}:A{end}")
        for row in range(start, end + 1):
            ws[f"A{row}"].border = _BOX
        ws[f"A{start}"].value = label
        ws[f"A{start}"].alignment = _CENTER
        ws[f"A{start}"].font = _font()
    phrase_at = {row: phrase for row, _, phrase in layout.rows}
    for first, last in layout.sentences:
        # One printed row reads as one sentence: boxed as a whole, its letter cell spanning its phrases.
        starts = [r for r in range(first, last + 1) if phrase_at[r].letter or r == first]
        for a, b in zip(starts, [*starts[1:], last + 1], strict=True):
            if b - 1 > a:
                ws.merge_cells(f"B{a}:B{b - 1}")
            for row in range(a, b):
                ws[f"B{row}"].border = _BOX
        for row in range(first, last + 1):
            edge = Border(
                left=_THIN,
                right=_THIN,
                top=_THIN if row == first else None,
                bottom=_THIN if row == last else None,
            )
            for col in "CDE":
                ws[f"{col}{row}"].border = edge
                ws[f"{col}{row}"].font = _font()
            _phrase(ws, row, phrase_at[row])


def _phrase(ws: Worksheet, row: int, phrase: Phrase) -> None:
    letter = ws[f"B{row}"]
    letter.alignment = _CENTER
    letter.font = _font()
    if phrase.letter:
        letter.value = f"（{phrase.letter}）"
    text = ws[f"C{row}"]
    text.value = phrase.before or None
    text.alignment = _WRAP
    if phrase.field is None:
        ws.merge_cells(f"C{row}:E{row}")
        return
    field = phrase.field
    cell = ws[f"D{row}"]
    _input(cell)
    cell.number_format = _FORMATS[field.kind]
    # D holds the largest figure the reader accepts (15 digits) in every engine's digits (layout.WIDTHS);
    # shrink-to-fit stays for a font with wider digits still, where the engine honours it (Excel, LibreOffice)
    cell.alignment = Alignment(
        horizontal="center" if field.kind is Kind.FLAG else "right", vertical="center", shrink_to_fit=True
    )
    unit = ws[f"E{row}"]
    unit.value = phrase.after
    unit.alignment = _WRAP
    _validation(ws, cell.coordinate, field.code, field.label, field.unit, field.kind)


def _validation(ws: Worksheet, ref: str, code: str, label: str, unit: str, kind: Kind) -> None:
    title = code[:32]
    prompt = f"{label}（{unit}）"[:255]
    if kind is Kind.COUNT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        error = f"{code} 应填写 0 或正整数（{unit}）。"
    elif kind is Kind.MONEY:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        error = f"{code} 应填写不小于 0 的金额（万元）。"
    else:
        dv = DataValidation(type="list", formula1=YESNO_NAME, allow_blank=True)
        error = f"{code} 只能选择“是”或“否”。"
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    dv.errorTitle, dv.error, dv.showErrorMessage = "填写有误", error, True
    dv.add(ref)
    ws.add_data_validation(dv)


def _notes(ws: Worksheet, form: Form, layout: SheetLayout) -> None:
    for row, text in zip(layout.notes_rows, notes_text(form), strict=True):
        ws.merge_cells(f"A{row}:E{row}")
        cell = ws[f"A{row}"]
        cell.value = text
        cell.font = _font(10.5)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _checks(ws: Worksheet, form: Form, layout: SheetLayout) -> None:
    if not form.rules:
        ws[layout.summary_cell].value = "本表没有审核规则"
        return
    first = min(layout.check_rows.values())
    head = ws[f"A{first - 1}"]
    ws.merge_cells(f"A{first - 1}:E{first - 1}")
    head.value = "表内审核（不打印）：逻辑性审核不通过为“错误”，须修改；合理性审核不通过为“警告”，请核实"
    head.font = _font(11, True)
    head.alignment = _WRAP
    ws.row_dimensions[first - 1].height = 30
    grey = _font(9, color=_GREY)
    for i, rule in enumerate(form.rules, start=1):
        row = layout.check_rows[rule.id]
        ws[f"A{row}"].value = i
        ws[f"B{row}"].value = "逻辑" if rule.severity is Severity.ERROR else "合理"
        ws[f"C{row}"].value = f"{pretty(rule.expr)}：{rule.reason}"
        ws[f"C{row}"].alignment = _WRAP
        ws[f"D{row}"].value = verdict_formula(form, rule, layout.fields)
        ws[f"D{row}"].alignment = _CENTER
        ws[f"E{row}"].value = rule.id
        ws[f"E{row}"].font = grey
        for col in "ABCD":
            ws[f"{col}{row}"].font = _font(10)
            ws[f"{col}{row}"].border = _BOX
        ws[f"A{row}"].alignment = _CENTER
        ws[f"B{row}"].alignment = _CENTER
        ws.row_dimensions[row].height = row_height(str(ws[f"C{row}"].value), WIDTHS["C"], 10)
    _explanation_cells(ws, layout, first - 1)
    last = max(layout.check_rows.values())
    verdicts = f"$D${first}:$D${last}"
    ws.conditional_formatting.add(
        f"A{first}:D{last}", FormulaRule(formula=[f'$D{first}="{ERROR}"'], fill=_RED, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        f"A{first}:D{last}", FormulaRule(formula=[f'$D{first}="{WARNING}"'], fill=_YELLOW)
    )
    summary = ws[layout.summary_cell]
    errors, warnings = f'COUNTIF({verdicts},"{ERROR}")', f'COUNTIF({verdicts},"{WARNING}")'
    known = "+".join(f'COUNTIF({verdicts},"{v}")' for v in VERDICTS)
    unread = f"{len(form.rules)}-({known})"  # verdicts naming a cell that is no number
    inputs = ",".join(field_name(c) for c in form.fields)
    summary.value = (
        f'=IF(COUNTA({inputs})=0,"空表：尚未填写任何数字",'
        f'IF({unread}>0,{unread}&" 条审核因单元格不是数字未能进行，见表末审核区",'
        f'IF({errors}+{warnings}=0,"审核通过（未发现问题）",'
        f'{errors}&" 个错误，"&{warnings}&" 个警告，见表末审核区")))'
    )
    summary.font = _font(11, True)
    summary.alignment = _WRAP
    ws.conditional_formatting.add(
        layout.summary_cell,
        FormulaRule(formula=[f"OR({errors}>0,{unread}>0)"], fill=_RED, stopIfTrue=True),
    )
    ws.conditional_formatting.add(
        layout.summary_cell, FormulaRule(formula=[f'COUNTIF({verdicts},"{WARNING}")>0'], fill=_YELLOW)
    )
    # Mark each input cell that a broken rule involves: red for an error, yellow for a warning. A rule
    # asking for its blank whole or companion marks that blank alone: it is the cell to fill.
    for code, ref in layout.fields.items():
        rules = [r for r in form.rules if code in r.codes]
        if not rules:
            continue
        for verdict, fill in ((ERROR, _RED), (WARNING, _YELLOW)):
            tests = []
            for rule in rules:
                row = layout.check_rows[rule.id]
                if rule.target is None or rule.target == code:
                    tests.append(f'$D${row}="{verdict}"')
                else:
                    tests.append(f'AND($D${row}="{verdict}",COUNT({field_name(rule.target)})>0)')
            test = ",".join(tests)
            ws.conditional_formatting.add(
                ref, FormulaRule(formula=[f"OR({test})"], fill=fill, stopIfTrue=True)
            )


def _explanation_cells(ws: Worksheet, layout: SheetLayout, heading_row: int) -> None:
    """Beside each warning's verdict, an unlocked cell for the filler's 合理性审核说明."""
    if not layout.explain_cells:
        return
    head = ws[f"{EXPLAIN_COLUMN}{heading_row}"]
    head.value = "合理性审核说明（警告时填写数字无误的理由）"
    head.font = _font(10, True)
    head.alignment = _WRAP
    for ref in layout.explain_cells.values():
        cell = ws[ref]
        cell.protection = _UNLOCKED
        cell.fill = _INPUT_FILL
        cell.border = _BOX
        cell.font = _font(10)
        cell.alignment = _WRAP
        cell.number_format = "@"


def _names(wb: Workbook, form: Form, layout: SheetLayout) -> None:
    sheet = "'" + layout.sheet.replace("'", "''") + "'"

    def absolute(ref: str) -> str:
        col = ref.rstrip("0123456789")
        return f"{sheet}!${col}${ref[len(col) :]}"

    for code, ref in layout.fields.items():
        wb.defined_names[field_name(code)] = DefinedName(field_name(code), attr_text=absolute(ref))
    for attr, name in HEADER_NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=absolute(layout.meta[attr]))
    for i, rule in enumerate(form.rules, start=1):
        ref = f"D{layout.check_rows[rule.id]}"
        wb.defined_names[f"CHK_{i}"] = DefinedName(f"CHK_{i}", attr_text=absolute(ref))
        if rule.id in layout.explain_cells:
            name = explain_name(i)
            wb.defined_names[name] = DefinedName(name, attr_text=absolute(layout.explain_cells[rule.id]))
    wb.defined_names[YESNO_NAME] = DefinedName(YESNO_NAME, attr_text=f"'{ID_SHEET}'!$D$1:$D$2")


def _id_sheet(wb: Workbook, form: Form, layout: SheetLayout, password: str | None) -> None:
    ws = wb.create_sheet(ID_SHEET)
    rows = [
        ("unionforms", CONTRACT_VERSION),
        ("form", form.id),
        ("version", form.version),
        ("sheet", layout.sheet),
    ]
    for i, (key, value) in enumerate(rows, start=1):
        ws[f"A{i}"].value = key
        ws[f"B{i}"].value = value
        ws[f"B{i}"].number_format = "@"
    ws["D1"].value, ws["D2"].value = "是", "否"
    for i, rule in enumerate(form.rules, start=1):
        ws[f"A{20 + i}"].value = f"CHK_{i}"
        ws[f"B{20 + i}"].value = rule.id
    ws.sheet_state = "veryHidden"  # not offered by Excel's or WPS's 取消隐藏
    ws.protection.sheet = True
    if password:
        ws.protection.password = password
    # The structure is locked, so that a filler cannot unhide, rename, move or delete a sheet by accident.
    wb.security = WorkbookProtection(lockStructure=True)
    if password:
        wb.security.workbookPassword = password


def _fingerprint(wb: Workbook, form: Form) -> None:
    """Store the fingerprint of the identity and the field/header cells, as the names finally point."""
    cells = {}
    for name, defined in wb.defined_names.items():
        if name.upper().startswith(FIELD_PREFIX) or name in HEADER_NAMES.values():
            cells[name] = str(defined.attr_text).rpartition("!")[2].replace("$", "")
    ws = wb[ID_SHEET]
    row = next(r for r in range(1, 21) if ws[f"A{r}"].value is None)
    ws[f"A{row}"].value = FINGERPRINT_KEY
    ws[f"B{row}"].value = fingerprint(form.id, form.version, cells)
    ws[f"B{row}"].number_format = "@"
