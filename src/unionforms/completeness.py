"""A report with no figure at all is a finding, not a silent pass.

Every rule skips blanks, so an empty return would otherwise pass every check; a blank is not a 0, and
a unit with nothing to report writes 0s.
"""

from __future__ import annotations

from .findings import Finding, Severity
from .model import Form
from .report import Source


def empty_report(form: Form, source: Source | None = None) -> Finding:
    """The CHK-003 finding for a report of ``form`` in which no blank is filled."""
    source = source or Source()
    return Finding(
        "CHK-003",
        Severity.ERROR,
        f"报表没有填写任何数字：{form.title}的全部 {len(form.fields)} 个填写栏都是空白，无法审核。"
        "空白不等于 0：请填写有关数字，没有发生的事项填 0。",
        file=source.file,
        sheet=source.sheet,
    )
