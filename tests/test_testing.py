"""The conformance kit itself: the one call passes on a good form and fails on a bad one."""

from __future__ import annotations

import types
from decimal import Decimal

import pytest
from hypothesis.errors import Unsatisfiable

from unionforms import Form, Registry, Status, evaluate, hookimpl
from unionforms.registry import Plugin
from unionforms.testing import run_conformance, worked_examples


def _registry_with(form: Form) -> Registry:
    module = types.ModuleType("demo_plugin")

    @hookimpl
    def unionforms_forms() -> list[Form]:
        return [form]

    module.unionforms_forms = unionforms_forms  # type: ignore[attr-defined]
    return Registry.from_plugins([Plugin(form.id, module)])


def _form(rules: list[dict[str, str]]) -> Form:
    return Form.from_dict(
        {
            "id": "demo-2018",
            "family": "demo",
            "year": 2018,
            "version": "1",
            "title": "2018年示例表",
            "lines": [{"number": "01", "rows": ["[A]职工总数{人}，[B]其中农民工{人}。"]}],
            "rules": rules,
        }
    )


def test_one_call_passes_on_a_shipped_form(registry: Registry) -> None:
    run_conformance("bangfu-2016", examples=3, registry=registry)


def test_one_call_passes_on_a_good_plugin_form() -> None:
    form = _form([{"id": "01B-part", "expr": "01B <= 01A", "reason": "其中"}])
    run_conformance("demo-2018", examples=5, registry=_registry_with(form))


def test_a_rule_written_twice_cannot_be_broken_alone() -> None:
    twice = [
        {"id": "01B-part", "expr": "01B <= 01A", "reason": "其中"},
        {"id": "01A-whole", "expr": "01A >= 01B", "reason": "其中"},
    ]
    with pytest.raises(Unsatisfiable):
        run_conformance("demo-2018", examples=5, registry=_registry_with(_form(twice)))


def test_an_unregistered_form_fails(registry: Registry) -> None:
    with pytest.raises(AssertionError, match="not registered"):
        run_conformance("demo-2099", registry=registry)


@pytest.mark.parametrize("form_id", ["songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"])
def test_the_worked_rounding_examples_sit_at_the_edge_of_rounding(registry: Registry, form_id: str) -> None:
    """Each equality gets its whole at the edge of rounding (holds) and one unit beyond (broken), both
    ways round: the examples that make LibreOffice and Python agree on the interval semantics."""
    form = registry.get(form_id)
    examples = worked_examples(form)
    assert len(examples) >= 4
    statuses = []
    for report in examples:
        (rule,) = [r for r in form.rules if set(r.codes) == set(report.values) and "=" in r.expr]
        statuses.append(evaluate(rule, report.values).status)  # type: ignore[arg-type]
        assert {Decimal(str(v)).as_tuple().exponent for v in report.values.values()} == {-2}
        assert Decimal("1.23") in report.values.values()
    assert statuses == [Status.HOLDS, Status.BROKEN] * (len(examples) // 2)
