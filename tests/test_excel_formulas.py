"""Rules compiled into Excel verdict formulas: the right cells, the missing-value policy, no Python left."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from unionforms import Form, Missing, Rule, Severity
from unionforms.core.rules import written
from unionforms.excel.contract import field_name
from unionforms.excel.fill import fill
from unionforms.excel.formulas import ERROR, PASS, SKIPPED, WARNING, verdict_formula
from unionforms.excel.layout import plan
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.strategies import broken_reports, valid_reports
from unionforms.testing import _python_verdict, examples

_NAME_RE = re.compile(r"\bF_[0-9A-Z_]+\b")


def test_every_rule_names_exactly_its_fields(form: Form) -> None:
    for rule in form.rules:
        formula = verdict_formula(form, rule)
        assert set(_NAME_RE.findall(formula)) == {field_name(c) for c in rule.codes}, rule.id
        assert formula.count("(") == formula.count(")"), rule.id
        assert f'"{SKIPPED}"' in formula and f'"{PASS}"' in formula, rule.id
        broken = ERROR if rule.severity is Severity.ERROR else WARNING
        assert f'"{broken}"' in formula, rule.id


@pytest.mark.parametrize(("missing", "test"), [(Missing.SKIP, "<2"), (Missing.ZERO, "=0")])
def test_the_missing_value_policy_decides_when_a_rule_is_skipped(
    form: Form, missing: Missing, test: str
) -> None:
    counts = [f for f in form.iter_fields() if f.kind.value == "count"]
    a, b = counts[0].code, counts[1].code
    rule = Rule("t", f"{written(a)} <= {written(b)}", Severity.WARNING, "test", missing=missing)
    formula = verdict_formula(form, rule)
    assert f"IF(COUNT({field_name(a)},{field_name(b)}){test}," in formula


def test_the_total_policy_skips_while_the_total_is_blank(form: Form) -> None:
    counts = [f for f in form.iter_fields() if f.kind.value == "count"]
    a, b, total = (written(f.code) for f in counts[:3])
    rule = Rule("t", f"{a} + {b} <= {total}", Severity.WARNING, "test", missing=Missing.TOTAL)
    names = ",".join(field_name(f.code) for f in counts[:3])
    skipped = f"OR(COUNT({names})=0,COUNT({field_name(counts[2].code)})<1)"
    assert f"IF({skipped}," in verdict_formula(form, rule)


def test_an_error_rule_first_asks_for_its_blank_whole(form: Form) -> None:
    """A whole left blank beside a filled part: 错误 when a part is surely above 0, else 警告."""
    counts = [f for f in form.iter_fields() if f.kind.value == "count"]
    part, whole = counts[0].code, counts[1].code
    rule = Rule("t", f"{written(part)} <= {written(whole)}", Severity.ERROR, "test")
    formula = verdict_formula(form, rule)
    blank = f"AND(COUNT({field_name(whole)})=0,COUNT({field_name(part)})>0)"
    certain = f'IF(ROUND((SUM({field_name(part)}))-(SUM(0)),6)>0,"{ERROR}","{WARNING}")'
    assert f"IF({blank},{certain}," in formula


def test_an_implication_asks_for_its_blank_companion_once_the_premise_is_filled(form: Form) -> None:
    counts = [f for f in form.iter_fields() if f.kind.value == "count"]
    a, b = counts[0].code, counts[1].code
    rule = Rule("t", f"{written(a)} > 0 -> {written(b)} > 0", Severity.ERROR, "test")
    assert f"IF(AND(COUNT({field_name(b)})=0,COUNT({field_name(a)})=1)," in verdict_formula(form, rule)


def test_a_tolerance_is_written_into_the_comparison(form: Form) -> None:
    money = [f for f in form.iter_fields() if f.kind.value == "money"]
    a, b = money[0].code, money[1].code
    rule = Rule("t", f"{written(a)} = {written(b)}", Severity.WARNING, "test", tolerance=Decimal("0.05"))
    assert "<=0.05" in verdict_formula(form, rule)


def test_a_rate_multiplies_its_field_and_its_rounding(form: Form) -> None:
    money = next(f.code for f in form.iter_fields() if f.kind.value == "money")
    count = next(f.code for f in form.iter_fields() if f.kind.value == "count")
    rule = Rule(
        "t", f"{written(money)} <= 0.5 * {written(count)}", Severity.WARNING, "t", mixed_units="每人次"
    )
    formula = verdict_formula(form, rule)
    assert f"SUM(0.5*{field_name(count)})" in formula
    assert f"(SUM({field_name(money)})<>0)*0.005" in formula


def test_text_in_a_number_cell_names_the_cell(form: Form) -> None:
    """Text that is neither a number nor a 不适用 mark makes the verdict name its cell, 「D12 不是数字」."""
    counts = [f for f in form.iter_fields() if f.kind.value == "count"]
    a, b = counts[0].code, counts[1].code
    rule = Rule("t", f"{written(a)} <= {written(b)}", Severity.WARNING, "t")
    formula = verdict_formula(form, rule, {a: "D4", b: "D5"})
    assert formula.startswith(f"=IF(AND(ISTEXT({field_name(a)}),NOT(OR(TRIM({field_name(a)})=")
    assert f'NOT(OR(TRIM({field_name(b)})="/",' in formula and '"D5 不是数字"' in formula


def test_gnumeric_gives_the_verdicts_of_python_and_libreoffice(tmp_path: Path, form: Form) -> None:
    """A second, independent engine: filled templates recalculated by Gnumeric (``ssconvert --recalc``)
    show in every check cell the verdict Python gives and LibreOffice shows (on CI both must be there)."""
    ssconvert = shutil.which("ssconvert")
    if ssconvert is None or find_soffice() is None:
        if os.environ.get("CI"):
            raise RuntimeError("Gnumeric and LibreOffice are required on CI: .ci/run installs both")
        pytest.skip("Gnumeric or LibreOffice is not installed")
    reports = examples(valid_reports(form), 3) + [r for r, _ in examples(broken_reports(form), 5)]
    files = []
    for i, report in enumerate(reports):
        files.append(tmp_path / f"r{i}.xlsx")
        fill(form, report, files[-1])
    recalculated = convert(files, "xlsx", tmp_path / "lo")
    layout = plan(form)
    broken = 0
    for report, path, lo in zip(reports, files, recalculated, strict=True):
        subprocess.run(
            [ssconvert, "--recalc", "-S", str(path), str(tmp_path / f"{path.stem}.%n.csv")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with (tmp_path / f"{path.stem}.0.csv").open(encoding="utf-8", newline="") as fh:
            gnumeric = list(csv.reader(fh))
        libreoffice = openpyxl.load_workbook(lo, data_only=True)[layout.sheet]
        for rule in form.rules:
            row = layout.check_rows[rule.id]
            python = _python_verdict(form, rule, report)
            assert (gnumeric[row - 1][3], libreoffice[f"D{row}"].value) == (python, python), (path, rule.id)
            broken += python in (ERROR, WARNING)
    assert broken >= 5 if form.rules else broken == 0  # the broken reports were flagged, by all three
