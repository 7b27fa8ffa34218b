"""Differences between definitions: fields paired by labels or by a mapping, never by code."""

from __future__ import annotations

import attrs

from unionforms import Form, Registry, Rule, Severity
from unionforms.authoring.diff import carry_expr, diff, pair_by_labels, shape
from unionforms.authoring.mapping import find_mapping


def _kinds(result: object, kind: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    return [(c.old, c.new) for c in result.fields if c.kind == kind]  # type: ignore[attr-defined]


def test_a_form_against_itself_has_no_difference(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    result = diff(form, form)
    assert result.fields == () and result.rules == ()


def test_letters_shifted_in_2017_are_paired_by_label(registry: Registry) -> None:
    a, b = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    pairs = pair_by_labels(a, b)
    assert pairs["04C.1"] == "04D" and pairs["04C.2"] == "04E" and pairs["04C.4"] == "04G"
    assert pairs["10B.2"] == "10B" and pairs["10C.2"] == "10D"  # the repeated 运送 told apart by its row
    result = diff(a, b)
    assert ((("04C.2",), ("04E",))) in _kinds(result, "moved")
    assert ((), ("04C",)) in _kinds(result, "added")  # 慰问一线职工
    assert (("07A",), ()) in _kinds(result, "removed")  # 十八大精神会议
    assert ((("08A.1",), ("08A",))) in _kinds(result, "unit")  # 名 → 人次
    assert ((("05B",), ("05C",))) in _kinds(result, "relabelled")  # 工会投入 → 工会经费


def test_a_declared_mapping_shows_splits_and_drops(registry: Registry) -> None:
    a, b = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    result = diff(a, b, find_mapping(registry, a, b))
    assert result.paired_by == "mapping"
    assert _kinds(result, "split") == [(("05A",), ("05A", "05B"))]
    assert (("08A.1",), ()) in _kinds(result, "removed")
    assert ((), ("08A",)) in _kinds(result, "added")
    assert "拆分 05A → 05A+05B" in result.text()
    assert result.to_dict()["fields"][0]["old"] == ["01A.1"]


def _shifted(form: Form) -> Form:
    """2017 with a new 04C inserted before the old (C): every later letter of line 04 moves on by one."""
    return Form.from_dict(
        {
            "id": "songwennuan-2018",
            "family": "songwennuan",
            "year": 2018,
            "version": "1",
            "title": "2018年工会送温暖活动统计表",
            "lines": [
                {"number": "04", "rows": ["[A]走访企业{家}，[B]其中困难企业{家}；[C]慰问一线职工{人}；"]},
                {"number": "05", "rows": ["[A]新增一项{户}，[B]慰问困难家庭总数{户}，[C]其中困难职工{户}"]},
            ],
            "rules": [
                {"id": "04B-part", "expr": "04B <= 04A", "reason": "其中"},
                {"id": "05-part", "expr": "05B <= 05A", "reason": "其中"},
            ],
        }
    )


def test_a_rule_whose_codes_moved_is_stale() -> None:
    old = Form.from_dict(
        {
            "id": "songwennuan-2017",
            "family": "songwennuan",
            "year": 2017,
            "version": "1",
            "title": "t",
            "lines": [
                {"number": "04", "rows": ["[A]走访企业{家}，[B]其中困难企业{家}；[C]慰问一线职工{人}；"]},
                {"number": "05", "rows": ["[A]慰问困难家庭总数{户}，[B]其中困难职工{户}"]},
            ],
            "rules": [
                {"id": "04B-part", "expr": "04B <= 04A", "reason": "其中"},
                {"id": "05-part", "expr": "05B <= 05A", "reason": "其中"},
            ],
        }
    )
    result = diff(old, _shifted(old))
    (stale,) = [r for r in result.rules if r.kind == "stale"]
    assert stale.rule == "05-part" and "05C <= 05B" in stale.detail
    assert not [r for r in result.rules if r.rule == "04B-part"]


def test_rules_changed_in_policy_or_text_are_reported(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    rules = list(form.rules)
    rules[0] = attrs.evolve(rules[0], severity=Severity.WARNING)
    rules[1] = Rule(rules[1].id, "02B <= 01A", Severity.ERROR, "x")
    rules.append(Rule("new-rule", "04B <= 04A", Severity.WARNING, "x"))
    changed = attrs.evolve(form, rules=(*rules[2:], rules[0], rules[1]))
    result = diff(form, changed)
    kinds = {r.rule: r.kind for r in result.rules}
    assert kinds == {"01B-part": "changed", "02B-part": "changed", "new-rule": "added"}
    assert "severity error → warning" in next(r.detail for r in result.rules if r.rule == "01B-part")


def test_carry_expr_follows_the_parsed_codes() -> None:
    rule = Rule("r", "#05 = 05A + 05B", Severity.ERROR, "x")
    assert carry_expr(rule, {"05": "06", "05A": "06A", "05B": "06B"}) == "#06 = 06A + 06B"
    # the # goes with the new code: a code without a letter carries it, a code with one does not
    assert carry_expr(rule, {"05": "06C", "05A": "07", "05B": "06B"}) == "06C = #07 + 06B"
    with_constant = Rule("r", "#05 = 05A + 10.0", Severity.ERROR, "x")
    assert carry_expr(with_constant, {"05": "06", "05A": "06A"}) == "#06 = 06A + 10.0"
    assert carry_expr(rule, {"05": "06"}) is None


def test_shape_ignores_spacing_and_sees_renamed_codes() -> None:
    a = Rule("r", "#05 = 05A+05B", Severity.ERROR, "x")
    b = Rule("r", "#06 = 06A + 06B", Severity.ERROR, "x")
    assert shape(a.tree) != shape(b.tree)
    assert shape(a.tree, {"05": "06", "05A": "06A", "05B": "06B"}) == shape(b.tree)
    assert shape(a.tree, {"05": "06"}) is None
