"""Offline conformance: generated workbooks against the ISO/IEC 29500 schemas, Excel's limits and structure.

Excel and WPS cannot run here, so what they would do is proven from the files: every XML part of the four
blank templates, filled ones and a password-protected one is validated against the transitional schemas in
``../shared/ooxml`` (skipped, with the reason, when that folder is absent), and checked by
:mod:`tests.excel_limits`. The same files after a LibreOffice round trip still pass and read back
identically.
"""

from __future__ import annotations

import importlib.util
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from unionforms import Registry, Report
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.excel.writer import write_template
from unionforms.strategies import broken_reports, valid_reports

from .excel_limits import (
    check_formula,
    check_template,
    check_workbook,
    defined_name_problem,
    sheet_name_problem,
)


def _ooxml_dir() -> Path | None:
    """``shared/ooxml`` beside the repository (CI), or beside a folder holding it (a git worktree)."""
    for parent in Path(__file__).resolve().parents[2:]:
        if (parent / "shared" / "ooxml" / "validate_parts.py").is_file():
            return parent / "shared" / "ooxml"
    return None


def _validator() -> Callable[[Path], list[tuple[str, int, str]]]:
    folder = _ooxml_dir()
    if folder is None:
        pytest.skip("../shared/ooxml (the ISO/IEC 29500 schemas, validate_parts.py) is not beside the repo")
    pytest.importorskip("lxml", reason="schema validation needs lxml (pip install -e '.[dev]')")
    spec = importlib.util.spec_from_file_location("validate_parts", folder / "validate_parts.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate  # type: ignore[no-any-return]


def _schema_violations(validate: Callable[[Path], list[tuple[str, int, str]]], path: Path) -> list[str]:
    """Every schema violation but the one Excel itself commits: ``xml:space`` on a ``<t>``."""
    allowed = "}t', attribute '{http://www.w3.org/XML/1998/namespace}space'"
    return [f"{part}:{line}: {msg}" for part, line, msg in validate(path) if allowed not in msg]


def _one(strategy: st.SearchStrategy[Any]) -> Report:
    out: list[Report] = []

    @settings(max_examples=1, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example: Report | tuple[Report, object]) -> None:
        out.append(example[0] if isinstance(example, tuple) else example)

    collect()
    return out[0]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> dict[str, Path]:
    """The four blank templates, a valid and a broken filled one of each, and a password-protected one."""
    folder = tmp_path_factory.mktemp("conformance")
    out: dict[str, Path] = {}
    for form_id in ("songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"):
        form = registry.get(form_id)
        out[f"{form_id}-blank"] = folder / f"{form_id}-blank.xlsx"
        write_template(form, out[f"{form_id}-blank"])
        for kind, strategy in (("valid", valid_reports(form)), ("broken", broken_reports(form))):
            path = folder / f"{form_id}-{kind}.xlsx"
            fill(form, _one(strategy), path)
            out[f"{form_id}-{kind}"] = path
    form = registry.get("bangfu-2016")
    out["bangfu-2016-password"] = folder / "bangfu-2016-password.xlsx"
    fill(form, _one(valid_reports(form)), out["bangfu-2016-password"], password="s3cret")
    # an annotated copy: the letter and the marks patched into a broken return's XML
    from unionforms.collect.annotate import annotate
    from unionforms.core.validate import check_rules
    from unionforms.io.reading import read_report

    broken = out["songwennuan-2017-broken"]
    read = read_report(broken, registry)
    findings = (*read.findings, *check_rules(read.form, read.report, read.source))
    out["songwennuan-2017-annotated"] = annotate(broken, findings, folder / "songwennuan-2017-annotated.xlsx")
    return out


def test_every_part_of_every_generated_workbook_is_schema_valid(workbooks: dict[str, Path]) -> None:
    validate = _validator()
    problems = {name: _schema_violations(validate, path) for name, path in workbooks.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_generated_workbooks_keep_excels_limits_and_the_template_promises(workbooks: dict[str, Path]) -> None:
    problems = {name: [str(v) for v in check_template(path)] for name, path in workbooks.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_schema_check_catches_a_broken_part(tmp_path: Path, registry: Registry) -> None:
    """The validator is live: a sheet with an element the schema does not know is reported."""
    validate = _validator()
    path = tmp_path / "bad.xlsx"
    write_template(registry.get("songwennuan-2017"), path)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<calcPr ", b'<calcPr bogus="1" ')
            dst.writestr(item, data)
    assert any("bogus" in p for p in _schema_violations(validate, damaged))


def _bad_workbook(path: Path) -> None:
    """One of each thing Excel or WPS would choke on."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "x" * 32
    ws["A1"] = "=IFS(A2>0,1)"
    ws["A2"] = '="' + "y" * 256 + '"'
    ws["A3"] = "=" + "ABS(" * 65 + "1" + ")" * 65
    ws["A4"] = "=SUM(" + ",".join(["1"] * 256) + ")"
    ws["A5"] = "=" + "+".join(["1"] * 4200)
    dv = DataValidation(type="list", formula1="=$B$1:$B$2")
    dv.promptTitle, dv.prompt, dv.error = "t" * 33, "p" * 256, "e" * 226
    dv.add("C1")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add(
        "A1", FormulaRule(formula=["=A1>0"], fill=PatternFill("solid", fgColor="FF0000"))
    )
    ws.merge_cells("D1:E1")
    ws["D1"].protection = Protection(locked=False)
    ws.oddFooter.center.text = "f" * 256
    wb.calculation.fullCalcOnLoad = False
    wb.create_sheet("_unionforms").sheet_state = "hidden"
    wb.save(path)


@pytest.mark.filterwarnings("ignore:Title is more than 31")
def test_every_check_can_fail(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    _bad_workbook(path)
    found = check_template(path)
    checks = {v.check for v in found}
    assert checks == {
        "sheet-name",
        "formula",
        "dv-text",
        "dxf-bgcolor",
        "merged-input-unlocked",
        "header-footer",
        "full-calc-on-load",
        "identity-very-hidden",
        "structure-protected",
    }, found
    text = "\n".join(str(v) for v in found)
    for expected in (
        "IFS",
        "string literal of 256",
        "nests functions 65 deep",
        "256 arguments",
        "8399 characters",
        "promptTitle is 33",
        "prompt is 256",
        "error is 226",
        "starts with '='",
        "E1: [merged-input-unlocked]",
        "oddFooter",
    ):
        assert expected in text, expected
    assert not {v.check for v in check_workbook(path)} & {"identity-very-hidden", "full-calc-on-load"}


@pytest.mark.parametrize(
    ("formula", "problem"),
    [
        ('IF(COUNT(F_01A)<1,"—",IF(F_01A>0,"通过","错误"))', None),
        ("=SUM(A1)", "starts with '='"),
        ("_xlfn.CONCAT(A1,A2)", "_XLFN.CONCAT"),
        ("XLOOKUP(1,A1:A2,B1:B2)", "XLOOKUP"),
        ("SUM((A1))", None),
    ],
)
def test_check_formula(formula: str, problem: str | None) -> None:
    found = check_formula(formula)
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("F_01A", True),
        ("CHK_12", True),
        ("UF_YESNO", True),
        ("_xlnm.Print_Area", True),
        ("A1", False),
        ("R1C1", False),
        ("C", False),
        ("1abc", False),
        ("a b", False),
        ("x" * 256, False),
        ("TRUE", False),
    ],
)
def test_defined_name_syntax(name: str, ok: bool) -> None:
    assert (defined_name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("2017年工会送温暖活动统计表", True),
        ("x" * 31, True),
        ("x" * 32, False),
        ("a/b", False),
        ("'a", False),
        ("History", False),
        ("", False),
    ],
)
def test_sheet_name_rules(name: str, ok: bool) -> None:
    assert (sheet_name_problem(name) is None) is ok


def test_libreoffice_round_trip_keeps_conformance_and_values(
    workbooks: dict[str, Path], tmp_path: Path, registry: Registry
) -> None:
    """LibreOffice re-saves every file: still schema-valid, within Excel's limits, and read back the same."""
    if find_soffice() is None:
        if os.environ.get("CI"):
            raise RuntimeError("LibreOffice is required on CI: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    names = list(workbooks)
    converted = convert([workbooks[n] for n in names], "xlsx", tmp_path)
    folder = _ooxml_dir()
    validate = _validator() if folder is not None else None
    problems: dict[str, list[str]] = {}
    for name, path in zip(names, converted, strict=True):
        found = [str(v) for v in check_workbook(path)]
        if validate is not None:
            found += _schema_violations(validate, path)
        if found:
            problems[name] = found
        before = read_xlsx(workbooks[name], registry)
        after = read_xlsx(path, registry)
        assert after.findings == ()
        assert after.report == before.report, name
    assert problems == {}
