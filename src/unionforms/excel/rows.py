"""Every row of every sheet of an untrusted xlsx, for tables (one return per row) rather than templates.

Read through :class:`.SafeZip` (bounded zip, defused XML) like a template; numbers come from the file's
text as :class:`~decimal.Decimal`, never through binary floating point. A formula cell gives its cached
result, or :data:`.cells.NO_CACHE` when the file holds none.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers.expat import XMLParserType

import attrs

from unionforms.excel.cells import Cell, CellContent, cell_value, read_strings
from unionforms.excel.ooxml import local, read_book, sheet_part
from unionforms.excel.safety import SafeZip

_REF_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


@attrs.frozen
class SheetRows:
    """One sheet's cells: ``rows`` maps a row number to its cells (column letters -> raw value)."""

    name: str
    rows: dict[int, dict[str, object]]


class _AllCells(CellContent):
    """Keeps every cell of a worksheet, row by row."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Cell]] = {}
        self.row = 0
        self.col = 0
        self.cur: Cell | None = None
        self.buf: list[str] | None = None
        self.capturing = ""
        self.phonetic = 0

    def install(self, parser: XMLParserType) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = local(tag)
        if name == "row":
            r = attrib.get("r")
            self.row = int(r) if r is not None and r.isdigit() else self.row + 1
            self.col = 0
        elif name == "c":
            ref = attrib.get("r")
            m = _REF_RE.match(ref) if ref else None
            if m:
                self.col = column_number(m.group(1))
                self.row = int(m.group(2))
            else:  # a position may be left implicit: the next column of the row
                self.col += 1
            self.cur = Cell(attrib.get("t", "n"))
            self.rows.setdefault(self.row, {})[column_letters(self.col)] = self.cur
            self.phonetic = 0
        elif self.cur is not None:
            self.content_start(name)

    def end(self, tag: str) -> None:
        name = local(tag)
        if self.cur is None or self.content_end(name):
            return
        if name == "c":
            self.cur = None


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_sheets(path: str | Path) -> list[SheetRows]:
    """Every sheet of the workbook at ``path``, in workbook order, with every cell's raw value.

    InputError as for a template (IN-0xx: unreadable, not an xlsx, damaged, hostile).
    """
    file = str(path)
    with SafeZip(path) as zf:
        book = read_book(zf, file)
        parsed: list[tuple[str, dict[int, dict[str, Cell]]]] = []
        for sheet in book.order:
            part = sheet_part(book, sheet, file)  # IN-037 when a sheet has no part
            if part is None:
                continue
            target = _AllCells()
            zf.parse(part, target)
            parsed.append((sheet, target.rows))
        needed = {
            int(c.v)
            for _, rows in parsed
            for cells in rows.values()
            for c in cells.values()
            if c.type == "s" and c.v is not None and c.v.strip().isdigit()
        }
        strings = read_strings(zf, book.strings_part, needed)
    out = []
    for sheet, rows in parsed:
        values = {
            r: {col: cell_value(cell, strings, file, f"{sheet}!{col}{r}") for col, cell in cells.items()}
            for r, cells in sorted(rows.items())
        }
        out.append(SheetRows(sheet, values))
    return out
