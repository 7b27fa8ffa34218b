"""The rule language: parsing, positions in errors, kind checks against a form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from unionforms import DefinitionError, Form, RuleSyntaxError, Severity
from unionforms.core.rules import Comparison, Const, FlagConst, Implication, Ref, Rule, parse, written

FORM = """
id = "demo-2020"
family = "demo"
year = 2020
version = "1"
title = "演示表"
[[lines]]
number = "01"
rows = ["[A]总数{人}，[B]其中{人}。", "[C]金额{万元}；[D]是否{是/否}。"]
[[lines]]
number = "02"
rows = ["[A]家庭{户}，[B]服务{人次}，[C]帮助{名}。"]
[[lines]]
number = "03"
rows = ["合计{人}。"]
"""


def _form(rules: Sequence[Mapping[str, object]]) -> Form:
    import tomllib

    data = tomllib.loads(FORM)
    data["rules"] = rules
    return Form.from_dict(data)


def test_parse_sum_and_comparison() -> None:
    tree = parse("#05 = 05A + 05B - 05C")
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


def test_line_codes_carry_a_sigil_and_constants_parse() -> None:
    tree = parse("#10 >= 01A.2 + #09.1 + 10.0 + 012.5 + 100")
    assert isinstance(tree, Comparison)
    assert isinstance(tree.left.terms[0][1], Ref) and tree.left.terms[0][1].code == "10"
    terms = [t for _, t in tree.right.terms]
    assert [t.code for t in terms if isinstance(t, Ref)] == ["01A.2", "09.1"]
    assert [t.value for t in terms if isinstance(t, Const)] == [Decimal("10.0"), Decimal("12.5"), 100]


@pytest.mark.parametrize(
    ("text", "code", "hint"),
    [
        ("04E <= 10", "RULE-027", "write the field as #10, or the number as 10.0"),
        ("04E <= 09.1", "RULE-027", "write the field as #09.1, or the number as 9.1"),
        ("12.5 <= 04E", "RULE-027", "write the field as #12.5, or the number as 012.5"),
        ("04E <= 05", "RULE-027", "write the field as #05, or the number as 5"),
        ("#05A <= 05", "RULE-025", "a code with a letter is written without #, as 05A"),
        ("#5 <= 05A", "RULE-026", "# is followed by a line code"),
    ],
)
def test_a_token_that_could_be_a_code_or_a_number_is_refused(text: str, code: str, hint: str) -> None:
    """``04E <= 10`` must not silently mean field 10 when ten was meant, nor the other way round."""
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, rule="r1")
    assert info.value.code == code
    assert hint in str(info.value)


@pytest.mark.parametrize(
    ("text", "position", "code"),
    [
        ("#05 = ", 6, "RULE-011"),
        ("#05 05A", 4, "RULE-012"),
        ("#05 == 05A", 5, "RULE-001"),
        ("01A <= 01B ->", 13, "RULE-011"),
        ("01A $ 1", 4, "RULE-012"),
        ("01A <= x", 7, "RULE-001"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, code: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, rule="r1")
    assert info.value.code == code
    assert info.value.position == position
    assert info.value.rule == "r1"


def test_unknown_code_names_form_rule_and_position() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "bad", "expr": "01B <= 01Z", "reason": "r"}])
    err = info.value
    assert (err.code, err.form, err.rule, err.position) == ("RULE-002", "demo-2020", "bad", 7)
    assert "01Z" in str(err)


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("01A <= 01C", "RULE-003"),
        ("01D > 0", "RULE-014"),
        ("01D = 01A", "RULE-014"),
        ("01A <= 0.5", "RULE-013"),
    ],
)
def test_kind_mismatches_are_refused(expr: str, code: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "k", "expr": expr, "reason": "r"}])
    assert info.value.code == code


def test_flag_rules_and_policies_are_checked() -> None:
    form = _form([{"id": "ok", "expr": "01D = 是 -> 01C > 0", "reason": "r"}])
    assert form.rule("ok").codes == ("01D", "01C")
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "z", "expr": "01D = 是", "reason": "r", "missing": "zero"}])
    assert info.value.code == "RULE-015"
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
    assert info.value.code == "RULE-016"


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ({"id": "m", "expr": "01B <= 01A", "reason": "r", "message": "{foo}"}, "RULE-020"),
        ({"id": "m", "expr": "01B <= 01A", "reason": "r", "message": "{left"}, "RULE-019"),
        ({"id": "c", "expr": "0 = 1", "reason": "r"}, "RULE-018"),
        ({"id": "c d", "expr": "01B <= 01A", "reason": "r"}, "RULE-017"),
        ({"id": "k", "expr": "01B <= 01A"}, "RULE-022"),
    ],
)
def test_message_templates_and_fieldless_rules_are_checked_at_load(rule: dict[str, str], code: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([rule])
    assert info.value.code == code


@pytest.mark.parametrize("expr", ["02A <= 01A", "02B <= 01A", "02B + 01A <= 01B", "02A > 0 -> 02B <= 01A"])
def test_comparing_different_units_is_refused(expr: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "u", "expr": expr, "reason": "r"}])
    assert info.value.code == "RULE-005"
    assert info.value.rule == "u"


@pytest.mark.parametrize("expr", ["02C <= 01A", "02A > 0 -> 01A > 0", "02B > 0 -> 01C > 0"])
def test_same_measure_and_implications_across_units_are_allowed(expr: str) -> None:
    """名 and 人 both count persons; an implication's two comparisons are checked separately."""
    assert _form([{"id": "u", "expr": expr, "reason": "r"}]).rule("u").mixed_units is None


def test_mixed_units_must_say_why_and_be_needed() -> None:
    form = _form([{"id": "u", "expr": "02A <= 01A", "reason": "r", "mixed_units": "每户至少一人"}])
    assert form.rule("u").mixed_units == "每户至少一人"
    for bad in ("", 1):
        with pytest.raises(RuleSyntaxError) as info:
            _form([{"id": "u", "expr": "02A <= 01A", "reason": "r", "mixed_units": bad}])
        assert info.value.code == "RULE-024"
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "u", "expr": "01B <= 01A", "reason": "r", "mixed_units": "不需要"}])
    assert info.value.code == "RULE-028"


@pytest.mark.parametrize(("expr", "totals"), [("01A + 01B <= #03", ("03",)), ("#03 = 01A + 01B", ("03",))])
def test_total_policy_finds_the_total(expr: str, totals: tuple[str, ...]) -> None:
    assert _form([{"id": "t", "expr": expr, "reason": "r", "missing": "total"}]).rule("t").totals == totals


@pytest.mark.parametrize("expr", ["01A + 01B <= #03 + 01A", "01A > 0 -> #03 > 0"])
def test_total_policy_needs_a_field_alone_on_one_side(expr: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "t", "expr": expr, "reason": "r", "missing": "total"}])
    assert info.value.code == "RULE-023"


@pytest.mark.parametrize("code", ["05", "09.1", "05A", "01A.2"])
def test_written_codes_parse_back_to_the_code(code: str) -> None:
    tree = parse(f"{written(code)} <= 1")
    assert isinstance(tree, Comparison) and tree.refs[0].code == code


def test_a_rate_times_a_field_parses_and_prints() -> None:
    tree = parse("02B > 0 -> 01C <= 0.5 * 02B")
    assert isinstance(tree, Implication)
    (ref,) = tree.conclusion.right.refs
    assert (ref.code, ref.factor, ref.rated) == ("02B", Decimal("0.5"), True)
    plain = parse("01C <= 1 * 02B")
    assert isinstance(plain, Comparison) and plain.right.refs[0].rated  # a rate of 1 is still a rate
    from unionforms.core.display import pretty

    assert pretty("02B > 0 -> 01C <= 0.5 * 02B") == "02B > 0 时，01C ≤ 0.5 × 02B"


@pytest.mark.parametrize("text", ["01C <= 02B * 0.5", "01C <= 0.5 * 2", "01C <= 0.5 *", "01C <= * 02B"])
def test_a_rate_is_a_number_before_a_field(text: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text)
    assert info.value.code in ("RULE-001", "RULE-011")


def test_a_rate_may_turn_counts_into_money_saying_why() -> None:
    """万元 per 人次: a ratio 01C / 02B ≤ 0.5 is written 01C <= 0.5 * 02B, with mixed_units saying why."""
    why = "万元与人次：每人次一般不超过 0.5 万元"
    form = _form([{"id": "r", "expr": "01C <= 0.5 * 02B", "reason": "r", "mixed_units": why}])
    assert form.rule("r").codes == ("01C", "02B")
    for bad in (
        {"id": "r", "expr": "01C <= 0.5 * 02B", "reason": "r"},
        {"id": "r", "expr": "01C <= 02B", "reason": "r", "mixed_units": why},
    ):
        with pytest.raises(RuleSyntaxError) as info:
            _form([bad])
        assert info.value.code in ("RULE-003", "RULE-005")
    with pytest.raises(RuleSyntaxError) as info:
        _form([{"id": "f", "expr": "2 * 01D = 是", "reason": "r"}])
    assert info.value.code == "RULE-014"
