"""The print copy: a filled workbook without its check colours, printed through real LibreOffice."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from unionforms import Registry, Report
from unionforms.cli import main
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.excel.printcopy import write_print_copy

# 05 = 10 万元 but its parts add up to 12: 05-sum (an error) is broken, so 05 and its parts are marked red.
_BROKEN = {"05": 10, "05A": 4, "05B": 4, "05C": 4}
_RED = re.compile(rb"\b1 0\.780\d* 0\.807\d* rg")  # FFC7CE as a PDF fill colour
_CREAM = re.compile(rb"\b1 0\.97\d* 0\.89\d* rg")  # FFF9E5, the input cells' tint


def _broken(registry: Registry, path: Path) -> Path:
    values = {code: Decimal(v) for code, v in _BROKEN.items()}
    fill(registry.get("songwennuan-2017"), Report("songwennuan-2017", values=values), path)
    return path


def test_the_print_copy_has_no_conditional_formats_and_nothing_else_changed(
    tmp_path: Path, registry: Registry
) -> None:
    source = _broken(registry, tmp_path / "filled.xlsx")
    before = source.read_bytes()
    copy = write_print_copy(source, tmp_path / "print.xlsx")
    assert source.read_bytes() == before
    assert openpyxl.load_workbook(source).worksheets[0].conditional_formatting
    assert not openpyxl.load_workbook(copy).worksheets[0].conditional_formatting
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert sorted(changed) == ["xl/styles.xml", "xl/worksheets/sheet1.xml"]
    assert read_xlsx(copy, registry).report == read_xlsx(source, registry).report
    ws = openpyxl.load_workbook(copy).worksheets[0]
    assert ws["D6"].protection.locked is False  # an input cell: still one, no longer tinted
    assert {c.fill.fill_type for row in ws.iter_rows() for c in row} <= {None, "none"}


def test_an_annotated_copy_prints_without_its_findings_sheet(tmp_path: Path, registry: Registry) -> None:
    from unionforms.collect.annotate import annotate
    from unionforms.core.validate import validate
    from unionforms.excel.contract import ANNOTATION_SHEET

    source = _broken(registry, tmp_path / "filled.xlsx")
    read = read_xlsx(source, registry)
    findings = tuple(validate(read.form, read.report))
    copy = write_print_copy(annotate(source, findings, tmp_path / "annotated.xlsx"), tmp_path / "print.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert wb[ANNOTATION_SHEET].sheet_state == "hidden"
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == [read.source.sheet]


def _pdf_fill_colours(pdf: Path) -> bytes:
    data = pdf.read_bytes()
    out = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_unionforms_pdf_prints_without_the_check_colours(
    tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    if find_soffice() is None:
        if os.environ.get("CI"):
            raise RuntimeError("LibreOffice is required on CI: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    source = _broken(registry, tmp_path / "filled.xlsx")
    # printed as it is, LibreOffice paints the red marks ...
    (plain,) = convert([source], "pdf", tmp_path / "plain")
    assert _RED.search(_pdf_fill_colours(plain))
    # ... `unionforms pdf` prints the copy without them
    assert main(["pdf", str(source), "-o", str(tmp_path / "sealed.pdf")]) == 0
    assert _CREAM.search(_pdf_fill_colours(plain))
    sealed = _pdf_fill_colours(tmp_path / "sealed.pdf")
    assert not _RED.search(sealed) and not _CREAM.search(sealed)
    capsys.readouterr()
