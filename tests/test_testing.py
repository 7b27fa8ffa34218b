"""The conformance kit itself: the one call passes on a good form, and every property of the kit fails on
a definition that breaks it (a kit test that cannot fail proves nothing)."""

from __future__ import annotations

import types
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis.errors import Unsatisfiable

from unionforms import Form, Registry, Report, Status, evaluate, hookimpl
from unionforms.authoring.mapping import FormMapping, MappingEntry, MappingKind
from unionforms.plugins.registry import Plugin
from unionforms.strategies import UnsatisfiableRules, broken_reports, valid_reports
from unionforms.testing import (
    _run,
    blank_report_asks_for_it,
    broken_report_breaks_one,
    definition_checks,
    excel_round_trip,
    json_round_trip,
    libreoffice_agrees,
    mappings_fit,
    registered,
    run_conformance,
    valid_report_passes,
    worked_examples,
)

PLUGINS = Path(__file__).resolve().parent.parent / "src" / "unionforms_plugins"


def _registry_with(*forms: Form, mappings: tuple[FormMapping, ...] = ()) -> Registry:
    module = types.ModuleType("demo_plugin")

    @hookimpl
    def unionforms_forms() -> list[Form]:
        return list(forms)

    @hookimpl
    def unionforms_mappings() -> list[FormMapping]:
        return list(mappings)

    module.unionforms_forms = unionforms_forms  # type: ignore[attr-defined]
    module.unionforms_mappings = unionforms_mappings  # type: ignore[attr-defined]
    return Registry.from_plugins([Plugin(forms[0].id, module)])


_ROWS = ["[A]职工总数{人}，[B]其中农民工{人}。"]


def _form(rules: list[dict[str, str]], rows: list[str] = _ROWS, lines: int = 1) -> Form:
    return Form.from_dict(
        {
            "id": "demo-2018",
            "family": "demo",
            "year": 2018,
            "version": "1",
            "title": "2018年示例表",
            "lines": [{"number": f"0{n}", "rows": rows} for n in range(1, lines + 1)],
            "rules": rules,
        }
    )


_PART = {"id": "01B-part", "expr": "01B <= 01A", "reason": "其中"}


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


# ---- each property of the kit fails on a definition that breaks it ----------------------------------


def test_registered_fails_on_a_form_no_plugin_provides(registry: Registry) -> None:
    assert registered(registry, "bangfu-2016") is registry.forms["bangfu-2016"]
    with pytest.raises(AssertionError, match="not registered"):
        registered(registry, "bangfu-2099")


def test_definition_checks_fails_on_a_definition_file_with_an_error(
    registry: Registry, tmp_path: Path
) -> None:
    """The file the plugin ships can hold what its loaded form does not show: a key loading never saw."""
    form = registry.get("songwennuan-2017")
    source = (PLUGINS / "songwennuan_2017" / "form.toml").read_text(encoding="utf-8")
    good, bad = tmp_path / "good" / "form.toml", tmp_path / "bad" / "form.toml"
    for path, text in ((good, source), (bad, source.replace('title = "', 'colour = "red"\ntitle = "', 1))):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    definition_checks(registry, form, good)
    with pytest.raises(AssertionError, match="DEF-041"):
        definition_checks(registry, form, bad)


def test_definition_checks_fails_on_a_mapping_that_does_not_fit(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    for name in ("form.toml", "mapping.toml"):
        text = (PLUGINS / "songwennuan_2017" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace('to = "04E"', 'to = "04F"'), encoding="utf-8")
    with pytest.raises(AssertionError, match="MAP-010"):
        definition_checks(registry, form, tmp_path / "form.toml")


def test_mappings_fit_fails_on_a_declared_mapping_that_does_not_fit(registry: Registry) -> None:
    old, new = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    unfit = FormMapping(old.id, new.id, (MappingEntry(MappingKind.SAME, ("01A",), ("01A",), "当地职工总数"),))
    with pytest.raises(AssertionError, match="MAP-011"):
        mappings_fit(_registry_with(old, new, mappings=(unfit,)), new)


def test_valid_reports_pass_fails_on_error_rules_that_cannot_hold_together() -> None:
    form = _form([_PART, {"id": "01B-more", "expr": "01B > 01A", "reason": "矛盾"}])
    with pytest.raises(UnsatisfiableRules):
        _run(5, valid_reports(form), lambda r: valid_report_passes(form, r))


def test_valid_report_passes_fails_on_a_report_with_an_error() -> None:
    form = _form([_PART])
    valid_report_passes(form, Report(form.id, values={"01A": 5, "01B": 3}))
    with pytest.raises(AssertionError):
        valid_report_passes(form, Report(form.id, values={"01A": 3, "01B": 5}))


def test_each_rule_broken_alone_fails_on_a_rule_another_implies() -> None:
    twice = _form([_PART, {"id": "01A-whole", "expr": "01A >= 01B", "reason": "其中"}])
    rule = twice.rule("01B-part")
    strategy = broken_reports(twice, rule=rule.id)
    with pytest.raises(Unsatisfiable):
        _run(5, strategy, lambda pair: broken_report_breaks_one(twice, *pair))


def test_each_rule_broken_alone_fails_on_a_finding_it_did_not_ask_for() -> None:
    """A report breaking one rule that another rule flags too fails the property (two findings)."""
    form = _form([_PART, {"id": "01B-half", "expr": "01B <= 01A", "reason": "一半", "severity": "warning"}])
    report = Report(form.id, values={"01A": 3, "01B": 5})
    with pytest.raises(AssertionError):
        broken_report_breaks_one(form, report, form.rule("01B-part"))


def test_a_blank_whole_asked_for_fails_when_another_rule_flags_the_blank_too() -> None:
    """A warning rule reading the blank whole as 0 (missing = "zero") breaks beside CHK-007: two
    findings for one blank. (The strategy itself keeps every other rule holding, so the report is made
    here.)"""
    zero = {"id": "01A-zero", "expr": "01B <= 01A", "reason": "零", "severity": "warning", "missing": "zero"}
    part = _form([_PART])
    report = Report(part.id, values={"01B": 5})
    blank_report_asks_for_it(part, report, part.rule("01B-part"))
    both = _form([_PART, zero])
    with pytest.raises(AssertionError):
        blank_report_asks_for_it(both, report, both.rule("01B-part"))


def _stale() -> tuple[Registry, Form]:
    """An installed (older) definition and the edited one tested: the copy a non-editable install keeps
    (``docs/plugin-authoring.md``), where reading back uses the installed form."""
    installed, edited = _form([_PART]), _form([_PART], lines=2)
    return _registry_with(installed), edited


def test_json_round_trip_fails_when_the_form_read_back_is_not_the_form_written() -> None:
    registry, edited = _stale()
    report = Report(edited.id, values={"01A": 5, "02A": 7})
    json_round_trip(_registry_with(edited), edited, report)
    with pytest.raises(AssertionError):
        json_round_trip(registry, edited, report)


def test_excel_round_trip_fails_when_the_form_read_back_is_not_the_form_written() -> None:
    registry, edited = _stale()
    report = Report(edited.id, values={"01A": 5, "02A": 7})
    excel_round_trip(_registry_with(edited), edited, report)
    with pytest.raises(AssertionError):
        excel_round_trip(registry, edited, report)


def test_libreoffice_agrees_fails_when_the_form_read_back_is_not_the_form_written(tmp_path: Path) -> None:
    registry, edited = _stale()
    with pytest.raises(AssertionError):
        libreoffice_agrees(registry, edited, 1, tmp_path)
