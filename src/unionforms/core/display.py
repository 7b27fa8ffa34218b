"""How values, rules and findings read to a person: 是/否 for flags, plain digits, mathematical signs.

Rendering only; nothing here decides anything. The command line and the workbook writer both print
through these functions, so a figure or a finding reads the same wherever it is shown.
"""

from __future__ import annotations

from decimal import Decimal

from unionforms.core.findings import Finding


def format_value(value: object) -> str:
    """A value as a filler reads it: 是/否 for flags, plain digits for numbers (no exponent)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return str(value)


def pretty(expr: str) -> str:
    """Rule text with mathematical signs and codes as printed (``#05`` → ``05``), as a filler reads it."""
    signs = ((" -> ", " 时，"), ("->", " 时，"), ("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("*", "×"), ("#", ""))
    for ascii_op, sign in signs:
        expr = expr.replace(ascii_op, sign)
    return expr


def level(finding: Finding) -> str:
    """错误 for an error-level finding, 警告 for a warning, 警告（已说明） for an explained one."""
    if finding.is_error:
        return "错误"
    return "警告（已说明）" if finding.is_explained else "警告"


def finding_line(finding: Finding, file: str = "") -> str:
    """One line for a finding: where, 错误/警告, code and rule, the message."""
    rule = f" {finding.rule}" if finding.rule else ""
    return f"{finding.where() or file}: {level(finding)} [{finding.code}{rule}] {finding.message}"
