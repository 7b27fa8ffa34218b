"""Compile a rule into an Excel formula giving the same verdict as the Python validator.

The verdict is one of :data:`VERDICTS`: 通过 (holds), 错误 / 警告 (broken, by severity), — (skipped);
or "D12 不是数字" when one of the rule's number cells holds text that is no number.
Fields are referenced by their defined names (``F_05A``), so the formulas survive inserted rows.
Missing values: COUNT/COUNTA of the named cells implements skip, zero and total. Rounding is read the way
:mod:`unionforms.core.evaluate` reads it, with each 万元 cell standing for ± half a unit of its field's
declared last place (a cell holding 0 is exact): the comparison is made on the interval ``left - right ± H``.
Excel computes in binary floating point, so each bound is rounded to at least 6 decimal places (and one
more than the finest declared place) before it is compared; Python compares exact Decimals. The two agree
on every value written at its field's declared precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from unionforms.core.findings import Severity
from unionforms.core.model import Form
from unionforms.core.rules import Comparison, Const, FlagConst, Implication, Missing, Ref, Rule, Sum
from unionforms.core.units import Kind
from unionforms.excel.contract import field_name

PASS, ERROR, WARNING, SKIPPED = "通过", "错误", "警告", "—"
VERDICTS = (PASS, ERROR, WARNING, SKIPPED)
#: A verdict naming an input cell whose text is no number ("D12 不是数字"): the rule cannot be checked.
NOT_A_NUMBER = " 不是数字"
#: 不适用 marks the live checks read as blank, as the readers do (values.mark); 无, which the readers
#: read as 0, the sheet reads as blank too (its COUNT does not count text).
LIVE_MARKS = ("/", "／", "-", "－", "--", "—", "——", "–", "―", "不适用", "无")


def verdict_formula(form: Form, rule: Rule, cells: Mapping[str, str] | None = None) -> str:
    """``=IF(skipped,"—",IF(holds,"通过","错误"))`` for ``rule``; a rule with a target (whole or
    companion) first asks whether it is blank beside filled figures (错误 when surely non-zero)."""
    present = _present(form, list(rule.codes))
    if rule.missing is Missing.SKIP:
        skipped = f"{present}<{len(rule.codes)}"
    elif rule.missing is Missing.TOTAL:
        totals = ",".join(field_name(c) for c in rule.totals)
        skipped = f"OR({present}=0,COUNT({totals})<{len(rule.totals)})"
    else:
        skipped = f"{present}=0"
    broken = ERROR if rule.severity is Severity.ERROR else WARNING
    verdict = f'IF({skipped},"{SKIPPED}",IF({_holds(form, rule)},"{PASS}","{broken}"))'
    if rule.target is not None:
        verdict = f"IF({_blank(form, rule)},{_blank_grade(form, rule)},{verdict})"
    for code in reversed([c for c in rule.codes if form.fields[c].kind is not Kind.FLAG]):
        cell = (cells or {}).get(code, code)  # the address a filler reads, D12, where the layout gives it
        verdict = f'IF({_not_a_number(code)},"{cell}{NOT_A_NUMBER}",{verdict})'
    return f"={verdict}"


def _not_a_number(code: str) -> str:
    """The cell holds text that is neither a number nor a 不适用 mark (read as blank, values.mark)."""
    name = field_name(code)
    marks = ",".join(f'TRIM({name})="{m}"' for m in LIVE_MARKS)
    return f"AND(ISTEXT({name}),NOT(OR({marks})))"


def _present(form: Form, codes: list[str]) -> str:
    """How many of ``codes`` are filled: COUNT for numbers, COUNTA for 是/否 cells."""
    flags = [c for c in codes if form.fields[c].kind is Kind.FLAG]
    numbers = [c for c in codes if c not in flags]
    parts = []
    if numbers:
        parts.append(f"COUNT({','.join(field_name(c) for c in numbers)})")
    if flags:
        parts.append(f"COUNTA({','.join(field_name(c) for c in flags)})")
    return "+".join(parts)


def _blank(form: Form, rule: Rule) -> str:
    """The rule's target (whole or companion) is blank while the figures beside it are filled: every
    premise figure of an implication, at least one other figure of a comparison (``Status.BLANK``)."""
    target = rule.target
    assert target is not None
    tree = rule.tree
    if isinstance(tree, Implication):
        premise = list(dict.fromkeys(r.code for r in tree.premise.refs))
        beside = f"{_present(form, premise)}={len(premise)}"
    else:
        beside = f"{_present(form, [c for c in rule.codes if c != target])}>0"
    return f"AND(COUNT({field_name(target)})=0,{beside})"


def _blank_grade(form: Form, rule: Rule) -> str:
    """错误 when the rule is an error and the filled figures make the blank surely non-zero, else 警告."""
    if rule.severity is not Severity.ERROR:
        return f'"{WARNING}"'
    tree = rule.tree
    if isinstance(tree, Implication):
        certain = _comparison(form, tree.premise, rule.tolerance, surely=True)
    else:
        whole_right = bool(tree.right.refs) and tree.right.refs[0].code == rule.target
        parts = tree.left if whole_right else tree.right
        op = ">=" if tree.op in ("<", ">") else ">"
        certain = _comparison(
            form, Comparison(parts, op, Sum(((1, Const(Decimal(0), 0)),))), Decimal(0), surely=True
        )
    return f'IF({certain},"{ERROR}","{WARNING}")'


def _holds(form: Form, rule: Rule) -> str:
    tree = rule.tree
    if isinstance(tree, Implication):
        premise = _comparison(form, tree.premise, rule.tolerance, surely=True)
        return f"IF({premise},{_comparison(form, tree.conclusion, rule.tolerance)},TRUE)"
    return _comparison(form, tree, rule.tolerance)


def _comparison(form: Form, comp: Comparison, tol: Decimal, *, surely: bool = False) -> str:
    terms = [t for _, t in comp.left.terms + comp.right.terms]
    flag = next((t for t in terms if isinstance(t, FlagConst)), None)
    if flag is not None:
        ref = next(t for t in terms if isinstance(t, Ref))
        word = "是" if flag.value else "否"
        op = "=" if comp.op == "=" else "<>"
        return f'{field_name(ref.code)}{op}"{word}"'
    t = format(tol, "f")
    width = _width(form, comp)
    if width:
        places = _places(form, comp, tol)
        raw = f"({_sum(comp.left)})-({_sum(comp.right)})"
        lo, hi = f"ROUND({raw}-({width}),{places})", f"ROUND({raw}+({width}),{places})"
        if surely:
            return {
                "=": f"AND({lo}>=-{t},{hi}<={t})",
                "!=": f"OR({lo}>{t},{hi}<-{t})",
                "<=": f"{hi}<={t}",
                ">=": f"{lo}>=-{t}",
                "<": f"{hi}<{t}",
                ">": f"{lo}>-{t}",
            }[comp.op]
        return {
            "=": f"AND({lo}<={t},{hi}>=-{t})",
            "!=": f"OR({lo}<-{t},{hi}>{t})",
            "<=": f"{lo}<={t}",
            ">=": f"{hi}>=-{t}",
            "<": f"{lo}<{t}",
            ">": f"{hi}>-{t}",
        }[comp.op]
    diff = f"ROUND(({_sum(comp.left)})-({_sum(comp.right)}),6)"
    return {
        "=": f"ABS({diff})<={t}",
        "!=": f"ABS({diff})>{t}",
        "<=": f"{diff}<={t}",
        ">=": f"-{diff}<={t}",
        "<": f"{diff}<{t}" if tol else f"{diff}<0",
        ">": f"-{diff}<{t}" if tol else f"{diff}>0",
    }[comp.op]


def _width(form: Form, comp: Comparison) -> str:
    """H: each 万元 cell's half-width when it holds a number other than 0 (a blank or 0 is exact)."""
    parts = []
    for _, term in comp.left.terms + comp.right.terms:
        if isinstance(term, Ref):
            places = form.declared_decimals(term.code)
            if places is not None:
                half = format(Decimal(5).scaleb(-places - 1) * term.factor, "f")
                parts.append(f"(SUM({field_name(term.code)})<>0)*{half}")
    return "+".join(parts)


def _places(form: Form, comp: Comparison, tol: Decimal) -> int:
    """Decimal places the bounds are rounded to: enough for every half-width, constant and tolerance."""
    exponents = [tol.as_tuple().exponent]
    exponents += [
        t.value.as_tuple().exponent for _, t in comp.left.terms + comp.right.terms if isinstance(t, Const)
    ]
    finest = [-int(e) for e in exponents if isinstance(e, int)]
    finest += [
        p + 1 + _decimals(r.factor) for r in comp.refs if (p := form.declared_decimals(r.code)) is not None
    ]
    finest += [_decimals(r.factor) for r in comp.refs]
    return max(6, *finest)


def _sum(side: Sum) -> str:
    plus = [_term(t) for s, t in side.terms if s > 0]
    minus = [_term(t) for s, t in side.terms if s < 0]
    text = f"SUM({','.join(plus)})" if plus else "0"
    if minus:
        text += f"-SUM({','.join(minus)})"
    return text


def _decimals(number: Decimal) -> int:
    """The places a rate is written to (0.05: 2), which a product adds to its field's."""
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _term(term: Ref | Const | FlagConst) -> str:
    if isinstance(term, Ref):
        name = field_name(term.code)
        return name if term.factor == 1 else f"{format(term.factor, 'f')}*{name}"
    if isinstance(term, Const):
        return format(term.value, "f")
    raise TypeError("a 是/否 constant cannot be summed")  # excluded by check_kinds
