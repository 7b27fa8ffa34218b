"""A report with no figure at all gets a finding (CHK-003), not a silent pass."""

from __future__ import annotations

from unionforms import Form, Report, Severity, validate
from unionforms.core.report import ReadResult, Source
from unionforms.core.validate import check_read


def test_an_empty_report_is_an_error_naming_the_file(form: Form) -> None:
    findings = validate(form, Report(form.id, values={}), Source(file="a.xlsx", sheet="表"))
    assert [(f.code, f.severity, f.file, f.sheet) for f in findings] == [
        ("CHK-003", Severity.ERROR, "a.xlsx", "表")
    ]
    assert f"全部 {len(form.fields)} 个填写栏都是空白" in findings[0].message


def test_blank_text_counts_as_empty(form: Form) -> None:
    codes = list(form.fields)[:3]
    findings = validate(form, Report(form.id, values=dict.fromkeys(codes, "  ")))
    assert [f.code for f in findings] == ["CHK-003"]


def test_one_figure_or_one_bad_value_is_not_empty(form: Form) -> None:
    code = next(c for c, f in form.fields.items() if f.kind.value == "count")
    assert "CHK-003" not in {f.code for f in validate(form, Report(form.id, values={code: 0}))}
    bad = {f.code for f in validate(form, Report(form.id, values={code: "abc"}))}
    assert "CHK-003" not in bad and bad  # the bad value is reported, once


def test_check_read_and_validate_agree_on_an_empty_report(form: Form) -> None:
    """The CLI checks reports as read; validate() types them first: both give the one CHK-003."""
    result = ReadResult(form, Report(form.id), Source(file="r.json"), ())
    assert [f.code for f in check_read(result)] == ["CHK-003"]
    problems = tuple(validate(form, Report(form.id, values={"99Z": 1})))  # VAL-005: no such field
    bad = ReadResult(form, Report(form.id), Source(file="r.json"), problems)
    assert "CHK-003" not in {f.code for f in check_read(bad)}
