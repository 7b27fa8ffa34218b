"""Compile a rule into an Excel formula giving the same verdict as the Python validator.

The verdict is one of :data:`VERDICTS`: 通过 (holds), 错误 / 警告 (broken, by severity), — (skipped).
Fields are referenced by their defined names (``F_05A``), so the formulas survive inserted rows.
Missing values: COUNT/COUNTA of the named cells implements skip, zero and total. Excel computes in binary
floating point, so each difference is rounded to 6 decimal places (1e-6 万元 = 1 分) before it is
compared; Python compares exact Decimals. Values with more decimals than that may differ.
"""

from __future__ import annotations

from decimal import Decimal

from ..findings import Severity
from ..model import Form
from ..rules import Comparison, Const, FlagConst, Implication, Missing, Ref, Rule, Sum
from ..units import Kind
from .contract import field_name

PASS, ERROR, WARNING, SKIPPED = "通过", "错误", "警告", "—"
VERDICTS = (PASS, ERROR, WARNING, SKIPPED)


def verdict_formula(form: Form, rule: Rule) -> str:
    """``=IF(skipped,"—",IF(holds,"通过","错误"))`` for ``rule``."""
    flags = [c for c in rule.codes if form.fields[c].kind is Kind.FLAG]
    numbers = [c for c in rule.codes if c not in flags]
    parts = []
    if numbers:
        parts.append(f"COUNT({','.join(field_name(c) for c in numbers)})")
    if flags:
        parts.append(f"COUNTA({','.join(field_name(c) for c in flags)})")
    present = "+".join(parts)
    if rule.missing is Missing.SKIP:
        skipped = f"{present}<{len(rule.codes)}"
    elif rule.missing is Missing.TOTAL:
        totals = ",".join(field_name(c) for c in rule.totals)
        skipped = f"OR({present}=0,COUNT({totals})<{len(rule.totals)})"
    else:
        skipped = f"{present}=0"
    broken = ERROR if rule.severity is Severity.ERROR else WARNING
    return f'=IF({skipped},"{SKIPPED}",IF({_holds(form, rule)},"{PASS}","{broken}"))'


def _holds(form: Form, rule: Rule) -> str:
    tree = rule.tree
    if isinstance(tree, Implication):
        premise = _comparison(form, tree.premise, rule.tolerance)
        return f"IF({premise},{_comparison(form, tree.conclusion, rule.tolerance)},TRUE)"
    return _comparison(form, tree, rule.tolerance)


def _comparison(form: Form, comp: Comparison, tol: Decimal) -> str:
    terms = [t for _, t in comp.left.terms + comp.right.terms]
    flag = next((t for t in terms if isinstance(t, FlagConst)), None)
    if flag is not None:
        ref = next(t for t in terms if isinstance(t, Ref))
        word = "是" if flag.value else "否"
        op = "=" if comp.op == "=" else "<>"
        return f'{field_name(ref.code)}{op}"{word}"'
    diff = f"ROUND(({_sum(comp.left)})-({_sum(comp.right)}),6)"
    t = format(tol, "f")
    return {
        "=": f"ABS({diff})<={t}",
        "!=": f"ABS({diff})>{t}",
        "<=": f"{diff}<={t}",
        ">=": f"-{diff}<={t}",
        "<": f"{diff}<{t}" if tol else f"{diff}<0",
        ">": f"-{diff}<{t}" if tol else f"{diff}>0",
    }[comp.op]


def _sum(side: Sum) -> str:
    plus = [_term(t) for s, t in side.terms if s > 0]
    minus = [_term(t) for s, t in side.terms if s < 0]
    text = f"SUM({','.join(plus)})" if plus else "0"
    if minus:
        text += f"-SUM({','.join(minus)})"
    return text


def _term(term: Ref | Const | FlagConst) -> str:
    if isinstance(term, Ref):
        return field_name(term.code)
    if isinstance(term, Const):
        return format(term.value, "f")
    raise TypeError("a 是/否 constant cannot be summed")  # excluded by check_kinds
