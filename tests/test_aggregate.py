"""Adding returns up: the accounting identity, associativity (county → city → province) and the rules kept."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import DefinitionError, Form, InputError, Meta, Registry, Report, validate
from unionforms.collect.aggregate import (
    FlagTally,
    Provenance,
    Total,
    aggregate,
    provenance_from_dict,
    provenance_to_dict,
)
from unionforms.collect.batch import Result, State
from unionforms.core.evaluate import Status, evaluate
from unionforms.core.findings import status_of
from unionforms.core.model import Form as FormModel
from unionforms.core.rules import Comparison, Const, Implication, Missing, Ref, Rule, Sum
from unionforms.core.units import Combine, Kind
from unionforms.io.jsonstream import chunks
from unionforms.strategies import reports, valid_reports


def as_result(total: Total, file: str) -> Result:
    """A total as an input to the next level's aggregation (what reading its file back gives)."""
    return Result(
        file,
        State(status_of(total.findings)),
        form=total.form.id,
        unit=total.report.meta.unit,
        findings=total.findings,
        report=total.report,
        extra=total.provenance,
    )


# --- which rules a sum keeps (the oracle of the property below) ---------------------------------------------


def preserved_by_sum(rule: Rule, form: Form) -> bool:
    """Whether the total of returns that satisfy ``rule`` is sure to satisfy it too.

    True for a comparison ``refs OP refs`` with OP one of = <= >= < >, no constant other than 0, no
    tolerance, every field summed (sums of the two sides keep the relation); and for an implication
    ``refs > 0 -> refs > 0`` or ``flag = 是 -> refs > 0`` with the flag combined by ``any`` (a positive
    total needs one return with a positive part, and that return's conclusion is positive, and
    values are never negative). A rule that skips blanks (``missing = "skip"``) holds for the total
    only when each return filled all of its fields or none; :func:`unionforms.core.validate.validate` on
    the total reports what does not hold.
    """
    if rule.tolerance != 0:
        return False
    tree = rule.tree
    if isinstance(tree, Implication):
        return _positive(tree.premise, form, premise=True) and _positive(tree.conclusion, form, premise=False)
    return _linear(tree, form)


def _summed(side: Sum, form: Form) -> bool:
    for _sign, term in side.terms:
        if isinstance(term, Const):
            if term.value != 0:
                return False
        elif not isinstance(term, Ref) or form.combine(term.code) is not Combine.SUM:
            return False
    return True


def _linear(comp: Comparison, form: Form) -> bool:
    return comp.op in ("=", "<=", ">=", "<", ">") and _summed(comp.left, form) and _summed(comp.right, form)


def _positive(comp: Comparison, form: Form, *, premise: bool) -> bool:
    left, right = comp.left, comp.right
    if premise and comp.op == "=" and len(left.terms) == 1 and len(right.terms) == 1:
        ref, const = left.terms[0][1], right.terms[0][1]
        code = getattr(ref, "code", None)
        if code is not None and getattr(const, "value", None) is True:
            return form.combine(code) is Combine.ANY
    zero = len(right.terms) == 1 and isinstance(right.terms[0][1], Const) and right.terms[0][1].value == 0
    plus = all(sign > 0 for sign, _ in left.terms)
    return comp.op == ">" and zero and plus and _summed(left, form)


def all_or_none(rule: Rule, filled: Iterable[Report]) -> bool:
    """Whether every report filled all of ``rule`` 's fields or none (what skip-rules need to be kept)."""
    if rule.missing is Missing.ZERO:
        return True
    codes = set(rule.codes)
    return all(len(codes & set(r.values)) in (0, len(codes)) for r in filled)


def _result(form: Form, report: Report, file: str) -> Result:
    findings = tuple(validate(form, report))
    return Result(file, State(status_of(findings)), form.id, report.meta.unit, findings, report=report)


def _with_units(reports_: list[Report], prefix: str = "单位") -> list[Report]:
    return [attrs.evolve(r, meta=Meta(unit=f"{prefix}{i}")) for i, r in enumerate(reports_)]


def _expected_sum(form: Form, included: list[Report], code: str) -> object:
    values: list[Any] = [r.values[code] for r in included if code in r.values]
    return sum(values[1:], values[0]) if values else None


@settings(max_examples=30)
@given(data=st.data())
def test_accounting_identity(registry: Registry, data: st.DataObject) -> None:
    """Every input is included or rejected, once; the total is the sum of exactly the included."""
    form = registry.get(data.draw(st.sampled_from(["songwennuan-2017", "bangfu-2016"])))
    other = registry.get("bangfu-2013")
    mine = data.draw(st.lists(reports(form, fill=0.6), max_size=6))
    theirs = data.draw(st.lists(reports(other, fill=0.3), max_size=2))
    results: list[Result] = []
    for i, report in enumerate(mine + theirs):
        unit = data.draw(st.sampled_from(["甲", "乙", "丙", " 甲 ", "", f"单位{i}"]))
        report = attrs.evolve(report, meta=Meta(unit=unit or None))
        results.append(_result(form if i < len(mine) else other, report, f"r{i}.xlsx"))
    results.append(Result("bad.xlsx", State.UNUSABLE, code="IN-002", reason="not a workbook"))
    results.append(Result("~$lock.xlsx", State.SKIPPED, reason="lock file"))
    order = data.draw(st.permutations(results))
    named = data.draw(st.booleans())
    include_errors = data.draw(st.booleans())
    if not named and not any(r.usable for r in order):
        with pytest.raises(InputError):
            aggregate(order, registry, unit="汇总")
        return
    total = aggregate(
        order, registry, unit="汇总", form=form.id if named else None, include_errors=include_errors
    )
    p = total.provenance
    assert p.inputs == len(order)
    files = [i.file for i in p.included] + [r.file for r in p.rejected]
    assert Counter(files) == Counter(r.file for r in order)
    included = {i.file for i in p.included}
    chosen = [r.report for r in order if r.file in included and r.report is not None]
    assert all(r.form == total.form.id for r in chosen)
    assert len({"".join((r.meta.unit or "").split()) for r in chosen}) == len(chosen)  # no unit twice
    for field in total.form.iter_fields():
        if field.kind is Kind.FLAG:
            answers = [r.values.get(field.code) for r in chosen]
            tally = p.flags.get(field.code, FlagTally())
            assert (tally.yes, tally.no) == (answers.count(True), answers.count(False))
            assert field.code not in total.report.values  # 是/否 is left blank by default
        else:
            assert total.report.values.get(field.code) == _expected_sum(total.form, chosen, field.code)
    for rejected in p.rejected:
        assert rejected.reason


@settings(max_examples=25)
@given(data=st.data())
def test_aggregation_is_associative_and_provenance_nests(registry: Registry, data: st.DataObject) -> None:
    """County totals added into a city total equal the total of every return at once."""
    form = registry.get(data.draw(st.sampled_from(["songwennuan-2014", "bangfu-2016"])))
    leaves = _with_units(data.draw(st.lists(reports(form, fill=0.5), min_size=1, max_size=8)))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(leaves)), max_size=3)))
    groups = [leaves[a:b] for a, b in zip([0, *cuts], [*cuts, len(leaves)], strict=True)]
    flat = aggregate(
        [_result(form, r, f"{r.meta.unit}.xlsx") for r in leaves], registry, unit="省", form=form.id
    )
    counties = []
    for g, group in enumerate(groups):
        county = aggregate(
            [_result(form, r, f"{r.meta.unit}.xlsx") for r in group],
            registry,
            unit=f"县{g}",
            form=form.id,
            include_errors=True,
        )
        counties.append(as_result(county, f"县{g}.json"))
    nested = aggregate(counties, registry, unit="省", form=form.id, include_errors=True)
    flat_all = aggregate(
        [_result(form, r, f"{r.meta.unit}.xlsx") for r in leaves], registry, unit="省", include_errors=True
    )
    assert nested.report == flat_all.report
    assert nested.provenance.flags == flat_all.provenance.flags
    assert [i.file for i in nested.provenance.leaves()] == [i.file for i in flat_all.provenance.leaves()]
    assert nested.provenance.inputs == len(groups)
    for item in nested.provenance.included:
        assert item.provenance is not None
    assert flat.provenance.inputs == len(leaves)


@settings(max_examples=15)
@given(data=st.data())
def test_the_total_of_valid_returns_keeps_every_rule_sums_preserve(
    form: Form, registry: Registry, data: st.DataObject
) -> None:
    """Valid: no error finding, so every error rule holds in each return (a warning rule may not)."""
    valid = _with_units(data.draw(st.lists(valid_reports(form, fill=0.7), min_size=1, max_size=4)))
    total = aggregate([_result(form, r, f"{i}.json") for i, r in enumerate(valid)], registry, unit="汇总")
    assert total.provenance.inputs == len(valid) == len(total.provenance.included)
    for rule in form.rules:
        held = all(evaluate(rule, r.values).status is not Status.BROKEN for r in valid)  # type: ignore[arg-type]
        if held and preserved_by_sum(rule, form) and all_or_none(rule, valid):
            assert evaluate(rule, total.report.values).status is not Status.BROKEN, rule.id  # type: ignore[arg-type]


def test_the_shipped_rules_sums_preserve(registry: Registry) -> None:
    """Every shipped rule is kept by sums except the 是/否 budget rules, whose flag is left blank, and the
    plausible sizes: a total may pass a bound its parts keep, and a return with no 人次 but money (its
    own paired-blank error) adds money a rate does not cover."""
    sized = re.compile(r"-(range|per-person|per-household)$")
    not_kept = {
        form.id: [r.id for r in form.rules if not preserved_by_sum(r, form) and not sized.search(r.id)]
        for form in registry
    }
    assert all(not preserved_by_sum(r, f) for f in registry for r in f.rules if sized.search(r.id))
    assert not_kept == {
        "bangfu-2013": ["05-budget"],
        "bangfu-2016": ["06-budget"],
        "songwennuan-2014": [],
        "songwennuan-2017": [],
    }
    budget = registry.get("bangfu-2016")
    assert preserved_by_sum(budget.rule("06-budget"), attrs.evolve(budget, aggregate={"06B": Combine.ANY}))


def test_declared_any_and_all_combine_flags(registry: Registry) -> None:
    base = registry.get("bangfu-2016")
    for way, expected in ((Combine.ANY, True), (Combine.ALL, False)):
        form = attrs.evolve(base, aggregate={"06B": way})
        results = [
            _result(form, Report(form.id, Meta(unit=u), {"06B": v, "06A": 1}), f"{u}.json")
            for u, v in (("甲", True), ("乙", False))
        ]
        total = aggregate(results, _OneForm(form), unit="汇总")
        assert total.report.values["06B"] is expected
        assert total.provenance.flags["06B"] == FlagTally(1, 1)


class _OneForm(Registry):
    def __init__(self, form: Form) -> None:
        self.form = form

    def get(self, form_id: str) -> Form:
        return self.form


def test_a_bad_aggregate_declaration_is_refused(registry: Registry) -> None:
    base = registry.get("bangfu-2016")
    with pytest.raises(DefinitionError) as info:
        attrs.evolve(base, aggregate={"01": Combine.ANY})
    assert info.value.code == "DEF-033" and "sum、blank" in info.value.message
    with pytest.raises(DefinitionError) as info:
        attrs.evolve(base, aggregate={"99Z": Combine.SUM})
    assert (info.value.code, info.value.field) == ("DEF-032", "99Z")
    data = {"id": "x-2020", "family": "x", "year": 2020, "version": "1", "title": "t"}
    data["lines"] = [{"number": "01", "rows": ["人数{人}"]}]
    assert FormModel.from_dict({**data, "aggregate": {"01": "blank"}}).combine("01") is Combine.BLANK
    with pytest.raises(DefinitionError) as info:
        FormModel.from_dict({**data, "aggregate": {"01": "average"}})
    assert info.value.code == "DEF-031"
    with pytest.raises(DefinitionError) as info:
        FormModel.from_dict({**data, "aggregate": ["01"]})
    assert info.value.code == "DEF-030"


def test_provenance_json_round_trips(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    values = {"06A": Decimal("1.5"), "06B": True}
    leaves = [_result(form, Report(form.id, Meta(unit=u), values), f"{u}.json") for u in "甲乙"]
    county = aggregate(leaves, registry, unit="县")
    city = aggregate(
        [as_result(county, "县.json"), Result("x.xlsx", State.UNUSABLE, code="IN-001", reason="gone")],
        registry,
        unit="市",
    )
    back = provenance_from_dict(provenance_to_dict(city.provenance))
    assert back == city.provenance
    # written entry by entry, it is the same JSON as the plain dict's
    plain = json.loads(json.dumps(provenance_to_dict(city.provenance), ensure_ascii=False))
    assert json.loads("".join(chunks(provenance_to_dict(city.provenance, lazy=True)))) == plain
    assert isinstance(back.included[0].provenance, Provenance)
    with pytest.raises(ValueError):
        provenance_from_dict({"included": [{"file": 1}]})
