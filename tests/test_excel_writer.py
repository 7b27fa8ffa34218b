"""The template writer: layout, protection, validation, names, print setup (fill → read is in the kit)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string, range_boundaries

from unionforms import Form, Registry, Report, Severity, hookimpl
from unionforms.excel import read_xlsx
from unionforms.excel.contract import DATE_PLACEHOLDER, ID_SHEET, explain_name, field_name
from unionforms.excel.fill import fill
from unionforms.excel.layout import PRINT_SCALE, plan
from unionforms.excel.writer import write_template
from unionforms.plugins.registry import Plugin


def test_template_reads_like_the_paper_form(tmp_path: Path, form: Form) -> None:
    path = tmp_path / "t.xlsx"
    layout = write_template(form, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.sheet]
    assert ws["A1"].value == form.title
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for label in (
        form.header.unit_label,
        form.header.filler_label,
        form.header.phone_label,
        *form.notes.items,
    ):
        assert label in text
    for number in (line.number for line in form.lines):
        assert form.line_label(number) in text
    assert set(layout.fields) == set(form.fields)
    # print: A4 portrait at the fixed scale, black and white, the planned breaks, the footer inside its
    # margin, the table header repeated, checks left out of the print area
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.scale == PRINT_SCALE and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.blackAndWhite
    assert [b.id for b in ws.row_breaks.brk] == list(layout.breaks)
    assert [b.id for b in ws.col_breaks.brk] == list(layout.breaks)  # what Gnumeric reads as row breaks
    assert ws.page_margins.footer < ws.page_margins.bottom - 0.4
    assert ws[layout.meta["date"]].value == DATE_PLACEHOLDER
    assert ws.print_title_rows == f"${layout.table_header_row}:${layout.table_header_row}"
    assert all(row > layout.last_row for row in layout.check_rows.values())
    # every engine reads the footer and the borders: no size code, no empty element, opaque colours
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页" and ws.oddFooter.center.size is None
    for part in ("oddHeader", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        assert not getattr(ws, part).center.text
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        styles = zf.read("xl/styles.xml").decode()
    assert "<evenHeader" not in sheet and "<oddHeader" not in sheet and "&amp;10" not in sheet
    borders = re.search(r"<borders.*</borders>", styles)
    assert borders and 'rgb="FF000000"' in borders.group(0) and 'rgb="00' not in borders.group(0)
    # long header entries wrap on rows tall enough (Gnumeric ignores shrink-to-fit); figures shrink where
    # the engine can, their column holding 15 digits anyway (tests/test_excel_paper.py prints them)
    for ref in (layout.meta["unit"], layout.meta["phone"], layout.meta["filled_by"]):
        assert ws[ref].alignment.wrap_text and not ws[ref].alignment.shrink_to_fit, ref
    for ref in layout.fields.values():
        assert ws[ref].alignment.shrink_to_fit, ref
    r1, r2 = layout.header_rows
    assert ws.row_dimensions[r1].height >= 2 * 11 * 1.45 and ws.row_dimensions[r2].height >= 3 * 11 * 1.45


def test_only_inputs_are_editable_and_validated(tmp_path: Path, form: Form) -> None:
    path = tmp_path / "t.xlsx"
    layout = write_template(form, path, password="secret")
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.sheet]
    assert ws.protection.sheet and ws.protection.password
    inputs = set(layout.fields.values()) | set(layout.meta.values())
    for row in ws.iter_rows(min_row=1, max_row=layout.last_row, max_col=5):
        for cell in row:
            if cell.coordinate in inputs:
                assert cell.protection.locked is False, cell.coordinate
            elif cell.value is not None:
                assert cell.protection.locked is not False, cell.coordinate
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for code, ref in layout.fields.items():
        dv = validations[ref]
        kind = form.fields[code].kind.value
        assert {"count": "whole", "money": "decimal", "flag": "list"}[kind] == dv.type
        assert dv.promptTitle == code
        if kind == "flag":
            assert dv.formula1 == "UF_YESNO"  # OOXML formulas have no leading '='
    assert wb[ID_SHEET].sheet_state == "veryHidden"
    assert wb.security.lockStructure and wb.security.workbookPassword
    assert wb.defined_names[field_name(next(iter(form.fields)))].attr_text.endswith(
        "$" + layout.fields[next(iter(form.fields))].replace("D", "D$")
    )


class _Adjuster:
    """A third-party plugin that adjusts templates through the documented hook."""

    @hookimpl
    def unionforms_adjust_template(self, form: Form, workbook: object, sheet: object, layout: object) -> None:
        if form.id == "songwennuan-2017":
            sheet.column_dimensions["C"].width = 70  # type: ignore[attr-defined]
            sheet.row_breaks.append(openpyxl.worksheet.pagebreak.Break(id=layout.lines["06"][1]))  # type: ignore[attr-defined]


def test_plugins_adjust_templates_through_the_hook(tmp_path: Path, registry: Registry) -> None:
    custom = Registry.from_plugins([Plugin("adjuster", _Adjuster())])
    form = registry.get("songwennuan-2017")
    layout = write_template(form, tmp_path / "t.xlsx", registry=custom)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")[layout.sheet]
    assert ws.column_dimensions["C"].width == 70
    assert [b.id for b in ws.row_breaks.brk] == [*layout.breaks, layout.lines["06"][1]]
    plain = plan(form)
    assert plain.fields == layout.fields


def test_each_warning_has_an_unlocked_named_explanation_cell(tmp_path: Path, registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "t.xlsx"
    report = Report(form.id, explanations={"06-05-spent": "=含上年结转 _x0041_", "01B-part": "不予采纳"})
    fill(form, report, path)
    layout = plan(form)
    warnings = [(i, r) for i, r in enumerate(form.rules, start=1) if r.severity is Severity.WARNING]
    assert set(layout.explain_cells) == {r.id for _, r in warnings}
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.sheet]
    _, _, printed_columns, printed_rows = range_boundaries(layout.print_area)
    assert ws.print_area == f"'{layout.sheet}'!$A$1:$E${printed_rows}"
    for i, rule in warnings:
        ref = layout.explain_cells[rule.id]
        assert ref[1:] == str(layout.check_rows[rule.id])  # beside the rule's verdict
        assert ws[ref].protection.locked is False
        assert wb.defined_names[explain_name(i)].attr_text.endswith("$" + ref[0] + "$" + ref[1:])
        # in the check area, which does not print: right of and below the print area
        assert column_index_from_string(ref[0]) > printed_columns and int(ref[1:]) > printed_rows
    errors = [i for i, r in enumerate(form.rules, start=1) if r.severity is Severity.ERROR]
    assert all(explain_name(i) not in wb.defined_names for i in errors)
    # the reader carries the explanation back (the explanation cells are not part of the layout
    # fingerprint, so a filled one is no IN-035); the one of an error rule had no cell to go in
    assert read_xlsx(path, registry).report.explanations == {"06-05-spent": "=含上年结转 _x0041_"}
