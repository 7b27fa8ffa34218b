"""Worksheet cells as stored, streamed from the sheet XML, and turned into raw values.

Only the wanted cells are kept and parsing stops at the end of sheetData. Numbers go from the file's
text straight to :class:`~decimal.Decimal`, never through binary floating point; shared strings are read
only up to the last one used. Typing a raw value for its field is :mod:`unionforms.core.values`' job.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Context, Decimal, InvalidOperation
from xml.parsers.expat import XMLParserType

import attrs

from unionforms.core.errors import InputError
from unionforms.excel.ooxml import local
from unionforms.excel.safety import Rare, SafeZip, StopParsing

_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer <v> texts are binary-float noise
_ROUND = Context(prec=_EXCEL_DIGITS)
_WIDE = Context(prec=400)
_ONE = Decimal(1)
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@attrs.define
class Cell:
    """One cell as stored: its type attribute, <v> text, whether it has a formula, inline-string text."""

    type: str
    v: str | None = None
    formula: str | None = None
    inline: list[str] | None = None


class NoCache:
    """A formula cell whose file holds no computed result."""


NO_CACHE = NoCache()


# Worksheet elements that follow sheetData (never inside it): meeting one means every cell has been seen.
AFTER_SHEET_DATA = frozenset(
    {
        "sheetCalcPr",
        "sheetProtection",
        "protectedRanges",
        "scenarios",
        "autoFilter",
        "sortState",
        "dataConsolidate",
        "customSheetViews",
        "mergeCells",
        "conditionalFormatting",
        "dataValidations",
        "hyperlinks",
        "printOptions",
        "pageMargins",
        "pageSetup",
        "headerFooter",
        "rowBreaks",
        "colBreaks",
        "customProperties",
        "cellWatches",
        "ignoredErrors",
        "smartTags",
        "drawing",
        "legacyDrawing",
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
    }
)


class CellContent:
    """What is inside a cell being kept: its value ``<v>``, formula ``<f>`` and inline text ``<t>``
    (phonetic guides ``<rPh>`` left out). Shared by the template reader and the table reader."""

    parser: XMLParserType
    cur: Cell | None
    buf: list[str] | None
    capturing: str
    phonetic: int

    def content_start(self, name: str) -> None:
        """An element started inside the current cell: start capturing its text if it holds the value."""
        if name in ("v", "f") or (name == "t" and not self.phonetic):
            self.buf = []
            self.capturing = name
            self.parser.CharacterDataHandler = self.buf.append
        elif name == "rPh":
            self.phonetic += 1

    def content_end(self, name: str) -> bool:
        """An element ended inside the current cell: store the captured text. True when handled."""
        cur = self.cur
        assert cur is not None
        if self.buf is not None and name == self.capturing:
            self.parser.CharacterDataHandler = None
            text = "".join(self.buf)
            self.buf = None
            if name == "v":
                cur.v = text
            elif name == "f":
                cur.formula = text
            else:
                if cur.inline is None:
                    cur.inline = []
                cur.inline.append(text)
            return True
        if name == "rPh":
            self.phonetic -= 1
            return True
        return False


class _SheetTarget(CellContent):
    """Keeps the wanted cells of a worksheet; stops at the end of sheetData.

    Only element starts are watched throughout; end and text events are switched on inside a wanted
    cell only, so the cells that are not wanted cost one Python call each.
    """

    def __init__(self, wanted: Collection[str]) -> None:
        self.wanted = wanted
        self.cells: dict[str, Cell] = {}
        self.twice: str | None = None
        self.row = 0
        self.last_ref: str | None = None
        self.cur: Cell | None = None
        self.buf: list[str] | None = None
        self.capturing = ""
        self.phonetic = 0
        self.names: dict[str, str] = {}

    def install(self, parser: XMLParserType) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = local(tag)
        if name == "c":
            ref = attrib.get("r")
            if ref is None:  # a position may be left implicit: the next column of the row
                ref = _next_ref(self.last_ref, self.row)
            self.last_ref = ref
            if ref in self.wanted:
                if ref in self.cells and self.twice is None:  # which one holds cannot be told
                    self.twice = ref  # named once the XML is proven well-formed (IN-028 first)
                self.cur = self.cells[ref] = Cell(attrib.get("t", "n"))
                self.phonetic = 0
                self.parser.EndElementHandler = self.end
        elif name == "row":
            r = attrib.get("r")
            self.row = int(r) if r is not None else self.row + 1
            self.last_ref = None
        elif self.cur is not None:
            self.content_start(name)
        elif name in AFTER_SHEET_DATA:
            raise StopParsing

    def end(self, tag: str) -> None:
        name = self.names.get(tag) or local(tag)
        if self.content_end(name):
            return
        if name == "c":
            self.cur = None
            self.parser.EndElementHandler = None


def _next_ref(last: str | None, row: int) -> str:
    col = 0
    if last is not None:
        m = re.match(r"^([A-Z]+)", last)
        for ch in m.group(1) if m else "":
            col = col * 26 + ord(ch) - 64
    col += 1
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def stream_cells(
    zf: SafeZip, part: str, wanted: Collection[str], chunks: Iterable[bytes] | None = None
) -> dict[str, Cell]:
    """The wanted cells of the worksheet ``part``, streamed through expat (the reference reader; see
    :func:`unionforms.excel.sheetscan.read_cells` for the fast path). ``chunks``: its bytes if taken
    already."""
    target = _SheetTarget(wanted)
    if wanted:
        zf.parse(part, target, chunks=chunks)
        if target.twice is not None:
            raise InputError("IN-066", part=part, file=zf.file, cell=target.twice)
    return target.cells


class _StringsTarget:
    """Keeps the shared strings whose indexes are needed; stops after the last one.

    Only element starts are watched throughout; end and text events are switched on inside a needed
    string only (rich-text runs are joined, phonetic guides left out).
    """

    def __init__(self, needed: set[int]) -> None:
        self.needed = needed
        self.last = max(needed, default=-1)
        self.index = -1
        self.strings: dict[int, str] = {}
        self.parts: list[str] | None = None
        self.buf: list[str] | None = None
        self.phonetic = 0
        self.names: dict[str, str] = {}

    def install(self, parser: XMLParserType) -> None:
        self.parser = parser
        parser.ordered_attributes = True  # attributes are not used: a list is cheaper than a dict
        parser.StartElementHandler = self.start

    def start(self, tag: str, attrib: list[str]) -> None:
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = local(tag)
        if name == "si":
            if self.index >= self.last:
                raise StopParsing
            self.index += 1
            if self.index in self.needed:
                self.parts = []
                self.phonetic = 0
                self.parser.EndElementHandler = self.end
        elif self.parts is not None:
            if name == "t" and not self.phonetic:
                self.buf = []
                self.parser.CharacterDataHandler = self.buf.append
            elif name == "rPh":
                self.phonetic += 1

    def end(self, tag: str) -> None:
        name = self.names.get(tag) or local(tag)
        assert self.parts is not None
        if name == "t" and self.buf is not None:
            self.parser.CharacterDataHandler = None
            self.parts.append("".join(self.buf))
            self.buf = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            self.strings[self.index] = _unescape("".join(self.parts))
            self.parts = None
            self.parser.EndElementHandler = None


_SI_RE = re.compile(rb"<si[\s>/]")
_PLAIN_ROOT_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?<sst[\s>]")


def read_strings(zf: SafeZip, part: str | None, needed: set[int]) -> dict[int, str]:
    """The shared strings at the ``needed`` indexes.

    The fast path, for a part whose root is a plain ``<sst>``: expat proves the part well-formed up to
    the string after the last one needed (in C, no Python call per element), the strings are found by
    their ``<si`` tags, and only the needed ones are parsed. LibreOffice writes every string as rich
    text runs, and puts the identity sheet's strings last: a Python call per element of the whole table
    made its returns read half as fast. Comments, CDATA and processing instructions (which could hide
    markup from the tag search), or anything unusual, go to the full parse, which is the reference."""
    if not needed or part is None:
        return {}
    data = zf.read(part)
    fast = _fast_strings(zf, part, data, needed) if _PLAIN_ROOT_RE.match(data) else None
    if fast is not None:
        return fast
    target = _StringsTarget(needed)
    zf.parse(part, target, chunks=(data,))
    return target.strings


def _fast_strings(zf: SafeZip, part: str, data: bytes, needed: set[int]) -> dict[int, str] | None:
    last = max(needed)
    starts: list[int] = []
    for found in _SI_RE.finditer(data):
        starts.append(found.start())
        if len(starts) > last + 1:
            break
    cut = starts[last + 1] if len(starts) > last + 1 else len(data)
    rare = Rare()
    zf.parse(part, rare, chunks=(data[:cut],), final=cut == len(data))  # IN-028 / IN-054 as the reference
    if rare.seen:
        return None
    wanted = sorted(i for i in needed if i < len(starts))
    if not wanted:
        return {}
    pieces = []
    for i in wanted:
        end = data.find(b"</si>", starts[i])
        if end < 0 or (i + 1 < len(starts) and end > starts[i + 1]):
            # an empty <si/>: the tag alone
            pieces.append(data[starts[i] : data.find(b">", starts[i]) + 1])
            continue
        pieces.append(data[starts[i] : end + 5])
    target = _StringsTarget(set(range(len(wanted))))
    try:
        zf.parse(part, target, chunks=(b"<sst>", *pieces, b"</sst>"))
    except InputError:
        return None  # e.g. a prefix declared on the root: the full parse reads it
    return {wanted[k]: text for k, text in target.strings.items()}


def _unescape(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes of characters XML cannot hold."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # Escapes are UTF-16 units: a pair makes one character; a lone half is not text (U+FFFD instead).
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


# --- cell values ---------------------------------------------------------------------------------


def cell_value(cell: Cell, strings: Mapping[int, str], file: str, where: str) -> object:
    """The cell's raw value: Decimal, str, bool, None (blank) or NO_CACHE (formula, no result)."""
    typ, v = cell.type, cell.v
    if typ == "inlineStr":
        if cell.inline is not None:
            return _unescape("".join(cell.inline))
        typ = "str"
    if cell.formula is not None and (v is None or (v == "" and typ != "str")):
        return NO_CACHE
    if v is None:
        return None
    if typ == "s":
        try:
            return strings[int(v)]
        except (ValueError, KeyError):
            raise InputError("IN-029", ref=where, index=v, file=file) from None
    if typ == "str":
        return _unescape(v)
    if typ == "b":
        flag = v.strip().lower()
        if flag in ("1", "true"):
            return True
        if flag in ("0", "false"):
            return False
        return v
    if typ in ("e", "d"):
        return v
    return _decimal(v) if v.strip() else None


def _decimal(text: str) -> Decimal | str:
    """A stored number as Decimal, straight from its text; the text itself if it is no number Excel holds."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if number.is_zero():
        return Decimal(0)
    if not -400 < number.adjusted() < 309:  # beyond any double: not a number a spreadsheet stored
        return text
    if len(number.as_tuple().digits) > _EXCEL_DIGITS:
        # Some writers store a double with 17 digits (2.2999999999999998 for 2.3); Excel shows and keeps
        # 15, so that is the number the filler typed.
        number = _ROUND.plus(number).normalize(_WIDE)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:  # 1E+2 -> 100
            number = number.quantize(_ONE, context=_WIDE)
    return number


def cell_text(value: object) -> str | None:
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _number_text(number: Decimal) -> str:
    if number == number.to_integral_value():
        number = number.to_integral_value()
    return format(number, "f")
