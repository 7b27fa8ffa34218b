"""Read reports from any supported file, chosen by its extension.

:func:`read_report` reads a file that holds one return (report JSON, filled template).
:func:`read_many` reads any input, including tables (CSV or xlsx, one return per row), and yields one
entry per return: a :class:`~unionforms.core.report.ReadResult`, or the
:class:`~unionforms.core.errors.InputError` that makes that return (or the whole file) unusable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from unionforms.core.errors import InputError
from unionforms.core.model import Form
from unionforms.core.report import ReadResult, Source
from unionforms.plugins.registry import Registry


def read_report(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a .json report or a filled .xlsx template; InputError if the file is unusable."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        # cattrs only for JSON reports: a workbook's start-up need not pay for it
        from unionforms.io import jsonio

        form, report, findings = jsonio.load(path, registry)
        if expect is not None and form.id != expect.id:
            raise InputError("IN-004", found=form.id, expected=expect.id, file=str(path))
        return ReadResult(form, report, Source(file=str(path)), tuple(findings))
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        from unionforms.excel.reader import read_xlsx

        return read_xlsx(path, registry, expect=expect)
    raise InputError("IN-002", suffix=suffix or "（无扩展名 none）", file=str(path))


def preload(paths: Iterable[str | Path]) -> None:
    """Import now what reading and checking these files takes (by their extensions).

    Commands import readers when first used, for start-up; a bulk run calls this before it forks, so
    that every forked check inherits them instead of importing them again.
    """
    suffixes = {Path(p).suffix.lower() for p in paths}
    from unionforms.core import validate  # noqa: F401

    if ".json" in suffixes:
        from unionforms.io import jsonio  # noqa: F401
    if suffixes - {".json"}:
        from unionforms.excel import reader  # noqa: F401


def read_many(path: str | Path, registry: Registry) -> Iterator[ReadResult | InputError]:
    """Every return in ``path``: one for a report or template, one per row (or run of rows) of a table.

    Never raises for a bad input: an unusable file, or an unusable row of a table, is yielded as its
    InputError (a row's names it, as ``figures.csv#row 7``).
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        from unionforms.io.tables import read_csv

        yield from read_csv(path, registry)
        return
    if is_table(path):
        from unionforms.io.tables import read_xlsx_table

        yield from read_xlsx_table(path, registry)
        return
    try:
        yield read_report(path, registry)
    except InputError as exc:
        yield exc


def is_table(path: str | Path) -> bool:
    """Whether ``path`` is a table: a .csv, or an xlsx that is no template (no identity sheet and no
    field names; a template whose identity sheet was deleted is read as a template, to say so)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return True
    if suffix not in (".xlsx", ".xlsm"):
        return False
    from unionforms.excel.contract import FIELD_PREFIX, ID_SHEET
    from unionforms.excel.ooxml import read_book
    from unionforms.excel.safety import SafeZip

    try:
        with SafeZip(path) as zf:
            book = read_book(zf, str(path))
    except InputError:
        return False  # reading it as a template names the problem
    if ID_SHEET.casefold() in {name.casefold() for name in book.sheets}:
        return False
    return not any(key.startswith(FIELD_PREFIX) for key in book.cell_names)
