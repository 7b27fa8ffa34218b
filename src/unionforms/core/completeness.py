"""A report with no figure at all is a finding, not a silent pass.

Every rule skips blanks, so an empty return would otherwise pass every check; a blank is not a 0, and
a unit with nothing to report writes 0s.
"""

from __future__ import annotations

from unionforms.core.findings import Finding, finding
from unionforms.core.model import Form
from unionforms.core.report import Source


def empty_report(form: Form, source: Source | None = None) -> Finding:
    """The CHK-003 finding for a report of ``form`` in which no blank is filled."""
    source = source or Source()
    return finding("CHK-003", title=form.title, count=len(form.fields), file=source.file, sheet=source.sheet)
