"""Read a report from any supported file, chosen by its extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Form
from ..registry import Registry
from ..report import ReadResult, Source
from . import jsonio


def read_report(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a .json report or a filled .xlsx template; InputError if the file is unusable."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        form, report, findings = jsonio.load(path, registry)
        if expect is not None and form.id != expect.id:
            raise InputError(
                "IN-004", f"the report is of form {form.id!r}, expected {expect.id!r}", file=str(path)
            )
        return ReadResult(form, report, Source(file=str(path)), tuple(findings))
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        from ..excel.reader import read_xlsx

        return read_xlsx(path, registry, expect=expect)
    raise InputError(
        "IN-002",
        f"unsupported file type {suffix or '(none)'!r}",
        hint="give a .json report or a filled .xlsx template",
        file=str(path),
    )
