"""Hypothesis strategies for reports of any form — for our tests and for plugin authors' own.

- :func:`field_values` — a typed value for one field.
- :func:`reports` — reports with arbitrary typed values (rules may or may not hold) and explanations.
- :func:`explanations` — 合理性审核说明 for some warning rules.
- :func:`valid_reports` — reports in which every error-level rule holds, equalities included, with at
  least one figure (an empty report is an error, CHK-003).
- :func:`broken_reports` — a report that breaks exactly one chosen rule, with that rule.
- :func:`blank_reports` — a report whose one finding is a rule's whole or companion left blank beside
  filled figures, with that rule.

Valid reports are built, not filtered: values are drawn, then every broken error rule is repaired by
raising the smaller side (an increase never undoes an earlier repair of a ``<=`` rule), until none is
broken. A rule set this cannot satisfy raises :class:`UnsatisfiableRules` naming the rules.

Needs the ``hypothesis`` package (``pip install unionforms[testing]``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, Decimal

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from unionforms.core.evaluate import Status, compare_sides, evaluate, side_value, surely
from unionforms.core.findings import Severity
from unionforms.core.model import Field, Form
from unionforms.core.report import Meta, Report
from unionforms.core.rules import Comparison, FlagConst, Implication, Ref, Rule, Sum
from unionforms.core.units import Kind
from unionforms.core.values import Value

__all__ = [
    "UnsatisfiableRules",
    "blank_reports",
    "broken_reports",
    "explanations",
    "field_values",
    "metas",
    "reports",
    "valid_reports",
]

_MAX_PASSES = 200
_FOUND = (Status.BROKEN, Status.BLANK)  # the outcomes that make a finding


class UnsatisfiableRules(Exception):
    """The generator could not make these rules hold together."""


def _check_form(form: object) -> Form:
    if not isinstance(form, Form):
        raise InvalidArgument(f"form must be a unionforms Form, not {type(form).__name__}")
    return form


def _check_limits(max_count: int, max_money: Decimal, fill: float) -> None:
    if not isinstance(max_count, int) or isinstance(max_count, bool) or not 0 <= max_count < 10**12:
        raise InvalidArgument(f"max_count must be an int from 0 to 10**12 - 1, not {max_count!r}")
    if not isinstance(max_money, Decimal) or not max_money.is_finite() or not 0 <= max_money < 10**10:
        raise InvalidArgument(f"max_money must be a Decimal from 0 below 10**10, not {max_money!r}")
    if not 0.0 <= fill <= 1.0:
        raise InvalidArgument(f"fill must be between 0 and 1, not {fill!r}")


def field_values(
    field: Field, *, max_count: int = 100_000, max_money: Decimal = Decimal("100000"), places: int = 2
) -> st.SearchStrategy[Value]:
    """A typed value for ``field``: int ≥ 0, Decimal ≥ 0 written to ``places`` decimals, or bool."""
    _check_limits(max_count, max_money, 0.0)
    if not isinstance(places, int) or not 0 <= places <= 6:
        raise InvalidArgument(f"places must be an int from 0 to 6, not {places!r}")
    if field.kind is Kind.FLAG:
        return st.booleans()
    if field.kind is Kind.MONEY:
        return st.decimals(
            min_value=0, max_value=max_money, places=places, allow_nan=False, allow_infinity=False
        )
    return st.one_of(st.integers(0, 10), st.integers(0, max_count))


def _texts(max_size: int = 20) -> st.SearchStrategy[str]:
    """Text as fillers write it: no control characters, no surrounding white space, not empty."""
    chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
    return st.text(alphabet=chars, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def metas() -> st.SearchStrategy[Meta]:
    """Header entries: any of them may be blank."""
    text = _texts()
    return st.builds(
        Meta,
        unit=st.none() | text,
        filled_by=st.none() | text,
        phone=st.none() | st.from_regex(r"\A[0-9]{3,4}-?[0-9]{7,8}\Z"),
        date=st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)),
    )


@st.composite
def _values(draw: st.DrawFn, form: Form, fill: float, max_count: int, max_money: Decimal) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for field in form.iter_fields():
        present = fill >= 1.0 or (fill > 0.0 and draw(st.floats(0, 1)) < fill)
        if present:
            values[field.code] = draw(_field_values(form, field.code, max_count, max_money))
    return values


def _field_values(form: Form, code: str, max_count: int, max_money: Decimal) -> st.SearchStrategy[Value]:
    """Values of a field of ``form``, money written to the field's declared decimals."""
    places = form.declared_decimals(code)
    return field_values(form.fields[code], max_count=max_count, max_money=max_money, places=places or 0)


def reports(
    form: Form, *, fill: float = 0.8, max_count: int = 100_000, max_money: Decimal = Decimal("100000")
) -> st.SearchStrategy[Report]:
    """Reports of ``form`` with typed values, each field filled with probability ``fill``; rules unchecked."""
    form = _check_form(form)
    _check_limits(max_count, max_money, fill)
    return st.builds(
        Report, st.just(form.id), metas(), _values(form, fill, max_count, max_money), explanations(form)
    )


def explanations(form: Form) -> st.SearchStrategy[dict[str, str]]:
    """合理性审核说明 for some of ``form``'s warning rules (rule id -> text)."""
    form = _check_form(form)
    warnings = [r.id for r in form.rules if r.severity is Severity.WARNING]
    if not warnings:
        return st.just({})
    return st.dictionaries(st.sampled_from(warnings), _texts(60), max_size=3)


def valid_reports(
    form: Form, *, fill: float = 0.8, max_count: int = 100_000, max_money: Decimal = Decimal("100000")
) -> st.SearchStrategy[Report]:
    """Reports of ``form`` in which every error-level rule holds (warnings may fire); never empty."""
    form = _check_form(form)
    _check_limits(max_count, max_money, fill)
    errors = [r for r in form.rules if r.severity is Severity.ERROR]

    @st.composite
    def build(draw: st.DrawFn) -> Report:
        values = draw(_values(form, fill, max_count, max_money))
        if not values:  # a report with no figure at all is an error (CHK-003)
            field = draw(st.sampled_from(list(form.iter_fields())))
            values[field.code] = draw(field_values(field, max_count=max_count, max_money=max_money))
        chooser = _chooser(draw)
        values = _repaired(form, values, errors, choose=chooser)
        return Report(form.id, draw(metas()), values)

    return build()


def broken_reports(
    form: Form, *, rule: str | None = None, max_count: int = 100_000, max_money: Decimal = Decimal("100000")
) -> st.SearchStrategy[tuple[Report, Rule]]:
    """A report breaking exactly one rule of ``form`` (``rule``, or one drawn), and that rule.

    Only the fields the rule names (and any others a repair needs) are filled, so other rules are
    skipped or hold; a blank whole or companion of another rule may be left beside them (a part above a
    whole that another rule would bound, 04F > 04D with 04E blank, breaks only while 04E is blank); a
    draw that cannot break the rule alone is rejected.
    """
    form = _check_form(form)
    _check_limits(max_count, max_money, 0.0)
    if rule is not None and rule not in {r.id for r in form.rules}:
        raise InvalidArgument(f"form {form.id} has no rule {rule!r}")
    if not form.rules:
        raise InvalidArgument(f"form {form.id} has no rules to break")
    chosen_rules = [form.rule(rule)] if rule is not None else list(form.rules)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Report, Rule]:
        chosen = draw(st.sampled_from(chosen_rules))
        values: dict[str, Value] = {
            code: draw(_field_values(form, code, max_count, max_money)) for code in chosen.codes
        }
        chooser = _chooser(draw)
        ok = _break(form, chosen, values, chooser, draw)
        assume(ok)
        others = [r for r in form.rules if r.id != chosen.id]
        try:
            values = _repaired(
                form, values, others, choose=chooser, frozen=frozenset(chosen.codes), fill_blanks=False
            )
        except UnsatisfiableRules:
            assume(False)
        assume(evaluate(chosen, values).status is Status.BROKEN)
        assume(all(evaluate(r, values).status is not Status.BROKEN for r in others))
        return Report(form.id, draw(metas()), values), chosen

    return build()


def blank_reports(
    form: Form, *, rule: str | None = None, max_count: int = 100_000, max_money: Decimal = Decimal("100000")
) -> st.SearchStrategy[tuple[Report, Rule]]:
    """A report whose only finding is a blank whole or companion (``Rule.target``) of one chosen rule
    (``rule``, or one drawn among those with a target), beside the rule's other figures, and that rule.

    The rule's other figures are filled (an implication's premise made to hold, or not, at random), the
    target left blank; every other rule is made to hold, except those asking for the same blank.
    """
    form = _check_form(form)
    _check_limits(max_count, max_money, 0.0)
    targeted = [r for r in form.rules if r.target is not None]
    if rule is not None and rule not in {r.id for r in targeted}:
        raise InvalidArgument(f"form {form.id} has no rule {rule!r} with a whole or companion to leave blank")
    if not targeted:
        raise InvalidArgument(f"form {form.id} has no rule with a whole or companion to leave blank")
    chosen_rules = [form.rule(rule)] if rule is not None else targeted

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Report, Rule]:
        chosen = draw(st.sampled_from(chosen_rules))
        target = chosen.target
        assert target is not None
        values: dict[str, Value] = {
            code: draw(_field_values(form, code, max_count, max_money))
            for code in chosen.codes
            if code != target
        }
        tree = chosen.tree
        holds = isinstance(tree, Implication) and draw(st.booleans())  # a premise that holds: an error
        if isinstance(tree, Implication) and holds:
            assume(_make_true(form, tree.premise, values, chosen, _chooser(draw)))
        values.pop(target, None)
        others = [r for r in form.rules if r.target != target]
        try:
            values = _repaired(
                form, values, others, choose=_chooser(draw), frozen=frozenset(chosen.codes) | {target}
            )
        except UnsatisfiableRules:
            assume(False)
        assume(target not in values and evaluate(chosen, values).status is Status.BLANK)
        assume(all(evaluate(r, values).status not in _FOUND for r in others))
        return Report(form.id, draw(metas()), values), chosen

    return build()


Chooser = Callable[[list[Ref]], Ref]


def _chooser(draw: st.DrawFn) -> Chooser:
    return lambda refs: refs[0] if len(refs) == 1 else draw(st.sampled_from(refs))


def _repaired(
    form: Form,
    drawn: Mapping[str, Value],
    rules: list[Rule],
    *,
    choose: Chooser = lambda refs: refs[-1],
    frozen: frozenset[str] = frozenset(),
    fill_blanks: bool = True,
) -> dict[str, Value]:
    """A copy of ``drawn`` with values raised until no rule in ``rules`` is broken, and with
    ``fill_blanks`` every whole or companion left blank beside figures filled (``Status.BLANK``).

    UnsatisfiableRules if that cannot be done; ``drawn`` itself is never changed.
    """
    values = dict(drawn)
    for _ in range(_MAX_PASSES):
        changed = False
        for rule in rules:
            outcome = evaluate(rule, values)
            if outcome.status is Status.BLANK and fill_blanks:  # a blank whole or companion: fill it
                target = rule.target
                if target is None or target in frozen:
                    raise UnsatisfiableRules(f"form {form.id}: rule {rule.id} needs {target} filled")
                values[target] = _zero(form, target)
                changed = True
                continue
            if outcome.status is not Status.BROKEN:
                continue
            assert outcome.comparison is not None
            if not _make_hold(form, outcome.comparison, values, rule, choose, frozen):
                raise UnsatisfiableRules(f"form {form.id}: cannot make rule {rule.id} ({rule.expr}) hold")
            changed = True
        if not changed:
            return values
    broken = [r.id for r in rules if evaluate(r, values).status in _FOUND]
    raise UnsatisfiableRules(f"form {form.id}: rules {broken} keep breaking each other")


def _zero(form: Form, code: str) -> Value:
    """0 as the field holds it: an int, 万元 at its declared places, 否 for a flag."""
    field = form.fields[code]
    if field.kind is Kind.FLAG:
        return False
    places = form.declared_decimals(code)
    return 0 if places is None else Decimal(0).scaleb(-places)


def _unit(form: Form, comp: Comparison) -> Decimal:
    """The smallest step of the comparison's figures: 1 for counts, the last declared place for money."""
    places = [form.declared_decimals(r.code) for r in comp.refs]
    return min((Decimal(1).scaleb(-p) for p in places if p is not None), default=Decimal(1))


def _reach(form: Form, comp: Comparison) -> Decimal:
    """How far rounding lets ``left - right`` stray (its money figures' half-widths), up to whole steps."""
    places = [(form.declared_decimals(r.code), r.factor) for r in comp.refs]
    reach = sum((Decimal(5).scaleb(-p - 1) * f for p, f in places if p is not None), Decimal(0))
    unit = _unit(form, comp)
    return -(-reach // unit) * unit


def _raise_side(
    form: Form, side: Sum, amount: Decimal, values: dict[str, Value], choose: Chooser, frozen: frozenset[str]
) -> bool:
    """Add ``amount`` to one positive, unfrozen field of ``side``."""
    refs = [t for sign, t in side.terms if sign > 0 and isinstance(t, Ref) and t.code not in frozen]
    if not refs:
        return False
    ref = choose(refs)
    field = form.fields[ref.code]
    current = Decimal(values.get(ref.code, 0))
    if ref.rated:  # a rate times the field: raise the field by amount / rate, up to its next step
        if ref.factor == 0:
            return False
        places = form.declared_decimals(ref.code) or 0
        amount = (amount / ref.factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING)
    new = current + amount
    values[ref.code] = int(new) if field.kind is Kind.COUNT else new
    return True


def _make_hold(
    form: Form,
    comp: Comparison,
    values: dict[str, Value],
    rule: Rule,
    choose: Chooser,
    frozen: frozenset[str],
    margin: Decimal = Decimal(0),
) -> bool:
    """Raise one side so that ``comp`` holds (by ``margin`` more, to hold beyond rounding)."""
    flag = _flag_target(comp)
    if flag is not None:
        code, wanted = flag
        if code in frozen:
            return False
        values[code] = wanted if comp.op == "=" else not wanted
        return True
    left = side_value(comp.left, values)
    right = side_value(comp.right, values)
    assert isinstance(left, Decimal) and isinstance(right, Decimal)
    unit = _unit(form, comp)
    gap = left - right
    op = comp.op
    if op in ("<=", "<"):
        step = gap + margin + (unit if op == "<" else 0)
        return _raise_side(form, comp.right, step, values, choose, frozen)
    if op in (">=", ">"):
        step = -gap + margin + (unit if op == ">" else 0)
        return _raise_side(form, comp.left, step, values, choose, frozen)
    if op == "=":
        if gap < 0:
            return _raise_side(form, comp.left, -gap, values, choose, frozen)
        return _raise_side(form, comp.right, gap, values, choose, frozen)
    return _raise_side(form, comp.left, unit + rule.tolerance, values, choose, frozen) or _raise_side(
        form, comp.right, unit + rule.tolerance, values, choose, frozen
    )


def _flag_target(comp: Comparison) -> tuple[str, bool] | None:
    terms = [t for _, t in comp.left.terms + comp.right.terms]
    refs = [t for t in terms if isinstance(t, Ref)]
    consts = [t for t in terms if isinstance(t, FlagConst)]
    if consts and refs:
        return refs[0].code, consts[0].value
    return None


def _break(form: Form, rule: Rule, values: dict[str, Value], choose: Chooser, draw: st.DrawFn) -> bool:
    """Change values of the rule's own fields so that it is broken; False if this draw cannot."""
    tree = rule.tree
    if isinstance(tree, Implication):
        # Make the premise hold and the conclusion fail; the premise must survive the change.
        if not (
            _make_true(form, tree.premise, values, rule, choose)
            and _make_false(form, tree.conclusion, values, rule, choose, draw)
        ):
            return False
        return evaluate(rule, values).status is Status.BROKEN
    return _make_false(form, tree, values, rule, choose, draw)


def _make_true(form: Form, comp: Comparison, values: dict[str, Value], rule: Rule, choose: Chooser) -> bool:
    if surely(comp, values, rule.tolerance):
        return True
    return _make_hold(form, comp, values, rule, choose, frozenset(), _reach(form, comp))


def _make_false(
    form: Form, comp: Comparison, values: dict[str, Value], rule: Rule, choose: Chooser, draw: st.DrawFn
) -> bool:
    flag = _flag_target(comp)
    if flag is not None:
        code, wanted = flag
        values[code] = (not wanted) if comp.op == "=" else wanted
        return True
    unit = _unit(form, comp)
    extra = unit * draw(st.integers(1, 1000)) + rule.tolerance + _reach(form, comp)
    left = side_value(comp.left, values)
    right = side_value(comp.right, values)
    assert isinstance(left, Decimal) and isinstance(right, Decimal)
    gap = left - right
    op = comp.op
    nobody = frozenset[str]()
    if op in ("<=", "<"):  # need left > right (or >= for <)
        if _raise_side(form, comp.left, max(-gap, Decimal(0)) + extra, values, choose, nobody):
            return True
        return _lower_side(form, comp.right, values) and _compare_broken(form, comp, values, rule)
    if op in (">=", ">"):
        if _raise_side(form, comp.right, max(gap, Decimal(0)) + extra, values, choose, nobody):
            return True
        return _lower_side(form, comp.left, values) and _compare_broken(form, comp, values, rule)
    if op == "=":
        side = draw(st.sampled_from([comp.left, comp.right]))
        other_gap = -gap if side is comp.left else gap
        if _raise_side(form, side, max(other_gap, Decimal(0)) + extra, values, choose, nobody):
            return True
        side = comp.right if side is comp.left else comp.left
        other_gap = -gap if side is comp.left else gap
        return _raise_side(form, side, max(other_gap, Decimal(0)) + extra, values, choose, nobody)
    # "!=": make the sides equal
    if gap < 0:
        return _raise_side(form, comp.left, -gap, values, choose, nobody)
    return _raise_side(form, comp.right, gap, values, choose, nobody)


def _lower_side(form: Form, side: Sum, values: dict[str, Value]) -> bool:
    """Set every positive field of ``side`` to zero (used where the other side is a constant)."""
    refs = [t for sign, t in side.terms if sign > 0 and isinstance(t, Ref)]
    for ref in refs:
        places = form.declared_decimals(ref.code)
        values[ref.code] = 0 if places is None else Decimal(0).scaleb(-places)
    return bool(refs)


def _compare_broken(form: Form, comp: Comparison, values: Mapping[str, Value], rule: Rule) -> bool:
    return not compare_sides(comp, values, rule.tolerance)[0]
