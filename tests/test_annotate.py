"""Copies returned for correction: marked cells, a 审核结果 sheet first, the original untouched."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from unionforms import Meta, Registry, Report
from unionforms.annotate import SHEET, Annotation, Annotator, annotate
from unionforms.batch import Check, Input
from unionforms.excel.fill import fill
from unionforms.excel.layout import plan
from unionforms.io.reading import read_report
from unionforms.validate import check_rules


def _broken(registry: Registry) -> Report:
    form = registry.get("songwennuan-2017")
    return Report(form.id, Meta(unit="甲县总工会"), {"01A": 10, "01B": 50, "05": 1, "05E": 1, "06": 2})


def test_an_xlsx_copy_is_marked_and_reads_back(tmp_path: Path, registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    source = tmp_path / "in" / "甲.xlsx"
    fill(form, _broken(registry), source)
    before = source.read_bytes()
    read = read_report(source, registry)
    findings = (*read.findings, *check_rules(read.form, read.report, read.source))
    assert {f.is_error for f in findings} == {True, False}
    copy = annotate(source, findings, tmp_path / "out" / "甲.xlsx")
    assert source.read_bytes() == before
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SHEET
    rows = list(wb[SHEET].iter_rows(min_row=4, values_only=True))
    assert [r[4] for r in rows] == [f.code for f in findings]
    assert all(r[6] for r in rows)
    layout = plan(form)
    ws = wb[layout.sheet]
    error_cell = ws[layout.fields["01B"]]
    warning_cell = ws[layout.fields["06"]]
    assert error_cell.fill.fgColor.rgb.endswith("FFC7CE") and "错误" in error_cell.comment.text
    assert warning_cell.fill.fgColor.rgb.endswith("FFEB9C") and "警告" in warning_cell.comment.text
    assert read_report(copy, registry).report == read.report


def test_a_json_return_becomes_its_marked_template(tmp_path: Path, registry: Registry) -> None:
    from unionforms.io.jsonio import report_to_dict

    source = tmp_path / "甲.json"
    source.write_text(json.dumps(report_to_dict(_broken(registry)), ensure_ascii=False), encoding="utf-8")
    result = Check(registry, then=Annotator(str(tmp_path / "out"), registry))(Input(str(source)))
    assert isinstance(result.extra, Annotation) and result.extra.path is not None
    copy = Path(result.extra.path)
    assert copy == tmp_path / "out" / "甲.xlsx"
    assert read_report(copy, registry).report == read_report(source, registry).report
    layout = plan(registry.get("songwennuan-2017"))
    assert openpyxl.load_workbook(copy)[layout.sheet][layout.fields["01B"]].comment is not None


def test_a_copy_never_replaces_its_return(tmp_path: Path, registry: Registry) -> None:
    source = tmp_path / "甲.xlsx"
    fill(registry.get("songwennuan-2017"), _broken(registry), source)
    before = source.read_bytes()
    result = Check(registry, then=Annotator(str(tmp_path), registry))(Input(str(source), str(tmp_path)))
    assert isinstance(result.extra, Annotation)
    assert result.extra.path is None and "OUT-001" in (result.extra.problem or "")
    assert source.read_bytes() == before
