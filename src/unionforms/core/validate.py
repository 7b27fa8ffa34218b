"""Check a report against its form: type every value, then every rule. Every problem is a finding."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import cast

from unionforms.core.completeness import empty_report
from unionforms.core.display import format_value, pretty
from unionforms.core.evaluate import Outcome, Status, evaluate, is_broken
from unionforms.core.findings import Finding, Severity, finding, with_unchecked
from unionforms.core.model import Form
from unionforms.core.report import ReadResult, Report, Source
from unionforms.core.rules import Comparison, Implication, Ref, Rule, Sum
from unionforms.core.units import Kind
from unionforms.core.values import Value, ValueProblem, at_declared_places, coerce, mark

_BROKEN_OP = {"=": "≠", "!=": "=", "<=": ">", ">=": "<", "<": "≥", ">": "≤"}


def typed_values(
    form: Form, report: Report, source: Source | None = None
) -> tuple[dict[str, Value], list[Finding]]:
    """The report's values typed by their fields' kinds, and a finding for each value that cannot be."""
    source = source or Source()
    typed: dict[str, Value] = {}
    findings: list[Finding] = []
    for code, raw in report.values.items():
        value = typed_value(form, source, code, raw)
        if isinstance(value, Finding):
            findings.append(value)
            value = marked_value(form, code, raw)
        if value is not None:
            typed[code] = value
    return typed, findings


def marked_value(form: Form, code: str, raw: object) -> Value | None:
    """The value a 不适用 mark in ``code`` is read as (its VAL-012 says so), None when blank or no mark."""
    field = form.fields.get(code)
    found = mark(field, raw) if field is not None else None
    return found.value if found is not None else None


def typed_value(form: Form, source: Source, code: str, raw: object) -> Value | Finding | None:
    """One value of :func:`typed_values`: typed, None for a blank, or the finding why it cannot be."""
    field = form.fields.get(code)
    if field is None:
        return _problem(source, code, raw, ValueProblem("VAL-005", {"form": form.id}), code)
    marked = mark(field, raw)
    if marked is not None:  # a dash, 不适用 or 无: read, and said so (marked_value gives the value)
        blank = marked.value is None
        return _problem(
            source,
            code,
            raw,
            ValueProblem(
                "VAL-012",
                {"mark": marked.text, "reading": "空白" if blank else format_value(marked.value)},
            ),
            f"{_locate(code, source.cells.get(code))} {field.label}",
        )
    value = coerce(field, raw)
    if isinstance(value, ValueProblem):
        return _problem(source, code, raw, value, f"{_locate(code, source.cells.get(code))} {field.label}")
    if isinstance(value, Decimal) and (places := form.declared_decimals(code)) is not None:
        return at_declared_places(value, places)
    return value


def _problem(source: Source, code: str, raw: object, problem: ValueProblem, place: str) -> Finding:
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


def check_rules(
    form: Form, report: Report, source: Source | None = None, *, unusable: Collection[str] = ()
) -> list[Finding]:
    """A finding for every rule of ``form`` that ``report`` breaks, in definition order, then one for
    each explanation that is ignored (CHK-004, CHK-005).

    The report's values must already be typed, as every reader returns them (see :func:`typed_values`).
    A rule naming a code in ``unusable`` (a value with a problem of its own) is not checked: the value's
    own finding says so (:func:`check_read`). A broken warning rule the report explains is CHK-006,
    carrying the explanation; an explanation cannot excuse an error rule.
    """
    source = source or Source()
    values = cast(Mapping[str, Value], report.values)
    findings: list[Finding | str] = []
    blanks: dict[str, list[Outcome]] = {}
    for rule in form.rules:
        if unusable and any(code in unusable for code in rule.codes):
            continue
        if not is_broken(rule, values):
            continue
        outcome = evaluate(rule, values)
        if outcome.status is Status.BROKEN:
            text = report.explanations.get(rule.id, "").strip()
            explained = text if text and rule.severity is Severity.WARNING else None
            findings.append(rule_finding(form, outcome, values, source, explained))
        elif outcome.status is Status.BLANK:
            blank = rule.target
            assert blank is not None
            if blank not in blanks:
                findings.append(blank)  # placeholder: one finding per blank, where its first rule stands
            blanks.setdefault(blank, []).append(outcome)
    out = [
        blank_finding(form, blanks[item], values, source) if isinstance(item, str) else item
        for item in findings
    ]
    return out + _ignored_explanations(form, report, source)


def blank_finding(
    form: Form, outcomes: list[Outcome], values: Mapping[str, Value], source: Source
) -> Finding:
    """One finding for a blank whole or companion (``Rule.target``) beside filled figures, however many
    rules need it: an error (CHK-007) when one of them makes it surely non-zero, else a warning (CHK-008).
    Only the blank's own cell is marked: it is the one to fill."""
    errors = [o for o in outcomes if o.grade is Severity.ERROR]
    first = (errors or outcomes)[0]
    blank = first.rule.target
    assert blank is not None
    field = form.fields[blank]
    others = dict.fromkeys(c for o in outcomes for c in o.rule.codes if c != blank and c in values)
    beside = "、".join(
        f"{form.fields[c].label} {format_value(values[c])}{_unit(form, values[c], c)}" for c in others
    )
    cell = source.cells.get(blank)
    return finding(
        "CHK-007" if errors else "CHK-008",
        place=f"{_locate(blank, cell)} {field.label}（{field.unit}）",
        place_short=_locate(blank, cell),
        beside=beside,
        fields=(blank,),
        values=(None,),
        rule=first.rule.id,
        file=source.file,
        sheet=source.sheet,
        cells=(cell,) if cell else (),
        why="；".join(rule_why(o.rule) for o in outcomes),
    )


def _unit(form: Form, value: Value, code: str) -> str:
    return "" if isinstance(value, bool) else f" {form.fields[code].unit}"


def _ignored_explanations(form: Form, report: Report, source: Source) -> list[Finding]:
    """CHK-004 for an explanation of an error rule, CHK-005 for one naming no rule of the form."""
    if not report.explanations:
        return []
    severities = {rule.id: rule.severity for rule in form.rules}
    findings = []
    for rule_id, text in report.explanations.items():
        if severities.get(rule_id) is Severity.WARNING or not text.strip():
            continue
        if rule_id in severities:
            ignored = finding("CHK-004", rule=rule_id, values=(text,), file=source.file, sheet=source.sheet)
        else:
            ignored = finding(
                "CHK-005",
                explained=rule_id,
                form=form.id,
                values=(text,),
                file=source.file,
                sheet=source.sheet,
            )
        findings.append(ignored)
    return findings


def validate(form: Form, report: Report, source: Source | None = None) -> list[Finding]:
    """Every finding for ``report``: value problems first, then broken rules in definition order."""
    source = source or Source()
    typed, findings = typed_values(form, report, source)
    typed_report = Report(form.id, report.meta, typed, report.explanations)
    return check_read(ReadResult(form, typed_report, source, tuple(findings)))


def check_read(result: ReadResult) -> list[Finding]:
    """Every finding for a report as read: the reading problems, an empty report (CHK-003), broken rules,
    ignored explanations.

    One mistake, one finding: a value that could not be read (a finding naming one field and no rule) is
    left out of every rule that names it; its finding lists those rules (``unchecked``) instead of each
    reporting it again. An empty report is one with no value at all; a report whose values were all
    unreadable already has a finding for each, so it gets no CHK-003 on top.
    """
    form = result.form
    unusable = {code for f in result.findings if (code := _unusable(f)) is not None}
    findings = []
    for found in result.findings:
        code = _unusable(found)
        rules = [r for r in form.rules if code is not None and code in r.codes]
        if rules:
            listed = "；".join(pretty(r.expr) for r in rules)
            found = with_unchecked(found, tuple(r.id for r in rules), listed)
        findings.append(found)
    if not result.report.values and not findings:
        findings.append(empty_report(form, result.source))
    findings += finer_than_declared(form, result.report, result.source)
    return findings + check_rules(form, result.report, result.source, unusable=unusable)


def finer_than_declared(form: Form, report: Report, source: Source) -> list[Finding]:
    """A warning (VAL-020) for each 万元 figure written to more places than its field declares.

    A warning, not an error: the declared places are how the printed form asks figures to be written
    (to 百元 unless it says otherwise), yet a finer amount is a real amount (3.695 万元 is 36 950 元), so
    no rule of the printed form makes it wrong; it is worth a look because 元 typed as 万元, or a slipped
    decimal point, look like this. The figure is used as typed.
    """
    out = []
    for code, value in report.values.items():
        if not isinstance(value, Decimal) or code not in form.fields:
            continue
        if (places := form.declared_decimals(code)) is None:
            continue
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            cell = source.cells.get(code)
            out.append(
                finding(
                    "VAL-020",
                    place=f"{_locate(code, cell)} {form.fields[code].label}",
                    value=format(value, "f"),
                    typed=-exponent,
                    places=places,
                    fields=(code,),
                    values=(value,),
                    file=source.file,
                    sheet=source.sheet,
                    cells=(cell,) if cell else (),
                )
            )
    return out


def _unusable(found: Finding) -> str | None:
    """The field whose value ``found`` says cannot be used, if it is about one value (a 不适用 mark,
    VAL-012, and a figure finer than declared, VAL-020, are read and used)."""
    usable = found.code in ("VAL-012", "VAL-020")
    return found.fields[0] if found.rule is None and len(found.fields) == 1 and not usable else None


def rule_finding(
    form: Form,
    outcome: Outcome,
    values: Mapping[str, Value],
    source: Source,
    explanation: str | None = None,
) -> Finding:
    """The finding for a broken rule, its message quoting the printed labels and the values; with the
    filler's ``explanation`` of a broken warning rule, the explained warning CHK-006."""
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
    if rule.severity is Severity.ERROR:
        code, explanation = "CHK-001", None  # an error is never explained away
    else:
        code = "CHK-002" if explanation is None else "CHK-006"
    return finding(
        code,
        relation=relation,
        why=rule_why(rule),
        explanation=explanation,
        fields=codes,
        values=tuple(values.get(c) for c in codes),
        rule=rule.id,
        file=source.file,
        sheet=source.sheet,
        cells=cells,
    )


def rule_why(rule: Rule) -> str:
    """The rule as written and the printed words it rests on: for ``--json``, ``show`` and reviewers,
    not for the filler's message."""
    return f"{pretty(rule.expr)}：{rule.reason}"


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
    return f"{prefix}{left} {_BROKEN_OP[comp.op]} {right}"


def _side(form: Form, side: Sum, values: Mapping[str, Value], total: Decimal | bool | None = None) -> str:
    refs = side.refs
    if len(side.terms) == 1 and refs and refs[0].factor == 1:
        return _named(form, refs[0].code, values)
    if not refs:
        return " ".join(_term_text(sign, t, i) for i, (sign, t) in enumerate(side.terms))
    unit = form.fields[refs[0].code].unit
    if len(side.terms) == 1:  # a rate times one field: 0.5 × 第09行「生活救助」620 人次（310 万元）
        rate = format_value(refs[0].factor)
        product = "万元" if form.fields[refs[0].code].kind is Kind.COUNT else unit  # 万元 per 人次 × 人次
        return f"{rate} × {_named(form, refs[0].code, values)}（{_num(total)} {product}）"
    lines = dict.fromkeys(form.line_label(form.fields[r.code].line) for r in refs)
    names = "、".join(f"「{form.fields[r.code].label}」" for r in refs) if len(refs) <= 3 else "各分项"
    where = f"第{next(iter(lines))}行" if len(lines) == 1 else ""
    amount = f" {_num(total)} {unit}" if total is not None else ""
    return f"{where}{names}之和{amount}"


def _named(form: Form, code: str, values: Mapping[str, Value]) -> str:
    """A field as the filler finds it on paper: 第01行「当地职工总数」1000 人 (its line, its label)."""
    field = form.fields[code]
    value = values.get(code)
    shown = "（空）" if value is None else format_value(value)
    unit = "" if isinstance(value, bool) else f" {field.unit}"
    return f"第{form.line_label(field.line)}行「{field.label}」{shown}{unit}"


def _term_text(sign: int, term: object, i: int) -> str:
    if isinstance(term, Ref):
        text = term.code if term.factor == 1 else f"{format_value(term.factor)} × {term.code}"
    else:
        text = format_value(getattr(term, "value", term))
    if i == 0:
        return text if sign > 0 else f"-{text}"
    return f" {'+' if sign > 0 else '-'} {text}"


def _num(value: Decimal | bool | None) -> str:
    return "（空）" if value is None else format_value(value)


def _locate(code: str, cell: str | None) -> str:
    return f"{code}（{cell}）" if cell else code
