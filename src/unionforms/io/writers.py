"""Export returns as tables other systems take in: CSV, JSONL, xlsx, or a database (``specs/export.md``).

:func:`export` writes returns (:class:`~.tables.Return`, or :class:`~.summary.Unusable` for an input
that gave none; :func:`unionforms.collect.export.returns_from_inputs` reads them), streaming, to the output
named by its suffix or URL, and gives an :class:`ExportSummary`. A file is written through
:func:`unionforms.core.outputs.atomic_write`: never over an input (OUT-001), an existing one kept unless
``force`` (OUT-002), never half-written (OUT-004).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from unionforms.core.errors import InputError
from unionforms.core.model import Form
from unionforms.core.outputs import atomic_write, check_output
from unionforms.core.textsafe import json_text, unicode_text
from unionforms.io.summary import ExportSummary, Item, counted
from unionforms.io.tables import (
    LONG_COLUMNS,
    Return,
    TableCell,
    escape_text,
    long_rows,
    wide_columns,
    wide_labels,
)
from unionforms.io.tables import wide_row as _wide_row

FILE_SUFFIXES = (".csv", ".jsonl", ".xlsx")
_XML_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


# --- the export -----------------------------------------------------------------------------------


def is_database_url(output: str) -> bool:
    return "://" in output and not output.lower().startswith("file://")


def check_file_output(output: str, *, force: bool = False, inputs: Iterable[str] = ()) -> str:
    """The format of the file ``output`` (csv, jsonl, xlsx), checked before any work: EXP-001 for no known
    suffix, then OUT-001 … OUT-004 as for every output (``inputs``: the files read)."""
    suffix = Path(output).suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise InputError("EXP-001", output=output, file=output)
    kind = suffix[1:]
    check_output(output, kind=kind, force=force, inputs=inputs)
    return kind


def export(
    items: Iterable[Item],
    output: str,
    *,
    wide: bool = False,
    force: bool = False,
    inputs: Iterable[str] = (),
) -> ExportSummary:
    """Write ``items`` to ``output`` (.csv, .jsonl, .xlsx or a database URL): long, or ``wide``.

    InputError (nothing is left behind): :func:`check_file_output`'s, EXP-003 a wide CSV of two forms;
    a database's are in :mod:`.sql` (a database is updated in place: exporting again replaces a
    return's rows).
    """
    if is_database_url(output):
        from unionforms.io.sql import export_sql

        return export_sql(items, output)
    inputs = list(inputs)
    kind = check_file_output(output, force=force, inputs=inputs)
    summary = ExportSummary(output)
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "xlsx": _write_xlsx}[kind]
    with atomic_write(output, kind=kind, force=force, inputs=inputs) as fh:
        summary.rows = writer(counted(items, summary), fh, wide, output)
    return summary


@contextlib.contextmanager
def _text(fh: BinaryIO, encoding: str) -> Iterator[TextIO]:
    """``fh`` as text; the binary file stays open for :func:`~unionforms.core.outputs.atomic_write`."""
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def _csv_text(cell: TableCell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, int):
        return str(cell)
    return unicode_text(escape_text(cell))  # a file name's undecodable bytes as \x80: valid UTF-8


def _write_csv(returns: Iterable[Return], file: BinaryIO, wide: bool, output: str) -> int:
    rows = 0
    with _text(file, "utf-8-sig") as fh:
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


def _json_cell(cell: TableCell) -> object:
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return cell


def _write_jsonl(returns: Iterable[Return], file: BinaryIO, wide: bool, output: str) -> int:
    rows = 0
    with _text(file, "utf-8") as fh:
        for ret in returns:
            if wide:
                columns = wide_columns(ret.form)
                lines: Iterable[dict[str, TableCell]] = [
                    {c: v for c, v in zip(columns, _wide_row(ret), strict=True) if v is not None}
                ]
            else:
                lines = (dict(zip(LONG_COLUMNS, row, strict=True)) for row in long_rows(ret))
            for row in lines:
                data = {k: _json_cell(v) for k, v in row.items()}
                fh.write(json_text(json.dumps(data, ensure_ascii=False)) + "\n")
                rows += 1
    return rows


def _xlsx_text(text: str) -> str:
    """Text as an xlsx can hold it: characters XML cannot hold as Excel's _xHHHH_ escapes."""
    return _XML_ILLEGAL_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", unicode_text(escape_text(text)))


def _write_xlsx(returns: Iterable[Return], file: BinaryIO, wide: bool, output: str) -> int:
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

    def cell(ws: Any, value: TableCell) -> Any:
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
    wb.save(file)
    return rows
