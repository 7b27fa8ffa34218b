"""Read a report from any supported file, chosen by its extension."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..model import Form
from ..registry import Registry
from ..report import ReadResult, Source


def read_report(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a .json report or a filled .xlsx template; InputError if the file is unusable."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        from . import jsonio  # cattrs only for JSON reports: a workbook's start-up need not pay for it

        form, report, findings = jsonio.load(path, registry)
        if expect is not None and form.id != expect.id:
            raise InputError("IN-004", found=form.id, expected=expect.id, file=str(path))
        return ReadResult(form, report, Source(file=str(path)), tuple(findings))
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        from ..excel.reader import read_xlsx

        return read_xlsx(path, registry, expect=expect)
    raise InputError("IN-002", suffix=suffix or "（无扩展名 none）", file=str(path))


def preload(paths: Iterable[str | Path]) -> None:
    """Import now what reading and checking these files takes (by their extensions).

    Commands import readers when first used, for start-up; a bulk run calls this before it forks, so
    that every forked check inherits them instead of importing them again.
    """
    suffixes = {Path(p).suffix.lower() for p in paths}
    from .. import validate  # noqa: F401

    if ".json" in suffixes:
        from . import jsonio  # noqa: F401
    if suffixes - {".json"}:
        from ..excel import reader  # noqa: F401
