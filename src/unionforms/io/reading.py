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
            raise InputError("IN-004", found=form.id, expected=expect.id, file=str(path))
        return ReadResult(form, report, Source(file=str(path)), tuple(findings))
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        from ..excel.reader import read_xlsx

        return read_xlsx(path, registry, expect=expect)
    raise InputError("IN-002", suffix=suffix or "（无扩展名 none）", file=str(path))
