"""Findings: one problem in one report, located and explained in Chinese for the filler.

Every finding is built by :func:`finding` from its code's entry in :mod:`unionforms.catalogue`, which
also gives its severity.
"""

from __future__ import annotations

import enum

import attrs

from .catalogue import CATALOGUE, render


class Severity(enum.Enum):
    """error = 逻辑性审核 (must be fixed); warning = 合理性审核 (plausible, worth a look)."""

    ERROR = "error"
    WARNING = "warning"


def _finding_code(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    message = CATALOGUE.get(value)
    if message is None or message.severity is None:
        raise ValueError(f"{value!r} is not a finding code of the catalogue")


@attrs.frozen
class Finding:
    """A problem found in a report.

    ``code`` is the catalogue code (VAL-…, CHK-…); ``message`` its Chinese text (what, then how to fix),
    ``message_en`` the English; ``rule`` the rule id for a broken rule, else None; ``fields`` the codes
    involved, ``values`` their values as found, ``cells`` their cells where known; ``detail`` the raw
    text behind it, if any (for ``--json``).
    """

    code: str = attrs.field(validator=_finding_code)
    severity: Severity
    message: str
    fields: tuple[str, ...] = ()
    values: tuple[object, ...] = ()
    rule: str | None = None
    file: str | None = None
    sheet: str | None = None
    cells: tuple[str, ...] = ()
    message_en: str = ""
    detail: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def where(self) -> str:
        """File, sheet and cells, for a one-line display."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cells:
            parts.append(",".join(self.cells))
        return " ".join(parts)


def finding(
    code: str,
    /,
    *,
    fields: tuple[str, ...] = (),
    values: tuple[object, ...] = (),
    rule: str | None = None,
    file: str | None = None,
    sheet: str | None = None,
    cells: tuple[str, ...] = (),
    detail: str | None = None,
    **params: object,
) -> Finding:
    """The finding ``code`` with its message rendered from ``params`` (and ``rule``)."""
    rendered = render(code, {"rule": rule, "sheet": sheet, **params})
    severity = CATALOGUE[code].severity
    return Finding(
        code,
        Severity(severity),
        rendered.text_zh,
        fields=fields,
        values=values,
        rule=rule,
        file=file,
        sheet=sheet,
        cells=cells,
        message_en=rendered.text_en,
        detail=detail,
    )
