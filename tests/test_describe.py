"""`unionforms show FORM`: the layout as printed, then every rule with its severity and reason."""

from __future__ import annotations

import tomllib

from unionforms import Form
from unionforms.core.describe import describe, describe_text


def test_text_lists_every_rule_with_severity_expr_and_reason(form: Form) -> None:
    text = describe_text(form)
    lines = text.splitlines()
    for rule in form.rules:
        head = next(i for i, line in enumerate(lines) if line.split()[:1] == [rule.id])
        assert lines[head].split() == [rule.id, f"[{rule.severity.value}]", *rule.expr.split()]
        assert lines[head + 1].strip() == rule.reason
    assert f"{len(form.fields)} fields, {len(form.rules)} rules" in text


def test_json_carries_mixed_units(form: Form) -> None:
    rules = describe(form)["rules"]
    assert [r["mixed_units"] for r in rules] == [r.mixed_units for r in form.rules]


def test_text_shows_every_setting_that_is_not_the_default() -> None:
    """`show` printed a 4-decimal override nowhere: the reader of the text could not know it."""
    text = """
id = "fund-2016"
family = "fund"
year = 2016
version = "1"
title = "2016年专项帮扶资金统计表"
line_style = "paren"
money_decimals = 3
decimals = { "06A" = 4 }

[[lines]]
number = "06"
rows = ["[A]专项帮扶资金{万元}；", "[B]资金是否纳入财政预算{是/否}。"]

[aggregate]
"06B" = "any"
"""
    shown = describe_text(Form.from_dict(tomllib.loads(text))).splitlines()
    head = shown.index("声明 / declared (where the defaults do not hold):")
    assert shown[head + 1 :] == [
        "  万元栏小数位数 money_decimals = 3",
        "  06A 专项帮扶资金：小数位数 decimals = 4",
        '  行号样式 line_style = "paren"',
        '  06B 资金是否纳入财政预算：汇总方式 aggregate = "any"',
    ]
    defaults = text.split("line_style")[0] + text[text.index("[[lines]]") : text.index("[aggregate]")]
    plain = Form.from_dict(tomllib.loads(defaults))
    assert "declared" not in describe_text(plain)
