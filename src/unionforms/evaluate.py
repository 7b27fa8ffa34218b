"""Evaluate a rule on a report's values, in exact Decimal arithmetic, honouring the missing-value policy."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from .rules import Comparison, Const, FlagConst, Implication, Missing, Rule, Sum
from .values import Value


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
        holds, _, _ = compare(tree.premise, values, rule.tolerance)
        if not holds:
            return Outcome(rule, Status.HOLDS)
        tree = tree.conclusion
    holds, left, right = compare(tree, values, rule.tolerance)
    if holds:
        return Outcome(rule, Status.HOLDS)
    return Outcome(rule, Status.BROKEN, tree, left, right)


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


def compare(
    comp: Comparison, values: Mapping[str, Value], tol: Decimal
) -> tuple[bool, Decimal | bool, Decimal | bool]:
    left = side_value(comp.left, values)
    right = side_value(comp.right, values)
    if isinstance(left, bool) or isinstance(right, bool):
        same = left == right
        return (same if comp.op == "=" else not same), left, right
    diff = left - right
    op = comp.op
    if op == "=":
        ok = abs(diff) <= tol
    elif op == "!=":
        ok = abs(diff) > tol
    elif op == "<=":
        ok = diff <= tol
    elif op == ">=":
        ok = -diff <= tol
    elif op == "<":
        ok = diff < tol if tol else diff < 0
    else:
        ok = -diff < tol if tol else diff > 0
    return ok, left, right
