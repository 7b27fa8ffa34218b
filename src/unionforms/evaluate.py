"""Evaluate a rule on a report's values, in exact Decimal arithmetic, honouring the missing-value policy.

Rounding is read from the figures, the way XBRL Calculations 1.1 reads it: a money figure written with d
decimals (its Decimal exponent, as typed) stands for every amount within half a unit of its last place
(3.70 for 3.695 … 3.705). Counts, constants, blanks counted as 0 and a written 0 are exact: 0 says that
nothing was given (an amount that rounds to 0.00 is written with the places that show it, e.g. 0.003).
A comparison is checked on the interval of ``left - right``: it holds when some amounts the figures
stand for satisfy it (1.23 + 1.23 + 1.23 = 3.70 holds; = 3.72 does not), so a rule is broken only when
the figures cannot be right.
The premise of an implication must hold for every such amount before its conclusion is demanded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from .rules import Comparison, Const, FlagConst, Implication, Missing, Ref, Rule, Sum
from .values import Value

_ZERO = Decimal(0)


class Status(enum.Enum):
    HOLDS = "holds"
    BROKEN = "broken"
    SKIPPED = "skipped"


@attrs.frozen
class Outcome:
    """The verdict of one rule; for a broken rule, the comparison that failed and its two sides."""

    rule: Rule
    status: Status
    comparison: Comparison | None = None
    left: Decimal | bool | None = None
    right: Decimal | bool | None = None


def evaluate(rule: Rule, values: Mapping[str, Value]) -> Outcome:
    """Check ``rule`` against ``values`` (code -> typed value; a blank is simply absent)."""
    codes = rule.codes
    present = [c for c in codes if c in values]
    if rule.missing is Missing.SKIP and len(present) < len(codes):
        return Outcome(rule, Status.SKIPPED)
    if not present or (rule.missing is Missing.TOTAL and any(c not in values for c in rule.totals)):
        return Outcome(rule, Status.SKIPPED)
    tree = rule.tree
    if isinstance(tree, Implication):
        if not surely(tree.premise, values, rule.tolerance):
            return Outcome(rule, Status.HOLDS)
        tree = tree.conclusion
    holds, left, right = compare(tree, values, rule.tolerance)
    if holds:
        return Outcome(rule, Status.HOLDS)
    return Outcome(rule, Status.BROKEN, tree, left, right)


def half_width(value: object) -> Decimal:
    """Half a unit of the last place a money figure is written to (0.005 for 3.70); 0 for exact values."""
    if not isinstance(value, Decimal) or not value.is_finite() or value.is_zero():
        return _ZERO
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(5).scaleb(exponent - 1)


def side_value(side: Sum, values: Mapping[str, Value]) -> Decimal | bool:
    """The value of one side of a comparison; blanks count as 0 (callers apply the skip policy first)."""
    if len(side.terms) == 1:
        term = side.terms[0][1]
        if isinstance(term, FlagConst):
            return term.value
        if not isinstance(term, Const):
            value = values.get(term.code)
            if isinstance(value, bool):
                return value
    total = Decimal(0)
    for sign, term in side.terms:
        if isinstance(term, Const):
            total += sign * term.value
        elif isinstance(term, FlagConst):  # pragma: no cover - excluded by check_kinds
            raise TypeError("flag constant in a sum")
        else:
            total += sign * Decimal(values.get(term.code, 0))
    return total


def slack(comp: Comparison, values: Mapping[str, Value]) -> Decimal:
    """How far ``left - right`` may lie from its written value: the half-widths of its money figures."""
    terms = comp.left.terms + comp.right.terms
    return sum((half_width(values.get(t.code)) for _, t in terms if isinstance(t, Ref)), _ZERO)


def compare(
    comp: Comparison, values: Mapping[str, Value], tol: Decimal
) -> tuple[bool, Decimal | bool, Decimal | bool]:
    """Whether ``comp`` can hold for the amounts the figures stand for, and its two written sides."""
    return _check(comp, values, tol, surely=False)


def surely(comp: Comparison, values: Mapping[str, Value], tol: Decimal) -> bool:
    """Whether ``comp`` holds for every amount the figures stand for (a premise that certainly holds)."""
    return _check(comp, values, tol, surely=True)[0]


def _check(
    comp: Comparison, values: Mapping[str, Value], tol: Decimal, *, surely: bool
) -> tuple[bool, Decimal | bool, Decimal | bool]:
    left = side_value(comp.left, values)
    right = side_value(comp.right, values)
    if isinstance(left, bool) or isinstance(right, bool):
        same = left == right
        return (same if comp.op == "=" else not same), left, right
    diff = left - right
    width = slack(comp, values)
    return holds(comp.op, diff - width, diff + width, tol, surely=surely), left, right


def holds(op: str, lo: Decimal, hi: Decimal, tol: Decimal, *, surely: bool) -> bool:
    """Whether ``left - right`` in [lo, hi] satisfies ``op`` with tolerance ``tol``: for some value in
    the interval, or with ``surely`` for every one.

    With tolerance t the relations on d = left - right are: = |d| ≤ t, != |d| > t, <= d ≤ t, >= d ≥ -t,
    < d < t, > d > -t (t = 0 gives the ordinary relations).
    """
    if surely:
        return {
            "=": lo >= -tol and hi <= tol,
            "!=": lo > tol or hi < -tol,
            "<=": hi <= tol,
            ">=": lo >= -tol,
            "<": hi < tol,
            ">": lo > -tol,
        }[op]
    return {
        "=": lo <= tol and hi >= -tol,
        "!=": lo < -tol or hi > tol,
        "<=": lo <= tol,
        ">=": hi >= -tol,
        "<": lo < tol,
        ">": hi > -tol,
    }[op]
