"""Copies returned for correction: marked cells, a 审核结果 letter first, the original untouched."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Meta, Registry, Report
from unionforms.collect.annotate import SHEET, Annotation, Annotator, annotate
from unionforms.collect.batch import Check, Input
from unionforms.core.validate import check_rules
from unionforms.excel.fill import fill
from unionforms.excel.layout import plan
from unionforms.excel.marks import MARK_COLOURS
from unionforms.io.reading import read_report

MARKS = set(MARK_COLOURS.values())


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
    assert wb.sheetnames[0] == SHEET and wb.active is not None and wb.active.title == SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [SHEET]
    rows = list(wb[SHEET].iter_rows(min_row=4, values_only=True))
    ordered = sorted(findings, key=lambda f: not f.is_error)
    # each finding: its message first, where it is on the row below
    assert [r[:3] for r in rows[::2]] == [
        (str(i), "错误" if f.is_error else "警告", f.message) for i, f in enumerate(ordered, start=1)
    ]
    assert [r[2] for r in rows[1::2]] == [
        f"位置：单元格 {'、'.join(f.cells)}；栏目 {'、'.join(f.fields)}；规则 {f.rule}；代码 {f.code}"
        for f in ordered
    ]
    layout = plan(form)
    ws = wb[layout.sheet]
    assert ws[layout.fields["01B"]].fill.fgColor.rgb == "FFFFC7CE"
    assert ws[layout.fields["06"]].fill.fgColor.rgb == "FFFFEB9C"
    assert ws[layout.fields["01B"]].protection.locked is False  # still an input cell, as it was
    assert ws[layout.fields["02A"]].fill.fgColor.rgb == "FFFFF9E5"  # not named by a finding: unmarked
    # the same report and the same findings: annotating changes no value and no verdict
    again = read_report(copy, registry)
    assert again.report == read.report
    found = (*again.findings, *check_rules(again.form, again.report, again.source))
    assert [attrs.evolve(f, file=None) for f in found] == [attrs.evolve(f, file=None) for f in findings]


def test_a_copy_of_an_annotated_copy_has_one_letter(tmp_path: Path, registry: Registry) -> None:
    source = tmp_path / "甲.xlsx"
    fill(registry.get("songwennuan-2017"), _broken(registry), source)
    read = read_report(source, registry)
    findings = tuple(check_rules(read.form, read.report, read.source))
    first = annotate(source, findings, tmp_path / "1.xlsx")
    second = annotate(first, findings[:1], tmp_path / "2.xlsx")
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count(SHEET) == 1 and wb.sheetnames[0] == SHEET
    assert len(list(wb[SHEET].iter_rows(min_row=4))) == 2
    assert read_report(second, registry).report == read.report
    # only the findings of now are marked: a cell marked the first time and not now is as it was
    layout = plan(registry.get("songwennuan-2017"))
    ws, original = wb[layout.sheet], openpyxl.load_workbook(source)[layout.sheet]
    now = {c for c in findings[0].cells}
    for f in findings[1:]:
        for cell in set(f.cells) - now:
            assert openpyxl.load_workbook(first)[layout.sheet][cell].fill.fgColor.rgb in MARKS
            assert ws[cell].fill.fgColor.rgb == original[cell].fill.fgColor.rgb == "FFFFF9E5", cell
            assert ws[cell].protection.locked is False
    assert all(ws[cell].fill.fgColor.rgb in MARKS for cell in now)


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
    assert openpyxl.load_workbook(copy)[layout.sheet][layout.fields["01B"]].fill.fgColor.rgb == "FFFFC7CE"


def test_a_copy_never_replaces_its_return(tmp_path: Path, registry: Registry) -> None:
    source = tmp_path / "甲.xlsx"
    fill(registry.get("songwennuan-2017"), _broken(registry), source)
    before = source.read_bytes()
    result = Check(registry, then=Annotator(str(tmp_path), registry))(Input(str(source), str(tmp_path)))
    assert isinstance(result.extra, Annotation)
    assert result.extra.path is None and "OUT-001" in (result.extra.problem or "")
    assert source.read_bytes() == before


def test_a_return_saved_by_libreoffice_is_annotated_too(tmp_path: Path, registry: Registry) -> None:
    """A return as a filler's LibreOffice saves it (shared strings, its own styles) is marked and reads
    back the same."""
    import os

    import pytest

    from unionforms.excel.libreoffice import convert, find_soffice

    if find_soffice() is None:
        if os.environ.get("CI"):
            raise RuntimeError("LibreOffice is required on CI: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "甲.xlsx"
    fill(registry.get("songwennuan-2017"), _broken(registry), source)
    (saved,) = convert([source], "xlsx", tmp_path / "lo")
    read = read_report(saved, registry)
    findings = (*read.findings, *check_rules(read.form, read.report, read.source))
    copy = annotate(saved, findings, tmp_path / "copy.xlsx")
    assert read_report(copy, registry).report == read.report
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SHEET
    marked = {c for f in findings for c in f.cells}
    ws = wb[read.source.sheet or ""]
    assert marked and all(ws[c].fill.fgColor.rgb in MARKS for c in marked)


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_annotating_never_changes_the_report_or_its_findings(registry: Registry, data: st.DataObject) -> None:
    """Property: for any return breaking a rule, of any form, the annotated copy reads back as the same
    report with the same findings, and exactly the cells the findings name are marked."""
    import tempfile

    from unionforms.strategies import broken_reports

    form = registry.get(
        data.draw(st.sampled_from(["songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"]))
    )
    report, _ = data.draw(broken_reports(form))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "r.xlsx"
        fill(form, report, source)
        read = read_report(source, registry)
        findings = (*read.findings, *check_rules(read.form, read.report, read.source))
        copy = annotate(source, findings, Path(tmp) / "copy.xlsx")
        again = read_report(copy, registry)
        found = (*again.findings, *check_rules(again.form, again.report, again.source))
        assert again.report == read.report
        assert [attrs.evolve(f, file=None) for f in found] == [attrs.evolve(f, file=None) for f in findings]
        ws = openpyxl.load_workbook(copy)[plan(form).sheet]
        marked = {c for f in findings for c in f.cells}
        inputs = set(plan(form).fields.values())
        assert {c for c in inputs if ws[c].fill.fgColor.rgb in MARKS} == marked


def test_a_merge_bomb_is_annotated_cheaply_and_keeps_its_verdict(tmp_path: Path, registry: Registry) -> None:
    """A 20 KB return whose sheet merges A1:XFD1048576 took 7-30 s and 0.9 GiB through openpyxl and
    flipped to unusable; patched in its XML it is marked like any return, its findings unchanged."""
    import re
    import subprocess
    import sys
    import zipfile

    from .xlsx_builders import rewrite

    form = registry.get("songwennuan-2017")
    folder = tmp_path / "in"
    path = folder / "bomb.xlsx"
    fill(form, Report(form.id, Meta(unit="甲"), {"01A": 1, "01B": 5}), path)
    with zipfile.ZipFile(path) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"<v>5</v>" in zf.read(n))

    def bomb(xml: str) -> str:
        merge = '<mergeCell ref="A1:XFD1048576"/>'
        if "<mergeCells" in xml:
            return re.sub(r'<mergeCells count="\d+">', lambda m: m.group() + merge, xml, count=1)
        return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1">{merge}</mergeCells>', 1)

    rewrite(path, sheet, bomb)
    exe = str(Path(sys.executable).with_name("unionforms"))
    done = subprocess.run(
        [exe, "validate", str(folder), "--annotate", str(tmp_path / "out"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    [entry] = json.loads(done.stdout)["files"]
    assert entry["status"] == "errors" and entry["annotated"], entry  # checked, then marked
    copy = read_report(tmp_path / "out" / "bomb.xlsx", registry)
    assert copy.report.values == {"01A": 1, "01B": 5}
