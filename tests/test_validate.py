"""Validation reports every problem, located, in Chinese, quoting the printed labels."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms import (
    Form,
    ReadResult,
    Registry,
    Report,
    Severity,
    Source,
    Tally,
    check_read,
    typed_values,
    validate,
)
from unionforms.core.display import level
from unionforms.io import jsonio


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
    assert msg.startswith("第05行「2017年元旦、春节期间送温暖活动中筹集款物总额」100.60 万元 ≠")
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


def test_one_mistake_one_finding(registry: Registry) -> None:
    """A value that fails its type check is left out of every rule: reported once, with the rules it stops."""
    form = registry.get("songwennuan-2017")
    values = {"01A": "x", "01B": 5, "05": "10.00", "05A": "十万", "05B": "10.00"}
    findings = validate(form, Report(form.id, values=values))
    assert [(f.code, f.fields) for f in findings] == [("VAL-003", ("01A",)), ("VAL-003", ("05A",))]
    by_field = {f.fields[0]: f for f in findings}
    # 05-sum counts blanks as 0: without the rule, it would report 05A again as a broken sum
    assert "05-sum" in by_field["05A"].unchecked
    assert set(by_field["01A"].unchecked) == {r.id for r in form.rules if "01A" in r.codes}
    assert "以下审核未检查：05 = 05A + 05B + 05C + 05D + 05E" in by_field["05A"].message
    # the same report with the mistake corrected: the sum is checked again, and breaks
    values["05A"] = "1.00"
    values["01A"] = 10
    assert [f.rule for f in validate(form, Report(form.id, values=values))] == ["05-sum"]


def test_check_read_gives_one_finding_per_mistake_for_files(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    data = {"form": form.id, "values": {"05": "10.00", "05A": -1, "05B": "10.00"}}
    read_form, report, read_findings = jsonio.report_from_dict(data, registry, file="a.json")
    findings = check_read(ReadResult(read_form, report, Source(file="a.json"), tuple(read_findings)))
    assert [(f.code, f.unchecked) for f in findings] == [("VAL-006", ("05-sum",))]


def test_an_explained_warning_is_shown_as_explained(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    values = {"05": "10.00", "05E": "10.00", "06": "12.00"}
    (plain,) = validate(form, Report(form.id, values=values))
    assert plain.rule == "06-05-spent" and not plain.is_explained
    assert level(plain) == "警告"
    report = Report(form.id, values=values, explanations={"06-05-spent": " 含上年结转款物 2 万元 "})
    (explained,) = validate(form, report)
    assert explained.is_explained
    assert explained.explanation == "含上年结转款物 2 万元"
    assert (plain.code, explained.code) == ("CHK-002", "CHK-006")
    assert "已说明：“含上年结转款物 2 万元”。请审核人员核实说明" in explained.message
    assert "合理性审核说明" not in explained.message  # the filler's fix sentence gives way to the reviewer's
    assert "explained: “含上年结转款物 2 万元”" in explained.message_en
    assert level(explained) == "警告（已说明）"
    assert Tally.of([plain, explained]) == Tally(errors=0, warnings=2, explained=1)
    assert Tally.of([plain, explained]).text() == "0 个错误，2 个警告（其中 1 个已说明）"
    # a blank explanation explains nothing
    report = Report(form.id, values=values, explanations={"06-05-spent": "  "})
    assert [f.is_explained for f in validate(form, report)] == [False]


def test_errors_cannot_be_explained_away(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    values = {"01A": 10, "01B": 50}
    report = Report(form.id, values=values, explanations={"01B-part": "统计口径不同", "99-x": "？"})
    findings = validate(form, report)
    assert [(f.code, f.rule, f.severity) for f in findings] == [
        ("CHK-001", "01B-part", Severity.ERROR),
        ("CHK-004", "01B-part", Severity.WARNING),
        ("CHK-005", None, Severity.WARNING),
    ]
    assert findings[0].explanation is None and not findings[0].is_explained
    assert "01B-part" in findings[1].message and "不能以说明代替" in findings[1].message
    assert findings[1].values == ("统计口径不同",)
    assert "99-x" in findings[2].message and "没有审核规则" in findings[2].message
    assert "unionforms show songwennuan-2017" in findings[2].message


def test_a_broken_money_rule_speaks_to_the_filler(registry: Registry) -> None:
    """Labels and lines, the values, what to do: no codes, no rounding jargon, no rule author's reasoning
    (that is the finding's ``why``, for --json and reviewers)."""
    form = registry.get("songwennuan-2017")
    values = {"05": "3.72", "05A": "1.23", "05B": "1.23", "05C": "1.23"}
    (finding,) = validate(form, Report(form.id, values=values))
    assert finding.rule == "05-sum"
    assert finding.message == (
        "第05行「2017年元旦、春节期间送温暖活动中筹集款物总额」3.72 万元 ≠ 第05行各分项之和 3.69 万元。"
        "请核对并修改有关数字。"
    )
    assert finding.why is not None and finding.why.startswith("05 = 05A + 05B + 05C + 05D + 05E：「")
    assert "故为逻辑性审核（错误）" in finding.why
    values["05"] = "3.70"  # within rounding: 1.23 + 1.23 + 1.23 may be 3.70
    assert validate(form, Report(form.id, values=values)) == []


def _verdicts_in_every_format(
    registry: Registry, tmp_path: object, values: dict[str, str]
) -> list[list[str]]:
    """The rules a 2014 return breaks when read as JSON, as a filled template and as a wide CSV row."""
    import csv
    import json
    import tempfile
    from pathlib import Path

    from unionforms.excel import read_xlsx
    from unionforms.excel.fill import fill
    from unionforms.io.reading import read_many
    from unionforms.io.tables import wide_columns

    assert isinstance(tmp_path, Path)
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))
    form = registry.get("songwennuan-2014")
    doc = {"form": form.id, "values": {code: json.loads(text) for code, text in values.items()}}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    as_json = jsonio.load(path, registry)
    typed = as_json[1]
    book = tmp_path / "r.xlsx"
    fill(form, typed, book)
    as_book = read_xlsx(book, registry, expect=form)
    table = tmp_path / "r.csv"
    columns = wide_columns(form)
    with table.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerow([form.id if c == "form" else values.get(c, "") for c in columns])
    (as_row,) = [r for r in read_many(table, registry) if isinstance(r, ReadResult)]
    results = [
        check_read(ReadResult(form, as_json[1], Source(), tuple(as_json[2]))),
        check_read(as_book),
        check_read(as_row),
    ]
    return [[f"{f.rule}:{f.severity.value}" for f in found] for found in results]


def test_the_same_figures_get_one_verdict_as_json_template_and_table_row(
    registry: Registry, tmp_path: object
) -> None:
    """05 = 1865 whole 万元 against parts adding to 1866: 1865 is read as 1865.00 in every format (the form
    asks for two places), so it is the same error as JSON, as a filled template and as a table row."""
    values = {"05": "1865", "05A": "1000", "05B": "866"}
    verdicts = _verdicts_in_every_format(registry, tmp_path, values)
    assert verdicts == [["05-sum:error"]] * 3


def test_whole_number_parts_do_not_widen_a_sum(registry: Registry, tmp_path: object) -> None:
    """Whole 万元 parts stand for amounts to 0.01 万元, not ± 0.5 each: a total 2 万元 off is broken."""
    values = {"05": "12", "05A": "3", "05B": "3", "05C": "3", "05D": "5"}
    assert _verdicts_in_every_format(registry, tmp_path, values) == [["05-sum:error"]] * 3
    values["05"] = "14"
    assert _verdicts_in_every_format(registry, tmp_path, values) == [[]] * 3


def test_money_is_read_to_its_declared_places_in_every_reader(registry: Registry) -> None:
    form = registry.get("songwennuan-2014")
    typed, found = typed_values(form, Report(form.id, values={"05": "1865", "05A": "3.7", "05B": "0.003"}))
    assert found == []
    assert {c: str(v) for c, v in typed.items()} == {"05": "1865.00", "05A": "3.70", "05B": "0.003"}


@pytest.mark.parametrize(
    ("form_id", "values", "blank", "code"),
    [
        ("songwennuan-2014", {"06A": "36.00", "06B": "330.00"}, "06", "CHK-007"),
        ("songwennuan-2014", {"06A": "0.00"}, "06", "CHK-008"),
        ("bangfu-2016", {"09A": 5, "09B": "120.00", "09D": "120.00", "09E": 5}, "09C", "CHK-007"),
        ("bangfu-2013", {"10D.2": 40, "10D.3": "12.50"}, "10D.1", "CHK-007"),
        ("songwennuan-2017", {"01B": 300}, "01A", "CHK-007"),
        ("songwennuan-2017", {"10K": 540}, "10", "CHK-007"),
        ("songwennuan-2017", {"05A": "3.00", "05B": "1.00"}, "05", "CHK-007"),
    ],
)
def test_a_blank_total_or_companion_beside_figures_is_one_finding_on_that_blank(
    registry: Registry, form_id: str, values: dict[str, object], blank: str, code: str
) -> None:
    form = registry.get(form_id)
    source = Source(file="r.xlsx", sheet="表", cells={c: f"D{i}" for i, c in enumerate(form.fields, 1)})
    found = validate(form, Report(form.id, values=values), source)
    assert [(f.code, f.fields) for f in found] == [(code, (blank,))]
    (finding,) = found
    assert finding.cells == (source.cells[blank],)  # only the cell to fill is marked
    assert finding.message.startswith(f"{blank}（{source.cells[blank]}） {form.fields[blank].label}")
    assert f"请填写 {blank}（{source.cells[blank]}）" in finding.message
    assert "故为" not in finding.message and "±" not in finding.message


def test_a_filled_total_is_checked_as_before(registry: Registry) -> None:
    form = registry.get("songwennuan-2014")
    found = validate(form, Report(form.id, values={"06": "300.00", "06A": "36.00", "06B": "330.00"}))
    assert [(f.code, f.rule) for f in found] == [("CHK-001", "06B-part")]


def test_not_applicable_marks_are_read_and_said_in_every_reader(registry: Registry, tmp_path: Path) -> None:
    """—, / and 不适用 read as blank, 无 as 0: the same as JSON, as a template cell and as a table row, each
    with a VAL-012 warning; the rules see the values so read."""
    import csv
    import json

    from unionforms.excel import read_xlsx
    from unionforms.io.reading import read_many
    from unionforms.io.tables import wide_columns

    from .xlsx_builders import build

    form = registry.get("songwennuan-2014")
    values = {"05": "—", "05A": "/", "05B": "不适用", "06": "无", "06A": "0.00"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"form": form.id, "values": values}, ensure_ascii=False), encoding="utf-8")
    _, report, read = jsonio.load(path, registry)
    as_json = ReadResult(form, report, Source(), tuple(read))
    build(form, tmp_path / "r.xlsx", values)
    as_book = read_xlsx(tmp_path / "r.xlsx", registry, expect=form)
    table = tmp_path / "r.csv"
    with table.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(wide_columns(form))
        writer.writerow([form.id if c == "form" else values.get(c, "") for c in wide_columns(form)])
    (as_row,) = [r for r in read_many(table, registry) if isinstance(r, ReadResult)]
    for result in (as_json, as_book, as_row):
        assert result.report.values == {"06": Decimal(0), "06A": Decimal(0)}
        found = check_read(result)
        assert [(f.code, f.fields) for f in found] == [("VAL-012", (c,)) for c in values if c != "06A"]


def test_a_not_applicable_mark_is_a_warning_and_the_rules_use_its_reading(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    found = validate(form, Report(form.id, values={"01A": "无", "01B": "300"}))
    assert [(f.code, f.fields) for f in found] == [("VAL-012", ("01A",)), ("CHK-001", ("01B", "01A"))]
    assert "“无”" in found[0].message and "0" in found[0].message
    found = validate(form, Report(form.id, values={"01A": "—", "01B": "300"}))
    assert [(f.code, f.fields) for f in found] == [("VAL-012", ("01A",)), ("CHK-007", ("01A",))]


_FINE = """
id = "fine-2018"
family = "fine"
year = 2018
version = "1"
title = "演示表"
decimals = { "01B" = 4 }

[[lines]]
number = "01"
rows = ["[A]筹集资金{万元}，[B]其中专项{万元}。"]

[[rules]]
id = "01B-part"
expr = "01B <= 01A"
reason = "「其中」"
"""


def test_a_figure_finer_than_its_declared_places_is_a_warning_and_used_as_typed() -> None:
    """The issue's case: a 5-decimal value on a 4-decimal 万元 field is no longer accepted in silence."""
    form = Form.from_dict(tomllib.loads(_FINE))
    values = {"01A": "1.234", "01B": "1.23456"}
    found = validate(form, Report(form.id, values=values), Source(file="r.json", cells={"01B": "D7"}))
    assert [(f.code, f.fields, f.severity) for f in found] == [
        ("VAL-020", ("01A",), Severity.WARNING),  # 3 places on a 2-place field
        ("VAL-020", ("01B",), Severity.WARNING),
        ("CHK-001", ("01B", "01A"), Severity.ERROR),  # the rule still sees 1.23456 > 1.234
    ]
    assert found[1].message.startswith("01B（D7） 其中专项：填写的 1.23456 有 5 位小数，本栏按 4 位小数")
    assert found[1].cells == ("D7",)
    assert validate(form, Report(form.id, values={"01A": "2", "01B": "1.2345"})) == []


@given(st.integers(0, 10**8), st.integers(0, 8))
def test_only_places_beyond_the_declared_ones_are_found(units: int, places: int) -> None:
    form = Form.from_dict(tomllib.loads(_FINE.split("[[rules]]")[0]))
    value = Decimal(units).scaleb(-places)
    codes = [f.fields for f in validate(form, Report(form.id, values={"01A": value, "01B": value}))]
    assert codes == [(c,) for c, declared in (("01A", 2), ("01B", 4)) if places > declared]
