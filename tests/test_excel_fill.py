"""Fast filling: values patched into the cached blank template read back exactly, and the file is whole.

(``tests/test_excel_libreoffice.py`` opens filled templates in LibreOffice: they round-trip and their
live checks compute the same verdicts as the validator.)
"""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Form, InputError, Meta, Registry, Report
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill, fill_many, filled_bytes
from unionforms.excel.layout import plan
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
    assert read_xlsx(tmp_path / "t.xlsx", registry).report == report


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


def test_fill_many_writes_every_report(tmp_path: Path, registry: Registry) -> None:
    forms = [registry.get("bangfu-2013"), registry.get("songwennuan-2014")] * 3
    items = [
        (f, Report(f.id, Meta(unit=f"单位{i}")), tmp_path / "out" / f"{i}.xlsx") for i, f in enumerate(forms)
    ]
    written = fill_many(items)
    assert written == [p for _, _, p in items]
    for form, report, path in items:
        assert read_xlsx(path, registry, expect=form).report == report

