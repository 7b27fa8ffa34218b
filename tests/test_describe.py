"""`unionforms show FORM`: the layout as printed, then every rule with its severity and reason."""

from __future__ import annotations

from unionforms import Form
from unionforms.describe import describe, describe_text


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
