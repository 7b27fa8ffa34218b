"""Evaluate a rule on a report's values, in exact Decimal arithmetic, honouring the missing-value policy.

Rounding is read from the figures, the way XBRL Calculations 1.1 reads it: a money figure written with d
decimals (its Decimal exponent, as typed) stands for every amount within half a unit of its last place
(3.70 for 3.695 … 3.705). Counts, constants, blanks counted as 0 and a written 0 are exact: 0 says that
nothing was given (an amount that rounds to 0.00 is written with the places that show it, e.g. 0.003).
A comparison is checked on the interval of ``left - right``: it holds when some amounts the figures
stand for satisfy it (1.23 + 1.23 + 1.23 = 3.70 holds; = 3.72 does not), so a rule is broken only when
the figures cannot be right.
The premise of an implication must hold for every such amount before its conclusion is demanded.

A blank is never read as 0 where the rule needs it: the whole of a part-whole rule, or the companion of
an implication, left blank while the other figures are filled is its own outcome (BLANK), certain when
those figures make the blank non-zero (a part > 0, a premise that holds), never a sum that counts it as 0.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from unionforms.core.findings import Severity
from unionforms.core.rules import Comparison, Const, FlagConst, Implication, Missing, Ref, Rule, Sum
from unionforms.core.values import Value

_ZERO = Decimal(0)


class Status(enum.Enum):
    HOLDS = "holds"
    BROKEN = "broken"
    SKIPPED = "skipped"
    BLANK = "blank"  # the rule's whole or companion is blank beside filled figures (Rule.target)


@attrs.frozen
class Outcome:
    """The verdict of one rule; for a broken rule, the comparison that failed and its two sides."""

    rule: Rule
    status: Status
    comparison: Comparison | None = None
    left: Decimal | bool | None = None
    right: Decimal | bool | None = None
    certain: bool = False  # BLANK: the filled figures make the blank surely non-zero

    @property
    def grade(self) -> Severity | None:
        """The severity of a finding for this outcome: the rule's for BROKEN; for BLANK an error only
        when the rule is one and the blank is certain to be non-zero, else a warning; None otherwise."""
        if self.status is Status.BROKEN:
            return self.rule.severity
        if self.status is Status.BLANK:
            certain = self.certain and self.rule.severity is Severity.ERROR
            return Severity.ERROR if certain else Severity.WARNING
        return None


def evaluate(rule: Rule, values: Mapping[str, Value]) -> Outcome:
    """Check ``rule`` against ``values`` (code -> typed value; a blank is simply absent)."""
    target = rule.target
    if target is not None and target not in values:
        return _blank(rule, target, values)
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
    holds, left, right = compare_sides(tree, values, rule.tolerance)
    if holds:
        return Outcome(rule, Status.HOLDS)
    return Outcome(rule, Status.BROKEN, tree, left, right)


def _blank(rule: Rule, target: str, values: Mapping[str, Value]) -> Outcome:
    """The outcome of a rule whose target (whole or companion) is blank: BLANK when the figures beside it
    are filled (every premise figure of an implication, at least one part of a whole), else SKIPPED."""
    tree = rule.tree
    if isinstance(tree, Implication):
        premise = tree.premise.refs
        if not premise or any(r.code not in values for r in premise):
            return Outcome(rule, Status.SKIPPED)
        return Outcome(rule, Status.BLANK, certain=surely(tree.premise, values, rule.tolerance))
    if not any(c in values for c in rule.codes if c != target):
        return Outcome(rule, Status.SKIPPED)
    whole = tree.right if tree.right.refs and tree.right.refs[0].code == target else tree.left
    parts = tree.left if whole is tree.right else tree.right
    # the whole is at least the parts (more than them for < and >): non-zero once they surely are
    positive = Comparison(parts, ">=" if tree.op in ("<", ">") else ">", Sum(((1, Const(_ZERO, 0)),)))
    return Outcome(rule, Status.BLANK, certain=surely(positive, values, _ZERO))


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
            total += sign * term.factor * Decimal(values.get(term.code, 0))
    return total


def slack(comp: Comparison, values: Mapping[str, Value]) -> Decimal:
    """How far ``left - right`` may lie from its written value: the half-widths of its money figures."""
    terms = comp.left.terms + comp.right.terms
    return sum((half_width(values.get(t.code)) * t.factor for _, t in terms if isinstance(t, Ref)), _ZERO)


def compare_sides(
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


# --- the fast verdict ------------------------------------------------------------------------------

#: A rule compiled for speed: True when broken, False when it holds or is skipped, None when undecided.
FastCheck = Callable[[Mapping[str, Value]], "bool | None"]

_HOLDS: dict[tuple[str, bool], Callable[[Decimal, Decimal, Decimal], bool]] = {
    ("=", True): lambda lo, hi, t: lo >= -t and hi <= t,
    ("!=", True): lambda lo, hi, t: lo > t or hi < -t,
    ("<=", True): lambda lo, hi, t: hi <= t,
    (">=", True): lambda lo, hi, t: lo >= -t,
    ("<", True): lambda lo, hi, t: hi < t,
    (">", True): lambda lo, hi, t: lo > -t,
    ("=", False): lambda lo, hi, t: lo <= t and hi >= -t,
    ("!=", False): lambda lo, hi, t: lo < -t or hi > t,
    ("<=", False): lambda lo, hi, t: lo <= t,
    (">=", False): lambda lo, hi, t: hi >= -t,
    ("<", False): lambda lo, hi, t: lo < t,
    (">", False): lambda lo, hi, t: hi > -t,
}
_HALF: dict[int, Decimal] = {}
_FAST: dict[int, tuple[Rule, FastCheck]] = {}
_MAX_FAST = 4096


class _Undecided(Exception):
    """A value the fast verdict does not take (a 是/否 in a sum): :func:`evaluate` decides."""


def is_broken(rule: Rule, values: Mapping[str, Value]) -> bool:
    """Whether ``evaluate(rule, values).status`` is BROKEN or BLANK (a finding), without building the
    outcome when it is not.

    The rule is compiled once (its terms flattened into ``left - right``, its policy and relation
    picked) and kept; checking thousands of returns asks this of every rule of every return. The same
    exact Decimal arithmetic as :func:`evaluate`, which a property test holds it to.
    """
    kept = _FAST.get(id(rule))
    if kept is None or kept[0] is not rule:
        if len(_FAST) >= _MAX_FAST:
            _FAST.clear()
        kept = _FAST[id(rule)] = (rule, _compile(rule))
    verdict = kept[1](values)
    if verdict is None:
        return evaluate(rule, values).status in (Status.BROKEN, Status.BLANK)
    return verdict


def _compile(rule: Rule) -> FastCheck:
    codes = rule.codes
    totals = rule.totals if rule.missing is Missing.TOTAL else ()
    skip_any = rule.missing is Missing.SKIP
    tol = rule.tolerance
    tree = rule.tree
    target = rule.target
    if _has_flags(tree):

        def undecided(values: Mapping[str, Value]) -> bool | None:
            return None

        return undecided
    premise = _comparison(tree.premise, tol, surely=True) if isinstance(tree, Implication) else None
    conclusion = _comparison(tree.conclusion if isinstance(tree, Implication) else tree, tol, surely=False)

    def broken(values: Mapping[str, Value]) -> bool | None:
        if target is not None and target not in values:
            return None  # a blank whole or companion: evaluate() tells whether it stands beside figures
        if skip_any:
            for code in codes:
                if code not in values:
                    return False
        else:
            for code in codes:
                if code in values:
                    break
            else:
                return False
            for code in totals:
                if code not in values:
                    return False
        try:
            if premise is not None and not premise(values):
                return False
            return not conclusion(values)
        except _Undecided:
            return None

    return broken


def _has_flags(tree: Comparison | Implication) -> bool:
    comps = (tree.premise, tree.conclusion) if isinstance(tree, Implication) else (tree,)
    return any(isinstance(t, FlagConst) for comp in comps for _, t in comp.left.terms + comp.right.terms)


def _comparison(comp: Comparison, tol: Decimal, *, surely: bool) -> Callable[[Mapping[str, Value]], bool]:
    """Whether ``comp`` holds (for some amount the figures stand for, or with ``surely`` for every one)."""
    refs = tuple(
        (sign * t.factor, t.code, t.factor) for sign, t in comp.left.terms if isinstance(t, Ref)
    ) + tuple((-sign * t.factor, t.code, t.factor) for sign, t in comp.right.terms if isinstance(t, Ref))
    const = sum((sign * t.value for sign, t in comp.left.terms if isinstance(t, Const)), _ZERO) - sum(
        (sign * t.value for sign, t in comp.right.terms if isinstance(t, Const)), _ZERO
    )
    relation = _HOLDS[comp.op, surely]

    def check(values: Mapping[str, Value]) -> bool:
        diff = const
        width = _ZERO
        for sign, code, factor in refs:
            value = values.get(code)
            if value is None:
                continue
            kind = type(value)
            if kind is int:
                diff += sign * value
            elif kind is Decimal and isinstance(value, Decimal):
                diff += sign * value
                if value:
                    exponent = value.as_tuple().exponent
                    half = _HALF.get(exponent)  # type: ignore[arg-type]
                    if half is None:
                        if not isinstance(exponent, int):
                            raise _Undecided
                        half = _HALF[exponent] = Decimal(5).scaleb(exponent - 1)
                    width += half * factor
            else:
                raise _Undecided
        return relation(diff - width, diff + width, tol)

    return check
