"""Fast filling: values patched into the cached blank template read back exactly, and the file is whole.

(``tests/test_excel_libreoffice.py`` opens filled templates in LibreOffice: they round-trip and their
live checks compute the same verdicts as the validator.)
"""

from __future__ import annotations

import datetime
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Form, InputError, Meta, Registry, Report
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill, filled_bytes
from unionforms.excel.layout import plan
from unionforms.excel.writer import build_workbook
from unionforms.strategies import reports


@settings(max_examples=30)
@given(data=st.data())
def test_filled_bytes_read_back_as_the_report(
    tmp_path_factory: pytest.TempPathFactory, form: Form, registry: Registry, data: st.DataObject
) -> None:
    report = data.draw(reports(form, fill=0.7))
    path = tmp_path_factory.mktemp("fill") / "f.xlsx"
    path.write_bytes(filled_bytes(form, report))
    back = read_xlsx(path, registry, expect=form)
    assert back.findings == ()
    assert back.report == report


def test_texts_that_xml_or_excel_would_mangle_survive(tmp_path: Path, registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    # The reader strips surrounding spaces from header texts: a filler's stray spaces mean nothing.
    meta = Meta(
        unit="某市<总工会>&\"'_x0041_  x",
        filled_by="张\x01三",
        phone="=1+1",
        date=datetime.date(1900, 3, 1),
    )
    report = Report(
        form.id, meta, {"05": Decimal("0.000001"), "01A": 10**14, "05A": Decimal("12345678901234")}
    )
    fill(form, report, tmp_path / "t.xlsx")
    back = read_xlsx(tmp_path / "t.xlsx", registry)
    # A control character survives the file, and the reader names it (META-005) rather than keep it.
    assert back.report == attrs.evolve(report, meta=attrs.evolve(meta, filled_by=None))
    assert [f.code for f in back.findings] == ["META-005"]


def test_the_file_is_a_whole_workbook_with_its_checks(tmp_path: Path, registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    report = Report(form.id, Meta(unit="县总工会"), {"06B": True, "06A": Decimal("1.5"), "01": 3})
    path = tmp_path / "t.xlsx"
    fill(form, report, path, password="pw")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    wb = openpyxl.load_workbook(path)
    layout = plan(form)
    ws = wb[layout.sheet]
    assert ws.protection.sheet and ws.protection.password
    assert ws[layout.fields["06B"]].value == "是"
    assert ws[layout.fields["01"]].value == 3
    assert str(ws[f"D{layout.check_rows[form.rules[0].id]}"].value).startswith("=")
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no temporary file left behind


def test_fill_refuses_a_report_of_another_form(registry: Registry) -> None:
    with pytest.raises(InputError) as info:
        filled_bytes(registry.get("bangfu-2016"), Report("bangfu-2013", values={}))
    assert info.value.code == "IN-004"


def test_fill_refuses_a_value_it_cannot_write(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    with pytest.raises(InputError) as info:
        filled_bytes(form, Report(form.id, values={"01": "12"}))
    assert info.value.code == "IN-042"


def test_returns_of_forms_in_turn_each_get_their_own_template(tmp_path: Path, registry: Registry) -> None:
    forms = [registry.get("bangfu-2013"), registry.get("songwennuan-2014")] * 3
    items = [
        (f, Report(f.id, Meta(unit=f"单位{i}")), tmp_path / "out" / f"{i}.xlsx") for i, f in enumerate(forms)
    ]
    for form, report, path in items:  # one template per form, built once per process
        fill(form, report, path)
    for form, report, path in items:
        assert read_xlsx(path, registry, expect=form).report == report


# --- the fast fill holds what openpyxl would have written into the template -------------------------

_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _openpyxl_filled(form: Form, report: Report, path: Path) -> None:
    """The plain way: the template built by the writer, the values set through openpyxl, saved."""
    wb, layout = build_workbook(form)
    ws = wb[layout.sheet]
    for code, value in report.values.items():
        ws[layout.fields[code]].value = ("是" if value else "否") if isinstance(value, bool) else value
    for attr in ("unit", "filled_by", "phone"):
        text = getattr(report.meta, attr)
        if text is not None:
            cell = ws[layout.meta[attr]]
            cell.value = _ESCAPE.sub("_x005F_", text)
            cell.data_type = "s"
    if report.meta.date is not None:
        ws[layout.meta["date"]].value = report.meta.date
    for rule_id, text in report.explanations.items():
        if rule_id in layout.explain_cells:
            cell = ws[layout.explain_cells[rule_id]]
            cell.value = _ESCAPE.sub("_x005F_", text)
            cell.data_type = "s"
    wb.save(path)


def _content(path: Path) -> dict[str, object]:
    """Everything a spreadsheet shows or enforces, as openpyxl reads it back: sheets, cells with their
    values, types and styles, merges, names, validations, conditional formats, protection, page setup."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": {name: d.attr_text for name, d in wb.defined_names.items()},
        "lock": (wb.security.lockStructure if wb.security else None),
        "calc": wb.calculation.fullCalcOnLoad,
    }
    for ws in wb.worksheets:
        cells = {
            c.coordinate: (
                c.value,
                c.data_type,
                c.number_format,
                repr(c.font),
                repr(c.fill),
                repr(c.border),
                repr(c.alignment),
                repr(c.protection),
            )
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.has_style
        }
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted(
                (str(v.sqref), v.type, v.formula1, v.prompt, v.error)
                for v in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                (str(rng.sqref), tuple(r.formula or ()), r.priority)
                for rng in ws.conditional_formatting
                for r in rng.rules
            ),
            "protection": (ws.protection.sheet, ws.protection.password),
            "page": (ws.page_setup.paperSize, ws.page_setup.scale, ws.print_area, ws.print_title_rows),
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "widths": {c: d.width for c, d in ws.column_dimensions.items()},
        }
    wb.close()
    return out


@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_fast_fill_holds_what_openpyxl_writes_into_the_template(
    tmp_path_factory: pytest.TempPathFactory, registry: Registry, data: st.DataObject
) -> None:
    form = registry.get(data.draw(st.sampled_from(sorted(registry.forms))))
    report = data.draw(reports(form, fill=0.7))
    folder = tmp_path_factory.mktemp("same")
    fill(form, report, folder / "fast.xlsx")
    _openpyxl_filled(form, report, folder / "plain.xlsx")
    assert _content(folder / "fast.xlsx") == _content(folder / "plain.xlsx")
