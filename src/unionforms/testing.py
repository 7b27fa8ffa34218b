"""The conformance kit: the standard properties every registered form must have (``specs/conformance.md``).

Use it from pytest by subclassing, in any test module of a plugin::

    from unionforms.testing import FormConformance

    class TestSongwennuan2018(FormConformance):
        form_id = "songwennuan-2018"

pytest collects the inherited tests: the definition checks clean, generated
valid reports have no error finding, every rule can be broken alone, every whole or companion left blank
beside its figures is asked for, JSON and Excel round trips keep
every value, a declared mapping fits, and LibreOffice's live checks agree with Python (skipped, with
the reason, when LibreOffice is not installed). Or call :func:`run_conformance` once, outside pytest.

Needs ``pip install "unionforms[testing]"`` (Hypothesis and pytest).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, TypeVar

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from unionforms.authoring.definition_check import check_definition
from unionforms.authoring.mapping import declared_mappings
from unionforms.authoring.scaffold import definition_source
from unionforms.core.evaluate import Status, evaluate
from unionforms.core.findings import Severity
from unionforms.core.model import Form
from unionforms.core.report import Report
from unionforms.core.rules import Comparison, Implication, Ref, Rule
from unionforms.core.validate import typed_values, validate
from unionforms.core.values import Value
from unionforms.excel.fill import fill
from unionforms.excel.formulas import ERROR, PASS, SKIPPED, WARNING
from unionforms.excel.layout import plan
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.excel.reader import read_xlsx
from unionforms.io.jsonio import report_from_dict, report_to_dict
from unionforms.plugins.registry import Registry
from unionforms.strategies import blank_reports, broken_reports, reports, valid_reports

__all__ = ["FormConformance", "run_conformance"]

T = TypeVar("T")
_BLANK_CODES = ("CHK-007", "CHK-008")  # a whole or companion left blank beside figures
_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]


@functools.cache
def installed() -> Registry:
    """The registry of installed plugins, loaded once for the kit."""
    return Registry.from_entry_points()


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=_HEALTH)


# ---- the properties, one function each (the test class and run_conformance call these) -------------


def registered(registry: Registry, form_id: str) -> Form:
    """The form under test: registered, with no plugin problem naming it (what the form's definition
    must be, id included, loading itself enforces: a form that exists is a valid one)."""
    mine = [str(p) for p in registry.problems if form_id in str(p)]
    assert mine == [], mine
    assert form_id in registry.forms, f"{form_id} is not registered; problems: {registry.problems}"
    return registry.forms[form_id]


def definition_checks(registry: Registry, form: Form, source: Path | None = None) -> None:
    """``unionforms check`` finds no error in the form's definition file (``source``, else the one its
    entry point ships) and the mapping beside it: what loading does not see (a mapping.toml that does not
    fit, a definition file other than the one the plugin builds its form from)."""
    found = source or definition_source(form.id)
    if not isinstance(found, Path):
        pytest.skip(f"the definition of {form.id} is not a file on disk")
    result = check_definition(found, registry)
    errors = [p.text() for p in result.problems if p.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)


def valid_report_passes(form: Form, report: Report) -> None:
    """A generated valid report has no error-level finding."""
    errors = [f.message for f in validate(form, report) if f.severity is Severity.ERROR]
    assert not errors, errors


def broken_report_breaks_one(form: Form, report: Report, rule: Rule) -> None:
    """A report generated to break ``rule`` breaks exactly that rule, with its severity and fields."""
    # a whole or companion another rule asks for may stand blank beside the figures (its own finding)
    findings = [f for f in validate(form, report) if f.code not in _BLANK_CODES]
    assert [f.rule for f in findings] == [rule.id]
    (finding,) = findings
    assert finding.fields == rule.codes
    assert finding.severity is rule.severity
    assert finding.why is not None and rule.reason in finding.why  # the reasoning, beside the message
    named = [r.code for comp in _comparisons(rule) for side in (comp.left, comp.right) for r in side.refs[:1]]
    assert any(form.fields[code].label in finding.message for code in named)  # labels, not codes


def blank_report_asks_for_it(form: Form, report: Report, rule: Rule) -> None:
    """A report leaving ``rule``'s whole or companion blank beside its filled figures has one finding:
    that blank, its cell alone, an error when the figures make it surely non-zero (rules.md §7.1)."""
    findings = validate(form, report)
    assert len(findings) == 1, [f.message for f in findings]
    (found,) = findings
    target = rule.target
    assert target is not None and found.fields == (target,)
    assert found.rule in {r.id for r in form.rules if r.target == target}
    values, _ = typed_values(form, report)
    if evaluate(rule, values).grade is Severity.ERROR:
        assert found.code == "CHK-007" and found.severity is Severity.ERROR
    assert form.fields[target].label in found.message


def _comparisons(rule: Rule) -> tuple[Comparison, ...]:
    tree = rule.tree
    return (tree.premise, tree.conclusion) if isinstance(tree, Implication) else (tree,)


def json_round_trip(registry: Registry, form: Form, report: Report) -> None:
    """A report survives the JSON interchange format exactly: every value, its type and its digits."""
    text = json.dumps(report_to_dict(report), ensure_ascii=False)
    back_form, again, findings = report_from_dict(json.loads(text, parse_float=Decimal), registry)
    assert findings == []
    assert back_form is form
    assert again == report
    assert {c: str(v) for c, v in again.values.items()} == {c: str(v) for c, v in report.values.items()}


def excel_round_trip(registry: Registry, form: Form, report: Report) -> None:
    """A report written into the form's template reads back unchanged, without findings."""
    with tempfile.TemporaryDirectory(prefix="uf-conf-") as tmp:
        path = Path(tmp) / f"{form.id}.xlsx"
        fill(form, report, path)
        back = read_xlsx(path, registry, expect=form)
    assert back.findings == (), [f.message for f in back.findings]
    assert back.report == report


def mappings_fit(registry: Registry, form: Form) -> None:
    """Every mapping declared to or from the form fits both forms (when both are installed)."""
    for mapping in declared_mappings(registry):
        if form.id in (mapping.old, mapping.new) and {mapping.old, mapping.new} <= set(registry.forms):
            problems = mapping.problems(registry.forms[mapping.old], registry.forms[mapping.new])
            assert not problems, "\n".join(str(p) for p in problems)


def _python_verdict(form: Form, rule: Rule, report: Report) -> str:
    values, _ = typed_values(form, report)
    grade = evaluate(rule, values).grade
    if grade is None:
        return SKIPPED if evaluate(rule, values).status is Status.SKIPPED else PASS
    return ERROR if grade is Severity.ERROR else WARNING


def examples(strategy: st.SearchStrategy[T], n: int) -> list[T]:
    """``n`` examples of ``strategy``, collected so they can go through LibreOffice in one batch."""
    out: list[T] = []

    @settings(max_examples=n, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example: T) -> None:
        out.append(example)

    collect()
    return out[:n]


@st.composite
def nudged_reports(draw: st.DrawFn, form: Form) -> Report:
    """A valid report with some 万元 figures moved by up to 3 units of their declared last place: sums
    that hold or break by rounding alone."""
    report = draw(valid_reports(form))
    values = dict(report.values)
    for code, value in values.items():
        places = form.declared_decimals(code)
        if places is not None and isinstance(value, Decimal) and draw(st.booleans()):
            moved = value + Decimal(draw(st.integers(-3, 3))).scaleb(-places)
            values[code] = moved if moved >= 0 else Decimal(0).scaleb(-places)
    return Report(form.id, report.meta, values)


def worked_examples(form: Form, limit: int = 6) -> list[Report]:
    """The worked rounding examples of ``specs/rules.md`` on the form's 万元 equalities ``whole = a + b + …``
    (parts of one declared precision): every part 1.23, the whole at the edge of rounding and one unit
    beyond it, both ways round (3.70 and 3.71 against 1.23 + 1.23 + 1.23). At most ``limit`` reports."""
    out = []
    for rule in form.rules:
        tree = rule.tree
        if not isinstance(tree, Comparison) or tree.op != "=" or len(tree.left.terms) != 1:
            continue
        places = {form.declared_decimals(r.code) for r in tree.refs}
        if len(places) != 1 or None in places or not tree.left.refs:
            continue
        (p,) = places
        assert p is not None
        unit, part = Decimal(1).scaleb(-p), Decimal(123).scaleb(-p)
        parts = [t.code for _, t in tree.right.terms if isinstance(t, Ref)]
        whole = tree.left.refs[0].code
        edge = (Decimal(5).scaleb(-p - 1) * (len(parts) + 1) // unit) * unit
        for gap in (edge, edge + unit, -edge, -edge - unit):
            values: dict[str, Value] = dict.fromkeys(parts, part)
            values[whole] = part * len(parts) + gap
            if values[whole] >= 0:
                out.append(Report(form.id, values=values))
    return out[:limit]


def libreoffice_agrees(registry: Registry, form: Form, n: int, workdir: Path, nudged: int = 0) -> None:
    """Filled templates recalculated by LibreOffice read back exactly, and every live check gives
    Python's verdict; a broken report is flagged on exactly its rule. Besides ``n`` valid and ``n`` broken
    reports, ``nudged`` reports moved by rounding and the worked rounding examples go through, so that
    the two agree on the interval semantics (``specs/rules.md`` §4). Skipped without LibreOffice."""
    if find_soffice() is None:
        pytest.skip(
            "LibreOffice is not installed: live checks not compared (apt-get install libreoffice-calc)"
        )
    valid = examples(valid_reports(form), n)
    broken = examples(broken_reports(form), n) if form.rules else []
    rounding = examples(nudged_reports(form), nudged) if nudged else []
    targeted = any(r.target is not None for r in form.rules)
    blank = [r for r, _ in examples(blank_reports(form), n)] if targeted else []
    reports = valid + [r for r, _ in broken] + rounding + worked_examples(form) + blank
    src, out = workdir / "src", workdir / "lo"
    src.mkdir(parents=True, exist_ok=True)
    files = []
    for i, report in enumerate(reports):
        path = src / f"r{i:03d}.xlsx"
        fill(form, report, path)
        files.append(path)
    converted = convert(files, "xlsx", out)
    layout = plan(form)
    disagreements = []
    for report, path in zip(reports, converted, strict=True):
        back = read_xlsx(path, registry, expect=form)
        assert back.findings == ()
        assert back.report == report, path
        ws = openpyxl.load_workbook(path, data_only=True)[layout.sheet]
        for rule in form.rules:
            excel = ws[f"D{layout.check_rows[rule.id]}"].value
            python = _python_verdict(form, rule, report)
            if excel != python:
                disagreements.append((path.name, rule.id, excel, python))
    assert disagreements == []
    for (report, rule), path in zip(broken, converted[len(valid) : len(valid) + len(broken)], strict=True):
        ws = openpyxl.load_workbook(path, data_only=True)[layout.sheet]
        flagged = {r.id for r in form.rules if ws[f"D{layout.check_rows[r.id]}"].value in (ERROR, WARNING)}
        values, _ = typed_values(form, report)
        assert {r for r in flagged if evaluate(form.rule(r), values).status is not Status.BLANK} == {rule.id}


# ---- pytest: subclass and set form_id ------------------------------------------------------------


class FormConformance:
    """Subclass in a test module and set ``form_id``; pytest runs the kit's tests on that form.

    ``examples`` Hypothesis examples per property, ``examples_per_rule`` per rule broken alone,
    ``libreoffice_reports`` valid and as many broken reports sent through LibreOffice, with
    ``libreoffice_nudged`` reports whose 万元 figures are moved by rounding and the worked rounding examples.
    """

    form_id: ClassVar[str] = ""
    examples: ClassVar[int] = 25
    examples_per_rule: ClassVar[int] = 8
    libreoffice_reports: ClassVar[int] = 15
    libreoffice_nudged: ClassVar[int] = 10

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "rule_id" in metafunc.fixturenames:
            form = installed().forms.get(self.form_id)
            ids = [r.id for r in form.rules] if form is not None else []
            metafunc.parametrize("rule_id", ids)
        if "blank_rule_id" in metafunc.fixturenames:
            form = installed().forms.get(self.form_id)
            ids = [r.id for r in form.rules if r.target is not None] if form is not None else []
            metafunc.parametrize("blank_rule_id", ids)

    @pytest.fixture
    def form(self) -> Form:
        if not self.form_id:
            pytest.skip("set form_id on the FormConformance subclass")
        return registered(installed(), self.form_id)

    def test_definition_checks(self, form: Form) -> None:
        definition_checks(installed(), form)

    def test_mappings_fit(self, form: Form) -> None:
        mappings_fit(installed(), form)

    def test_valid_reports_pass(self, form: Form) -> None:
        _run(self.examples, valid_reports(form), lambda r: valid_report_passes(form, r))

    def test_each_rule_can_be_broken_alone(self, form: Form, rule_id: str) -> None:
        strategy = broken_reports(form, rule=rule_id)
        _run(self.examples_per_rule, strategy, lambda pair: broken_report_breaks_one(form, *pair))

    def test_each_blank_whole_or_companion_is_asked_for(self, form: Form, blank_rule_id: str) -> None:
        strategy = blank_reports(form, rule=blank_rule_id)
        _run(self.examples_per_rule, strategy, lambda pair: blank_report_asks_for_it(form, *pair))

    def test_json_round_trip(self, form: Form) -> None:
        _run(self.examples, reports(form), lambda r: json_round_trip(installed(), form, r))

    def test_excel_round_trip(self, form: Form) -> None:
        _run(
            max(1, self.examples // 3), valid_reports(form), lambda r: excel_round_trip(installed(), form, r)
        )

    def test_libreoffice_agrees(self, form: Form, tmp_path: Path) -> None:
        libreoffice_agrees(installed(), form, self.libreoffice_reports, tmp_path, self.libreoffice_nudged)


def _run(n: int, strategy: st.SearchStrategy[T], check: Callable[[T], None]) -> None:
    @_settings(n)
    @given(strategy)
    def prop(example: T) -> None:
        check(example)

    prop()


def run_conformance(form_id: str, *, examples: int = 25, registry: Registry | None = None) -> None:
    """Every property of the kit on ``form_id`` in one call (no LibreOffice); AssertionError on failure."""
    registry = registry or installed()
    form = registered(registry, form_id)
    mappings_fit(registry, form)
    _run(examples, valid_reports(form), lambda r: valid_report_passes(form, r))
    for rule in form.rules:
        _run(
            max(1, examples // 3),
            broken_reports(form, rule=rule.id),
            lambda p: broken_report_breaks_one(form, *p),
        )
    for rule in form.rules:
        if rule.target is not None:
            _run(
                max(1, examples // 3),
                blank_reports(form, rule=rule.id),
                lambda p: blank_report_asks_for_it(form, *p),
            )
    _run(examples, reports(form), lambda r: json_round_trip(registry, form, r))
    _run(max(1, examples // 3), reports(form), lambda r: excel_round_trip(registry, form, r))
