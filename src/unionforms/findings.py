"""Findings: one problem in one report, located and explained in Chinese for the filler."""

from __future__ import annotations

import enum

import attrs


class Severity(enum.Enum):
    """error = 逻辑性审核 (must be fixed); warning = 合理性审核 (plausible, worth a look)."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Finding:
    """A problem found in a report.

    ``code`` is the catalogue code (VAL-…, CHK-…); ``rule`` the rule id for a broken rule, else None;
    ``fields`` the codes involved, ``values`` their values as found, ``cells`` their cells where known.
    """

    code: str
    severity: Severity
    message: str
    fields: tuple[str, ...] = ()
    values: tuple[object, ...] = ()
    rule: str | None = None
    file: str | None = None
    sheet: str | None = None
    cells: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def where(self) -> str:
        """File, sheet and cells, for a one-line display."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cells:
            parts.append(",".join(self.cells))
        return " ".join(parts)
