"""Read a report from any supported file, chosen by its extension."""

from __future__ import annotations

from pathlib import Path

import attrs

from . import jsonio
from .errors import InputError
from .findings import Finding
from .model import Form
from .registry import Registry
from .report import Report, Source


@attrs.frozen
class ReadResult:
    """A report as read: its form, typed values, where each came from, and the problems met reading it."""

    form: Form
    report: Report
    source: Source
    findings: tuple[Finding, ...]


def read_report(path: str | Path, registry: Registry) -> ReadResult:
    """Read a .json report (or .xlsx, once its reader is registered); InputError if unusable."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        form, report, findings = jsonio.load(path, registry)
        return ReadResult(form, report, Source(file=str(path)), tuple(findings))
    raise InputError(
        "IN-002",
        f"unsupported file type {suffix or '(none)'!r}",
        hint="give a .json report",
        file=str(path),
    )
