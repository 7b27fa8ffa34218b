"""The rule language: parsing, positions in errors, kind checks against a form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from unionforms import DefinitionError, Form, RuleSyntaxError, Severity
from unionforms.rules import Comparison, Const, FlagConst, Implication, Ref, Rule, parse

FORM = """
id = "demo-2020"
family = "demo"
year = 2020
version = "1"
title = "演示表"
[[lines]]
number = "01"
rows = ["[A]总数{人}，[B]其中{人}。", "[C]金额{万元}；[D]是否{是/否}。"]
"""


def _form(rules: list[dict[str, str]]) -> Form:
    import tomllib

    data = tomllib.loads(FORM)
    data["rules"] = rules
    return Form.from_mapping(data)


def test_parse_sum_and_comparison() -> None:
    tree = parse("05 = 05A + 05B - 05C")
    assert isinstance(tree, Comparison)
    assert tree.op == "="
    assert [t.code for _, t in tree.right.terms if isinstance(t, Ref)] == ["05A", "05B", "05C"]
    assert [s for s, _ in tree.right.terms] == [1, 1, -1]


def test_parse_implication_constants_and_flags() -> None:
    tree = parse("06B = 是 -> 06A > 0.5")
    assert isinstance(tree, Implication)
    assert isinstance(tree.premise.right.terms[0][1], FlagConst)
    const = tree.conclusion.right.terms[0][1]
    assert isinstance(const, Const) and const.value == Decimal("0.5")


def test_two_digit_token_is_a_code_and_suffixes_parse() -> None:
    tree = parse("10 >= 01A.2 + 10.0")
    assert isinstance(tree, Comparison)
    assert isinstance(tree.left.terms[0][1], Ref)
    assert isinstance(tree.right.terms[1][1], Const)


@pytest.mark.parametrize(
    ("text", "position"),
    [("05 = ", 5), ("05 05A", 3), ("05 == 05A", 4), ("01A <= 01B ->", 13), ("01A $ 1", 4), ("01A <= x", 7)],
)
def test_syntax_errors_name_the_position(text: str, position: int) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, rule="r1")
    assert info.value.code == "RULE-001"
    assert info.value.position == position
    assert info.value.rule == "r1"


def test_unknown_code_names_form_rule_and_position() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "bad", "expr": "01B <= 01Z", "reason": "r"}])
    err = info.value
    assert (err.code, err.form, err.rule, err.position) == ("RULE-002", "demo-2020", "bad", 7)
    assert "01Z" in str(err)


@pytest.mark.parametrize("expr", ["01A <= 01C", "01D > 0", "01D = 01A", "01A <= 0.5"])
def test_kind_mismatches_are_refused(expr: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "k", "expr": expr, "reason": "r"}])
    assert info.value.code == "RULE-003"


def test_flag_rules_and_policies_are_checked() -> None:
    form = _form([{"id": "ok", "expr": "01D = 是 -> 01C > 0", "reason": "r"}])
    assert form.rule("ok").codes == ("01D", "01C")
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "z", "expr": "01D = 是", "reason": "r", "missing": "zero"}])
    assert info.value.code == "RULE-003"
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "s", "expr": "01B <= 01A", "reason": "r", "severity": "fatal"}])
    assert info.value.code == "RULE-004"


def test_duplicate_rule_ids_are_refused() -> None:
    rule = {"id": "same", "expr": "01B <= 01A", "reason": "r"}
    with pytest.raises(DefinitionError) as info:
        _form([rule, rule])
    assert info.value.code == "DEF-005"


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        Rule(id="t", expr="01B <= 01A", severity=Severity.ERROR, reason="r", tolerance=Decimal("-1"))
    assert info.value.code == "RULE-004"


@pytest.mark.parametrize(
    "rule",
    [
        {"id": "m", "expr": "01B <= 01A", "reason": "r", "message": "{foo}"},
        {"id": "m", "expr": "01B <= 01A", "reason": "r", "message": "{left"},
        {"id": "c", "expr": "0 = 1", "reason": "r"},
    ],
)
def test_message_templates_and_fieldless_rules_are_checked_at_load(rule: dict[str, str]) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([rule])
    assert info.value.code == "RULE-004"
