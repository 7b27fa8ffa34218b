"""Check a report against its form: type every value, then every rule. Every problem is a finding."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from .completeness import empty_report
from .display import format_value, pretty
from .evaluate import Outcome, Status, evaluate
from .findings import Finding, Severity, finding
from .model import Form
from .report import ReadResult, Report, Source
from .rules import Comparison, Implication, Ref, Sum
from .values import Problem, Value, coerce

_BROKEN_OP = {"=": "≠", "!=": "=", "<=": ">", ">=": "<", "<": "≥", ">": "≤"}


def typed_values(
    form: Form, report: Report, source: Source | None = None
) -> tuple[dict[str, Value], list[Finding]]:
    """The report's values typed by their fields' kinds, and a finding for each value that cannot be."""
    source = source or Source()
    typed: dict[str, Value] = {}
    findings: list[Finding] = []
    for code, raw in report.values.items():
        cell = source.cells.get(code)
        field = form.fields.get(code)
        if field is None:
            findings.append(_problem(source, code, raw, Problem("VAL-005", {"form": form.id}), code))
            continue
        value = coerce(field, raw)
        if isinstance(value, Problem):
            findings.append(_problem(source, code, raw, value, f"{_locate(code, cell)} {field.label}"))
        elif value is not None:
            typed[code] = value
    return typed, findings


def _problem(source: Source, code: str, raw: object, problem: Problem, place: str) -> Finding:
    cell = source.cells.get(code)
    return finding(
        problem.code,
        place=place,
        **problem.params,
        fields=(code,),
        values=(raw,),
        file=source.file,
        sheet=source.sheet,
        cells=(cell,) if cell else (),
    )


def check_rules(form: Form, report: Report, source: Source | None = None) -> list[Finding]:
    """A finding for every rule of ``form`` that ``report`` breaks, in definition order.

    The report's values must already be typed, as every reader returns them (see :func:`typed_values`).
    """
    source = source or Source()
    values = cast(Mapping[str, Value], report.values)
    findings = []
    for rule in form.rules:
        outcome = evaluate(rule, values)
        if outcome.status is Status.BROKEN:
            findings.append(rule_finding(form, outcome, values, source))
    return findings


def validate(form: Form, report: Report, source: Source | None = None) -> list[Finding]:
    """Every finding for ``report``: value problems first, then broken rules in definition order."""
    source = source or Source()
    typed, findings = typed_values(form, report, source)
    return check_read(ReadResult(form, Report(form.id, report.meta, typed), source, tuple(findings)))


def check_read(result: ReadResult) -> list[Finding]:
    """Every finding for a report as read: the reading problems, an empty report (CHK-003), broken rules.

    An empty report is one with no value at all; a report whose values were all unreadable already
    has a finding for each, so it gets no CHK-003 on top.
    """
    findings = list(result.findings)
    if not result.report.values and not findings:
        findings.append(empty_report(result.form, result.source))
    return findings + check_rules(result.form, result.report, result.source)


def rule_finding(form: Form, outcome: Outcome, values: Mapping[str, Value], source: Source) -> Finding:
    """The finding for a broken rule, its message quoting the printed labels and the values."""
    rule = outcome.rule
    assert outcome.comparison is not None
    codes = rule.codes
    cells = tuple(source.cells[c] for c in codes if c in source.cells)
    if rule.message:  # the form's own wording of the relation, from its definition
        relation = rule.message.format_map(
            {"left": _num(outcome.left), "right": _num(outcome.right), "expr": rule.expr}
        )
    else:
        relation = _describe(form, rule.tree, outcome, values)
    return finding(
        "CHK-001" if rule.severity is Severity.ERROR else "CHK-002",
        relation=relation,
        reason=rule.reason,
        fields=codes,
        values=tuple(values.get(c) for c in codes),
        rule=rule.id,
        file=source.file,
        sheet=source.sheet,
        cells=cells,
    )


def _describe(
    form: Form, tree: Comparison | Implication, outcome: Outcome, values: Mapping[str, Value]
) -> str:
    comp = outcome.comparison
    assert comp is not None
    prefix = ""
    if isinstance(tree, Implication):
        premise = tree.premise
        op = pretty(premise.op)
        prefix = f"{_side(form, premise.left, values)} {op} {_side(form, premise.right, values)}，则"
    left = _side(form, comp.left, values, outcome.left)
    right = _side(form, comp.right, values, outcome.right)
    return f"{prefix}{left} {_BROKEN_OP[comp.op]} {right}，应满足 {pretty(outcome.rule.expr)}"


def _side(form: Form, side: Sum, values: Mapping[str, Value], total: Decimal | bool | None = None) -> str:
    refs = side.refs
    if len(side.terms) == 1 and refs:
        field = form.fields[refs[0].code]
        value = values.get(field.code)
        shown = "（空）" if value is None else format_value(value)
        unit = "" if isinstance(value, bool) else f" {field.unit}"
        return f"{field.code} {field.label} {shown}{unit}"
    if not refs:
        return " ".join(_term_text(sign, t, i) for i, (sign, t) in enumerate(side.terms))
    names = "".join(_term_text(sign, t, i) for i, (sign, t) in enumerate(side.terms))
    unit = form.fields[refs[0].code].unit
    amount = f" {_num(total)} {unit}" if total is not None else ""
    return f"{names} 之和{amount}"


def _term_text(sign: int, term: object, i: int) -> str:
    text = term.code if isinstance(term, Ref) else format_value(getattr(term, "value", term))
    if i == 0:
        return text if sign > 0 else f"-{text}"
    return f" {'+' if sign > 0 else '-'} {text}"


def _num(value: Decimal | bool | None) -> str:
    return "（空）" if value is None else format_value(value)


def _locate(code: str, cell: str | None) -> str:
    return f"{code}（{cell}）" if cell else code
