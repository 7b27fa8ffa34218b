"""The rule language: parsed into a small tree, never evaluated as Python.

Grammar (whitespace is free)::

    rule        := comparison [ "->" comparison ]
    comparison  := sum OP sum              OP is one of  =  !=  <=  >=  <  >
    sum         := term { ("+" | "-") term }
    term        := [ NUMBER "*" ] CODE | NUMBER | 是 | 否      a rate times a field: 0.5 * 09C
    CODE        := two digits, a capital letter, an optional suffix .1 .2 …     e.g. 05A  01A.2
                 | "#" two digits, an optional suffix .1 .2 …                   e.g. #05  #09.1
    NUMBER      := digits with an optional decimal part, not of the shape "two digits [.N]"
                                                                                e.g. 0  100  0.5  10.0

A code without a letter (a blank on the line itself) looks like a number, so it carries ``#``; a bare
``10`` or ``09.1`` could mean the field or the number and is refused (RULE-001), never guessed.
"""

from __future__ import annotations

import enum
import functools
import re
import string
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from unionforms.core.errors import RuleSyntaxError
from unionforms.core.findings import Severity
from unionforms.core.tablekeys import refuse_unknown
from unionforms.core.units import Kind, kind_of, measure_of

# Patterns are compiled on first use (``re`` keeps them): compiling at import costs every command start-up.
_LETTER_CODE = r"^\d{2}[A-Z](?:\.[1-9]\d*)?$"
_LINE_CODE = r"^\d{2}(?:\.[1-9]\d*)?$"
_NUMBER = r"^\d+(?:\.\d+)?$"
_TOKEN = r"\s*(->|<=|>=|!=|=|<|>|\+|-|\*|是|否|#?[0-9A-Za-z.]+|\S)"
OPS = ("=", "!=", "<=", ">=", "<", ">")


class Missing(enum.Enum):
    """What a rule does with blank fields.

    skip: the rule is not checked unless every field it names is filled (the default).
    zero: blanks count as 0; the rule is skipped only when every field it names is blank.
    total: like zero for the parts, but the rule is skipped when its total is blank: a blank total is
        not 0. The total is the field standing alone on one side (``10B + 10D <= #10``).
    """

    SKIP = "skip"
    ZERO = "zero"
    TOTAL = "total"


@attrs.frozen
class Ref:
    """A field code in a rule, times a rate ``factor`` (``0.5 * 09C``: 0.5 万元 per 人次; 1 when none)."""

    code: str
    position: int
    factor: Decimal = Decimal(1)
    rated: bool = False  # written with a rate (``1 * 09C`` too): its comparison may mix 万元 and counts


@attrs.frozen
class Const:
    """A numeric constant in a rule."""

    value: Decimal
    position: int


@attrs.frozen
class FlagConst:
    """是 (True) or 否 (False) in a rule."""

    value: bool
    position: int


Term = Ref | Const | FlagConst


@attrs.frozen
class Sum:
    """Signed terms added up; a single term is a sum of one."""

    terms: tuple[tuple[int, Term], ...]

    @functools.cached_property
    def refs(self) -> tuple[Ref, ...]:
        return tuple(t for _, t in self.terms if isinstance(t, Ref))


@attrs.frozen
class Comparison:
    """``left OP right``."""

    left: Sum
    op: str = attrs.field(validator=attrs.validators.in_(OPS))
    right: Sum

    @property
    def refs(self) -> tuple[Ref, ...]:
        return self.left.refs + self.right.refs


@attrs.frozen
class Implication:
    """``premise -> conclusion``: when the premise holds, the conclusion must."""

    premise: Comparison
    conclusion: Comparison

    @property
    def refs(self) -> tuple[Ref, ...]:
        return self.premise.refs + self.conclusion.refs


Tree = Comparison | Implication


def written(code: str) -> str:
    """A field code as rule text writes it: ``#05`` for a code without a letter, else unchanged."""
    return f"#{code}" if re.match(_LINE_CODE, code) else code


def parse(text: str, *, rule: str | None = None) -> Tree:
    """Parse rule text into its tree; RuleSyntaxError (RULE-001) names the position on failure."""
    return _Parser(text, rule).parse()


class _Parser:
    def __init__(self, text: str, rule: str | None) -> None:
        self.text = text
        self.rule = rule
        self.tokens: list[tuple[str, int]] = []
        pos = 0
        while pos < len(text):
            m = re.compile(_TOKEN).match(text, pos)
            if m is None:  # only trailing whitespace is left
                break
            self.tokens.append((m.group(1), m.start(1)))
            pos = m.end()
        self.i = 0

    def fail(self, code: str, position: int | None = None, /, **params: Any) -> RuleSyntaxError:
        if position is None:
            position = self.tokens[self.i][1] if self.i < len(self.tokens) else len(self.text)
        return RuleSyntaxError(code, expr=repr(self.text), rule=self.rule, position=position, **params)

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, int]:
        if self.i >= len(self.tokens):
            raise self.fail("RULE-011")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Tree:
        first = self.comparison()
        if self.peek() == "->":
            self.take()
            tree: Tree = Implication(first, self.comparison())
        else:
            tree = first
        if self.peek() is not None:
            raise self.fail("RULE-001", found=repr(self.peek()))
        return tree

    def comparison(self) -> Comparison:
        left = self.sum()
        tok, pos = self.take()
        if tok not in OPS:
            raise self.fail("RULE-012", pos, ops=" ".join(OPS), found=repr(tok))
        return Comparison(left, tok, self.sum())

    def sum(self) -> Sum:
        terms = [(1, self.term())]
        while self.peek() in ("+", "-"):
            sign = 1 if self.take()[0] == "+" else -1
            terms.append((sign, self.term()))
        return Sum(tuple(terms))

    def term(self) -> Term:
        term = self.factor()
        if self.peek() != "*":
            return term
        self.take()
        if not isinstance(term, Const):
            raise self.fail("RULE-001", found=repr("*"))
        ref = self.factor()
        if not isinstance(ref, Ref):
            raise self.fail("RULE-001", ref.position, found=repr(self.text[ref.position :].split()[0]))
        return Ref(ref.code, term.position, term.value, rated=True)

    def factor(self) -> Term:
        tok, pos = self.take()
        if tok in ("是", "否"):
            return FlagConst(tok == "是", pos)
        if tok.startswith("#"):
            if re.match(_LINE_CODE, tok[1:]):
                return Ref(tok[1:], pos)
            if re.match(_LETTER_CODE, tok[1:]):
                raise self.fail("RULE-025", pos, found=repr(tok), code=tok[1:])
            raise self.fail("RULE-026", pos, found=repr(tok))
        if re.match(_LETTER_CODE, tok):
            return Ref(tok, pos)
        if re.match(_LINE_CODE, tok):
            if tok.startswith("0"):
                number = tok.lstrip("0") or "0"
            else:
                number = f"0{tok}" if "." in tok else f"{tok}.0"
            raise self.fail("RULE-027", pos, found=repr(tok), code=tok, number=number)
        if re.match(_NUMBER, tok):
            try:
                return Const(Decimal(tok), pos)
            except InvalidOperation:  # pragma: no cover - the regex admits only decimals
                raise self.fail("RULE-001", pos, found=repr(tok)) from None
        raise self.fail("RULE-001", pos, found=repr(tok))


#: The keys of a rule's table (``specs/rules.md`` §1); any other is DEF-040 or DEF-041.
RULE_KEYS = ("id", "expr", "severity", "reason", "missing", "tolerance", "message", "mixed_units")


def _validate_tolerance(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise RuleSyntaxError("RULE-016", tolerance=str(value), rule=getattr(instance, "id", None))


@attrs.frozen
class Rule:
    """A named check on a form's values, with its severity, missing-value policy and reason."""

    id: str
    expr: str
    severity: Severity
    reason: str
    missing: Missing = Missing.SKIP
    tolerance: Decimal = attrs.field(default=Decimal(0), validator=_validate_tolerance)
    message: str | None = None
    mixed_units: str | None = None
    tree: Tree = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not re.match(r"^[0-9A-Za-z][0-9A-Za-z._-]*$", self.id):
            raise RuleSyntaxError("RULE-017", rule=self.id)
        object.__setattr__(self, "tree", parse(self.expr, rule=self.id))
        if not self.tree.refs:
            raise RuleSyntaxError("RULE-018", expr=repr(self.expr), rule=self.id)
        if self.missing is Missing.TOTAL and not self.totals:
            raise RuleSyntaxError("RULE-023", expr=repr(self.expr), rule=self.id)
        if self.message is not None:
            try:
                keys = {name for _, name, _, _ in string.Formatter().parse(self.message) if name is not None}
            except ValueError as exc:
                raise RuleSyntaxError("RULE-019", detail=str(exc), rule=self.id) from None
            if not keys <= {"left", "right", "expr"}:
                unknown = sorted(keys - {"left", "right", "expr"})
                raise RuleSyntaxError("RULE-020", names=", ".join(f"{{{k}}}" for k in unknown), rule=self.id)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Rule:
        """Build a rule from its definition-file table (``id``, ``expr``, ``severity``, …)."""
        rid = str(data.get("id", "?"))
        refuse_unknown(data, RULE_KEYS, f"[[rules]] {rid}", rule=rid)
        try:
            severity = Severity(data.get("severity", "error"))
            missing = Missing(data.get("missing", "skip"))
            tolerance = Decimal(str(data.get("tolerance", "0")))
        except (ValueError, InvalidOperation):
            raise RuleSyntaxError(
                "RULE-004",
                severity=repr(data.get("severity", "error")),
                missing=repr(data.get("missing", "skip")),
                tolerance=repr(data.get("tolerance", "0")),
                rule=rid,
            ) from None
        for key in ("id", "expr", "reason"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise RuleSyntaxError("RULE-022", key=repr(key), rule=rid)
        mixed = data.get("mixed_units")
        if mixed is not None and (not isinstance(mixed, str) or not mixed.strip()):
            raise RuleSyntaxError("RULE-024", rule=rid)
        message = data.get("message")
        return cls(
            id=rid,
            expr=str(data["expr"]),
            severity=severity,
            reason=str(data["reason"]),
            missing=missing,
            tolerance=tolerance,
            message=str(message) if message is not None else None,
            mixed_units=mixed,
        )

    @functools.cached_property
    def codes(self) -> tuple[str, ...]:
        """Field codes the rule names, in order of appearance, each once (computed once: checking
        thousands of returns asks for them millions of times)."""
        return tuple(dict.fromkeys(r.code for r in self.tree.refs))

    @functools.cached_property
    def target(self) -> str | None:
        """The field an error rule asks to be filled when the others are: the whole of ``parts <= whole``
        (``=``: the field alone against a sum), or the companion ``X`` of ``premise -> X > 0``; None when
        the rule has no such field, and for a warning, whose relation the printed words do not make
        certain (``specs/rules.md`` §7.1)."""
        tree = self.tree
        if self.severity is not Severity.ERROR:
            return None
        if isinstance(tree, Implication):
            comp = tree.conclusion
            if len(comp.left.terms) != 1 or len(comp.right.terms) != 1 or comp.right.refs:
                return None
            sign, term = comp.left.terms[0]
            bound = comp.right.terms[0][1]
            if sign < 0 or not isinstance(term, Ref) or not isinstance(bound, Const):
                return None
            demands = {">": bound.value >= 0, ">=": bound.value > 0, "!=": bound.value == 0}.get(
                comp.op, False
            )
            return term.code if demands and term.code not in {r.code for r in tree.premise.refs} else None
        whole = {"<=": tree.right, "<": tree.right, ">=": tree.left, ">": tree.left}.get(tree.op)
        if tree.op == "=":
            singles = [s for s in (tree.left, tree.right) if len(s.terms) == 1]
            whole = singles[0] if len(singles) == 1 else None
        if whole is None or len(whole.terms) != 1:
            return None
        sign, term = whole.terms[0]
        parts = tree.left if whole is tree.right else tree.right
        if sign < 0 or not isinstance(term, Ref) or not parts.refs:
            return None
        return term.code

    @property
    def totals(self) -> tuple[str, ...]:
        """For ``missing = 'total'``: the field alone on the right (else left) of a plain comparison."""
        tree = self.tree
        if isinstance(tree, Implication):
            return ()
        for side in (tree.right, tree.left):
            if len(side.terms) == 1 and side.terms[0][0] > 0 and isinstance(side.terms[0][1], Ref):
                return (side.terms[0][1].code,)
        return ()


def check_kinds(rule: Rule, units: Mapping[str, str], *, form: str) -> None:
    """Check that every code exists and each comparison compares like with like: kinds, then units."""
    for ref in rule.tree.refs:
        if ref.code not in units:
            raise RuleSyntaxError(
                "RULE-002",
                expr=repr(rule.expr),
                code=ref.code,
                form=form,
                rule=rule.id,
                position=ref.position,
            )
    kinds = {code: kind_of(unit) for code, unit in units.items()}
    comparisons = (
        (rule.tree.premise, rule.tree.conclusion) if isinstance(rule.tree, Implication) else (rule.tree,)
    )
    mixed = False
    for comp in comparisons:
        _check_comparison(rule, comp, kinds, form)
        mixed = _check_units(rule, comp, units, form) or mixed
    if rule.mixed_units is not None and not mixed:
        raise RuleSyntaxError("RULE-028", form=form, rule=rule.id)


def _check_units(rule: Rule, comp: Comparison, units: Mapping[str, str], form: str) -> bool:
    """True if ``comp`` compares fields of different units; RULE-005 unless the rule allows it."""
    measures = dict.fromkeys(measure_of(units[r.code]) for r in comp.refs)
    if len(measures) <= 1:
        return False
    if rule.mixed_units is None:
        shown = "、".join(dict.fromkeys(units[r.code] for r in comp.refs))
        raise RuleSyntaxError(
            "RULE-005",
            expr=repr(rule.expr),
            units=shown,
            form=form,
            rule=rule.id,
            position=comp.refs[0].position,
        )
    return True


def _check_comparison(rule: Rule, comp: Comparison, kinds: dict[str, Kind], form: str) -> None:
    terms = [t for _, t in comp.left.terms + comp.right.terms]

    def fail(code: str, position: int, **params: Any) -> RuleSyntaxError:
        return RuleSyntaxError(code, form=form, rule=rule.id, position=position, **params)

    flags = [
        t for t in terms if isinstance(t, FlagConst) or (isinstance(t, Ref) and kinds[t.code] is Kind.FLAG)
    ]
    if flags:
        ok = (
            comp.op in ("=", "!=")
            and len(comp.left.terms) == 1
            and len(comp.right.terms) == 1
            and {type(comp.left.terms[0][1]), type(comp.right.terms[0][1])} == {Ref, FlagConst}
            and all(kinds[r.code] is Kind.FLAG for r in comp.refs)
        )
        if not ok or any(r.rated for r in comp.refs):
            raise fail("RULE-014", flags[0].position)
        if rule.missing is not Missing.SKIP:
            raise fail("RULE-015", flags[0].position, missing=rule.missing.value)
        return
    numeric = {kinds[r.code] for r in comp.refs}
    rated = any(r.rated for r in comp.refs)
    if len(numeric) > 1 and not (rated and rule.mixed_units is not None):
        raise fail("RULE-003", comp.refs[0].position)  # a rate (万元 per 人次) may, saying why
    if numeric == {Kind.COUNT}:
        for term in terms:
            if isinstance(term, Const) and term.value != term.value.to_integral_value():
                raise fail("RULE-013", term.position)
