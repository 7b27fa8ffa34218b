"""Validation reports every problem, located, in Chinese, quoting the printed labels."""

from __future__ import annotations

from decimal import Decimal

from unionforms import Registry, Report, Severity, Source, validate


def test_every_problem_is_reported_not_the_first(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    report = Report(
        form.id,
        values={
            "01A": 5000,
            "01B": 6000,
            "05": "100.60",
            "05A": "50.00",
            "05B": "50.50",
            "07I": -3,
            "99Z": 1,
            "06A": "x",
        },
    )
    findings = validate(form, report, Source(file="a.json"))
    codes = sorted(f.code for f in findings)
    assert codes == ["CHK-001", "CHK-001", "VAL-001", "VAL-003", "VAL-005"]
    assert all(f.file == "a.json" for f in findings)
    by_rule = {f.rule: f for f in findings if f.rule}
    assert set(by_rule) == {"01B-part", "05-sum"}
    msg = by_rule["05-sum"].message
    assert "05 2017年元旦、春节期间送温暖活动中筹集款物总额 100.60 万元 ≠" in msg
    assert "之和 100.50 万元" in msg
    expected = (Decimal("100.60"), Decimal("50.00"), Decimal("50.50"), None, None, None)
    assert by_rule["05-sum"].values == expected


def test_warning_is_not_an_error(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    findings = validate(form, Report(form.id, values={"05": "10", "05E": "10", "06": "20"}))
    assert [(f.rule, f.severity) for f in findings] == [("06-05-spent", Severity.WARNING)]
    assert findings[0].code == "CHK-002"


def test_cells_are_named_when_known(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    source = Source(
        file="x.xlsx", sheet="统计表", cells={"01": "D8", "01A": "D9", "01B": "D10", "01C": "D11"}
    )
    (finding,) = validate(form, Report(form.id, values={"01": 3, "01A": 1}), source)
    assert finding.rule == "01-sum"
    assert finding.cells == ("D8", "D9", "D10", "D11")
    assert finding.sheet == "统计表"


def test_blank_report_gets_one_finding_and_no_rule_fires(form) -> None:  # type: ignore[no-untyped-def]
    assert [(f.code, f.rule) for f in validate(form, Report(form.id))] == [("CHK-003", None)]


def test_zero_policy_flags_a_total_whose_parts_are_blank(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    (finding,) = validate(form, Report(form.id, values={"05": "10"}))
    assert finding.rule == "05-sum" and finding.is_error
