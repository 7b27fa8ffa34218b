"""Export returns as tables other systems take in: CSV, JSONL, xlsx, or a database (``specs/export.md``).

:func:`returns_from_paths` reads and checks every input (one :class:`~.tables.Return` per return, an
:class:`Unusable` for what cannot be read); :func:`export` writes them, streaming, to the output named by
its suffix or URL, and gives an :class:`ExportSummary`. Files are written to a temporary file beside the
output and renamed at the end, so an output is never half-written, and never replaces an input.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, UnionformsError
from ..model import Form
from ..registry import Registry
from ..report import ReadResult
from ..validate import check_read
from .reading import read_many
from .summary import ExportSummary, Item, Unusable, counted
from .tables import LONG_COLUMNS, Cell, Return, escape_text, long_rows, status_of, wide_columns, wide_labels
from .tables import wide_row as _wide_row

FILE_SUFFIXES = (".csv", ".jsonl", ".xlsx")
_INPUT_SUFFIXES = (".json", ".xlsx", ".xlsm", ".csv")
_XML_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


# --- inputs ---------------------------------------------------------------------------------------


def expand(paths: Iterable[str]) -> Iterator[str | Unusable]:
    """Files named by ``paths``: files as given, folders searched (returns and tables), patterns expanded.

    Office lock files and hidden files in folders are skipped, each reported; a file named twice is read
    once. (The same as bulk validate's input handling; to become ``unionforms.batch.expand`` once that
    lands, so that every bulk command treats PATH alike.)
    """
    seen: set[str] = set()
    for arg in paths:
        if os.path.isdir(arg):
            names = sorted(
                str(p)
                for p in Path(arg).rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(arg).parts[:-1])
            )
            found = [n for n in names if Path(n).suffix.lower() in _INPUT_SUFFIXES]
        elif not os.path.exists(arg) and set("*?[") & set(arg):
            found = sorted(glob.glob(arg, recursive=True))
        else:
            found = [arg]
        for name in found:
            base = Path(name).name
            key = os.path.realpath(name)
            if base.startswith(("~$", ".")) and name != arg:
                yield Unusable(name, "skipped", "Office 锁定文件或隐藏文件，不是报表")
            elif key in seen:
                yield Unusable(name, "skipped", "同一文件已列出，不重复处理")
            else:
                seen.add(key)
                yield name


def returns_from_paths(paths: Iterable[str], registry: Registry) -> Iterator[Item]:
    """Read and check every return in ``paths``: a :class:`Return` each, or why there is none."""
    for name in expand(paths):
        if isinstance(name, Unusable):
            yield name
            continue
        digest = file_hash(name)
        for entry in read_many(name, registry):
            yield checked(entry, digest)


def checked(entry: ReadResult | UnionformsError, source_hash: str | None = None) -> Item:
    """A read entry checked by its form's rules, as a :class:`Return`; an error as :class:`Unusable`."""
    if isinstance(entry, UnionformsError):
        return Unusable(entry.file or "?", "unusable", str(entry), entry.code)
    findings = tuple(check_read(entry))
    return Return(
        entry.source.file or "?",
        entry.form,
        entry.report,
        status_of(findings),
        findings,
        entry.provenance,
        source_hash,
    )


def file_hash(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, read in chunks; None when it cannot be read (reading it says why)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


# --- the export -----------------------------------------------------------------------------------


def is_database_url(output: str) -> bool:
    return "://" in output and not output.lower().startswith("file://")


def export(items: Iterable[Item], output: str, *, wide: bool = False) -> ExportSummary:
    """Write ``items`` to ``output`` (.csv, .jsonl, .xlsx or a database URL): long, or ``wide``.

    InputError (nothing is left behind): EXP-001 an output of no known kind, EXP-003 a wide CSV of two
    forms, EXP-004 the output is an input, IN-040 it cannot be written; a database's are in :mod:`.sql`.
    """
    if is_database_url(output):
        from .sql import export_sql

        return export_sql(items, output)
    suffix = Path(output).suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise InputError("EXP-001", output=output, file=output)
    summary = ExportSummary(output)
    inputs: set[str] = set()

    def returns() -> Iterator[Return]:
        for ret in counted(items, summary):
            inputs.add(os.path.realpath(ret.name.split("#", 1)[0]))
            yield ret

    writer = {".csv": _write_csv, ".jsonl": _write_jsonl, ".xlsx": _write_xlsx}[suffix]
    with _atomic(output) as tmp:
        summary.rows = writer(returns(), tmp, wide, output)
        if os.path.realpath(output) in inputs:
            raise InputError("EXP-004", file=output)
    return summary


@contextlib.contextmanager
def _atomic(output: str) -> Iterator[str]:
    """A temporary path beside ``output``, renamed to it when the block ends without an error."""
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise InputError("IN-040", detail=f"{type(exc).__name__}: {exc}", file=output) from None
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError("IN-040", detail=f"{type(exc).__name__}: {exc}", file=output) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, int):
        return str(cell)
    return escape_text(cell)


def _write_csv(returns: Iterable[Return], path: str, wide: bool, output: str) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        if not wide:
            out.writerow(LONG_COLUMNS)
            for ret in returns:
                for row in long_rows(ret):
                    out.writerow([_csv_text(c) for c in row])
                    rows += 1
            return rows
        form: Form | None = None
        for ret in returns:
            if form is None:
                form = ret.form
                out.writerow(wide_columns(form))
                out.writerow(wide_labels(form))
            elif ret.form.id != form.id:
                raise InputError("EXP-003", first=form.id, second=ret.form.id, file=output)
            out.writerow([_csv_text(c) for c in _wide_row(ret)])
            rows += 1
    return rows


def _json_cell(cell: Cell) -> object:
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return cell


def _write_jsonl(returns: Iterable[Return], path: str, wide: bool, output: str) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for ret in returns:
            if wide:
                columns = wide_columns(ret.form)
                lines: Iterable[dict[str, Cell]] = [
                    {c: v for c, v in zip(columns, _wide_row(ret), strict=True) if v is not None}
                ]
            else:
                lines = (dict(zip(LONG_COLUMNS, row, strict=True)) for row in long_rows(ret))
            for row in lines:
                data = {k: _json_cell(v) for k, v in row.items()}
                fh.write(json.dumps(data, ensure_ascii=False) + "\n")
                rows += 1
    return rows


def _xlsx_text(text: str) -> str:
    """Text as an xlsx can hold it: characters XML cannot hold as Excel's _xHHHH_ escapes."""
    return _XML_ILLEGAL_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", escape_text(text))


def _write_xlsx(returns: Iterable[Return], path: str, wide: bool, output: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    sheets: dict[str, Any] = {}

    def sheet(title: str, header: list[list[str]]) -> Any:
        ws = sheets.get(title)
        if ws is None:
            ws = sheets[title] = wb.create_sheet(title[:31])
            ws.freeze_panes = f"A{len(header) + 1}"
            for line in header:
                ws.append([cell(ws, h) for h in line])
        return ws

    def cell(ws: Any, value: Cell) -> Any:
        if isinstance(value, bool):
            value = "是" if value else "否"
        if isinstance(value, str):
            c = WriteOnlyCell(ws, _xlsx_text(value))
            c.data_type = "s"  # text, never a formula, whatever it starts with
            return c
        c = WriteOnlyCell(ws, value)
        if isinstance(value, int | Decimal):
            # openpyxl writes numbers through "%.16g" (a float); write the exact decimal text instead.
            c._value = value if isinstance(value, int) else format(value, "f")
        return c

    rows = 0
    for ret in returns:
        if wide:
            ws = sheet(ret.form.id, [wide_columns(ret.form), wide_labels(ret.form)])
            ws.append([cell(ws, v) for v in _wide_row(ret)])
            rows += 1
        else:
            ws = sheet("values", [list(LONG_COLUMNS)])
            for row in long_rows(ret):
                ws.append([cell(ws, c) for c in row])
                rows += 1
    if not sheets:
        sheet("values", [list(LONG_COLUMNS)])
    wb.save(path)
    return rows
