"""Findings: one problem in one report, located and explained in Chinese for the filler.

Every finding is built by :func:`finding` from its code's entry in :mod:`unionforms.core.catalogue`, which
also gives its severity; a sentence added to a finding (:func:`with_unchecked`) comes from the
catalogue's notes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

from unionforms.core.catalogue import CATALOGUE, NOTES, render


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
    text behind it, if any (for ``--json``). ``explanation`` is the filler's 合理性审核说明 of a broken
    warning rule (why the figures are right anyway); ``unchecked`` the ids of the rules a value's
    problem kept from being checked; ``why`` the rule as written and the printed words it rests on (for
    ``--json`` and reviewers: the filler's message says only what is wrong and what to do).
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
    explanation: str | None = None
    unchecked: tuple[str, ...] = ()
    why: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_explained(self) -> bool:
        """A warning the filler has explained (合理性审核说明); an error is never explained away."""
        return self.severity is Severity.WARNING and self.explanation is not None

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
    explanation: str | None = None,
    why: str | None = None,
    **params: object,
) -> Finding:
    """The finding ``code`` with its message rendered from ``params`` (and ``rule``, ``explanation``)."""
    rendered = render(code, {"rule": rule, "sheet": sheet, "explanation": explanation, **params})
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
        explanation=explanation,
        why=why,
    )


def status_of(findings: Sequence[Finding]) -> str:
    """ok, warnings or errors: the worst finding decides (a bulk run's ``State`` and an export's
    ``status`` column alike)."""
    if any(f.is_error for f in findings):
        return "errors"
    return "warnings" if findings else "ok"


def with_unchecked(found: Finding, rule_ids: tuple[str, ...], listed: str) -> Finding:
    """``found`` saying which rules its value kept from being checked (one mistake, one finding).

    ``rule_ids`` go to ``unchecked``; ``listed`` (the rules as written) to the catalogue's note, added
    after the finding's message in both languages.
    """
    note = NOTES["unchecked"].render({"rules": listed})
    return attrs.evolve(
        found,
        message=found.message + note.text_zh,
        message_en=f"{found.message_en}; {note.text_en}",
        unchecked=rule_ids,
    )


@attrs.frozen
class Tally:
    """How many errors, warnings and explained warnings a set of findings holds."""

    errors: int
    warnings: int
    explained: int

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Tally:
        found = list(findings)
        return cls(
            errors=sum(f.is_error for f in found),
            warnings=sum(not f.is_error for f in found),
            explained=sum(f.is_explained for f in found),
        )

    def text(self) -> str:
        """``2 个错误，3 个警告（其中 1 个已说明）``."""
        note = f"（其中 {self.explained} 个已说明）" if self.explained else ""
        return f"{self.errors} 个错误，{self.warnings} 个警告{note}"
