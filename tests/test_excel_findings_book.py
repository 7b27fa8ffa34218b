"""The report workbook of a bulk check: every input and every finding, filterable."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.returns import check_paths
from unionforms import Registry
from unionforms.collect.batch import Result, State
from unionforms.excel.findings_book import (
    FINDING_HEADER,
    FINDING_SHEET,
    INPUT_HEADER,
    INPUT_SHEET,
    FindingsBook,
)


def test_one_row_per_input_and_per_finding(tmp_path: Path, registry: Registry) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"form": "songwennuan-2017", "meta": {"unit": "甲"}, "values": {"01A": 1, "01B": 5}}')
    (tmp_path / "junk.xlsx").write_text("no")
    (tmp_path / "~$bad.xlsx").write_text("")
    results = list(check_paths([str(tmp_path)], registry=registry))
    with FindingsBook(tmp_path / "out" / "审核.xlsx") as book:
        for r in results:
            book.add(r)
    wb = openpyxl.load_workbook(tmp_path / "out" / "审核.xlsx")
    inputs, findings = wb[INPUT_SHEET], wb[FINDING_SHEET]
    assert [c.value for c in inputs[1]] == list(INPUT_HEADER)
    assert [c.value for c in findings[1]] == list(FINDING_HEADER)
    rows = list(inputs.iter_rows(min_row=2, values_only=True))
    assert {r[1]: r[2] for r in rows} == {r.file: r.state.chinese for r in results}
    assert {r[2] for r in rows} == {"有错误", "无法读取", "已跳过"}
    assert len(list(findings.iter_rows(min_row=2))) == sum(len(r.findings) for r in results)
    for ws in (inputs, findings):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:I{ws.max_row}"


def test_an_empty_run_still_writes_the_headers(tmp_path: Path) -> None:
    book = FindingsBook(tmp_path / "e.xlsx")
    book.add(Result("x", State.SKIPPED, reason="lock file"))
    book.save()
    assert openpyxl.load_workbook(tmp_path / "e.xlsx")[INPUT_SHEET].max_row == 2


def test_both_sheets_print_on_a4_landscape_fitted_to_the_width(tmp_path: Path, registry: Registry) -> None:
    from unionforms.excel.layout import row_height

    bad = tmp_path / "bad.json"
    report = {"form": "songwennuan-2017", "meta": {"unit": "甲" * 60}, "values": {"01A": 1, "01B": 5}}
    bad.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")  # a long 填报单位 wraps
    results = list(check_paths([str(bad)], registry=registry))
    with FindingsBook(tmp_path / "审核.xlsx") as book:
        for r in results:
            book.add(r)
    wb = openpyxl.load_workbook(tmp_path / "审核.xlsx")
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape")
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"  # the header on every page
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页" and not ws.evenHeader.center.text
        assert all(c.font.name == "宋体" for row in ws.iter_rows() for c in row)
    # long texts wrap in a row tall enough for them (LibreOffice does not size rows when it opens a file)
    findings = wb[FINDING_SHEET]
    unit = findings["C2"]
    assert unit.alignment.wrap_text and findings["I2"].alignment.wrap_text
    width = findings.column_dimensions["C"].width
    assert findings.row_dimensions[2].height >= row_height(str(unit.value), width, 10) > 20
