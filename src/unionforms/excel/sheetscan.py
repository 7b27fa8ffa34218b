"""The fast path for a worksheet's wanted cells: expat proves the XML well-formed and free of DTDs
without a Python call per element, then regular expressions pick the wanted cells out of sheetData.

It serves the plain shape every writer we know produces (Excel, WPS, LibreOffice, openpyxl, our own
templates): UTF-8, no comments, CDATA, processing instructions or namespace prefixes on elements up to
the end of sheetData, every cell with its ``r`` attribute first and double-quoted attributes. For
anything else :func:`scan` answers None and the streaming reader (:mod:`.cells`) reads the sheet, the
reference this path must agree with (a property test holds them to it). Either way the same defused
parser sees the same bytes: the same errors (IN-028, IN-054) and the same bounds.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Collection, Generator, Iterable
from typing import Any

from unionforms.excel.cells import AFTER_SHEET_DATA, Cell, stream_cells
from unionforms.excel.knownrows import check_sheet
from unionforms.excel.partcache import MAX_CACHED_PART, PartCache
from unionforms.excel.safety import Rare, SafeZip

#: Past this many bytes without the end of sheetData, the sheet is streamed instead (memory stays flat).
MAX_SCAN_BYTES = 4 * 1024 * 1024

_SMALL_SHEETS: PartCache[dict[str, Cell]] = PartCache()
#: Bytes of rows whose wanted cells are remembered, at most.
MAX_ROW_CELLS_BYTES = 8 * 1024 * 1024
_row_cells: dict[tuple[frozenset[str], bytes], tuple[tuple[str, Cell], ...]] = {}
_seen_once: set[bytes] = set()
_row_cells_bytes = 0
_AFTER = frozenset(name.encode() for name in AFTER_SHEET_DATA)

_DECL_RE = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml\s(?P<decl>[^?<>]*)\?>)?\s*<")
_ENCODING_RE = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_SHEET_DATA_RE = re.compile(rb"<sheetData\s*>")
_END = b"</sheetData>"
# Before sheetData: a cell, or an element the streaming reader would stop at (any prefix).
_EARLY_RE = re.compile(rb"<(?:[^\s/>=<:!?\"']+:)?(?:c|" + b"|".join(sorted(_AFTER)) + rb")[\s/>]")
# In sheetData: a cell whose r is not its first attribute (or is single-quoted, or implicit), or a cell
# element with a namespace prefix (or text that looks like one: the streaming reader decides).
# (Two expressions, each with a literal prefix the engine searches for fast.)
_ODD_CELL_RE = re.compile(rb'<c(?! r=")[\s/>]')
_PREFIXED_CELL_RE = re.compile(rb":c[\s/>]")
_NEXT_RE = re.compile(
    rb"""\s*(?:(?P<end></)|<(?P<name>[A-Za-z]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/?>)"""
)
_PLAIN_BODY_RE = re.compile(
    rb'(?:<f>([^<]*)</f>)?(?:<v>([^<]*)</v>)?|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>'
)
_TYPE_RE = re.compile(rb'\st\s*=\s*"([^"]*)"')
_TOKEN_RE = re.compile(rb"""<(/?)([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>|([^<]+)""")
_REF_RE = re.compile(rb"&(?:(amp|lt|gt|quot|apos)|#x([0-9A-Fa-f]+)|#([0-9]+));")
_NAMED = {b"amp": "&", b"lt": "<", b"gt": ">", b"quot": '"', b"apos": "'"}


def read_cells(zf: SafeZip, part: str, wanted: Collection[str]) -> dict[str, Cell]:
    """The wanted cells of the worksheet ``part``: by :func:`scan` when the sheet is plain, else streamed
    by :func:`unionforms.excel.cells.stream_cells` from where the scan stopped (nothing is read twice)."""
    if not wanted:
        return {}
    if zf.size(part) <= MAX_CACHED_PART:  # an identity sheet: the same bytes in every return of a form
        data = zf.read(part)
        key = (data, frozenset(wanted))
        found = _SMALL_SHEETS.get(key)
        if found is None:
            cells, _ = scan(zf, part, (chunk for chunk in (data,)), wanted)
            found = stream_cells(zf, part, wanted, (data,)) if cells is None else cells
            _SMALL_SHEETS.put(key, found)
        return dict(found)
    chunks = zf.chunks(part)
    try:
        cells, data = scan(zf, part, chunks, wanted)
        if cells is not None:
            return cells
        return stream_cells(zf, part, wanted, itertools.chain((data,), chunks))
    finally:
        chunks.close()


def scan(
    zf: SafeZip, part: str, chunks: Generator[bytes, None, None], wanted: Collection[str]
) -> tuple[dict[str, Cell] | None, bytes]:
    """The wanted cells of the sheet whose bytes ``chunks`` yields, or None (and the bytes read so far,
    for the streaming reader to go on from) when the sheet is not of the plain shape.

    Raises the parser's InputError when the XML read is malformed or declares a DTD.
    """
    data, after = _head(chunks)
    if after < 0:
        return None, data
    shape = _shape(data, after)
    if shape is None:
        return None, data
    body, start, end, checked = shape
    rare = Rare()
    if checked < 0:  # the worksheet ends right after sheetData: prove it all, as the reference would
        data += b"".join(chunks)
        zf.parse(part, rare, chunks=(data,))
        rows = None
    else:
        rows = check_sheet(zf, part, data, body, start, end, checked, rare)
    if rare.seen:
        return None, data
    if rows is not None:
        return _cells_by_row(rows, wanted, data, start, end), data
    return _cells(data, start, end, wanted), data


def _head(chunks: Iterable[bytes]) -> tuple[bytes, int]:
    """The sheet's bytes up to the end of sheetData and the tag after it; where sheetData ends (-1 if
    not found within :data:`MAX_SCAN_BYTES`). Reads no further than needed, as the reference does."""
    buf = bytearray()
    after = -1
    for chunk in chunks:
        seen = len(buf)
        buf += chunk
        if after < 0:
            found = buf.find(_END, max(0, seen - len(_END)))
            if found >= 0:
                after = found + len(_END)
            elif len(buf) > MAX_SCAN_BYTES:
                break
        if after >= 0 and buf.find(b">", after) >= 0:
            break
    return bytes(buf), after


def _shape(data: bytes, after: int) -> tuple[int, int, int, int] | None:
    """Where the root element starts, (start, end) of sheetData's content and how far expat must
    check, if the sheet is plain."""
    decl = _DECL_RE.match(data)
    if decl is None:
        return None
    if decl["decl"] is not None:
        encoding = _ENCODING_RE.search(decl["decl"])
        if encoding is not None and encoding[1].lower() not in (b"utf-8", b"utf8"):
            return None
    body = decl.end() - 1
    end = after - len(_END)
    opening = _SHEET_DATA_RE.search(data, body, end)
    if opening is None:
        return None
    start = opening.end()
    if data.find(b"<sheetData", start, end) >= 0 or _EARLY_RE.search(data, body, opening.start()):
        return None
    following = _NEXT_RE.match(data, after)
    if following is None:
        return None
    if following["end"] is not None:
        return body, start, end, -1
    if following["name"] not in _AFTER:
        return None
    return body, start, end, following.end()


def _cells(
    data: bytes, start: int, end: int, wanted: Collection[str], pattern: re.Pattern[bytes] | None = None
) -> dict[str, Cell] | None:
    if _ODD_CELL_RE.search(data, start, end) or _PREFIXED_CELL_RE.search(data, start, end):
        return None  # the streaming reader reads it
    cells: dict[str, Cell] = {}
    pattern = pattern or _wanted_re(frozenset(wanted))
    for ref, attrs, body, unplain in pattern.findall(data, start, end):
        if unplain or b"\r" in body:
            return None  # a wanted cell with attributes or content this path does not take
        name = ref.decode()
        if name in cells:
            return None  # a cell given twice: the streaming reader names it (IN-066)
        cells[name] = _cell(attrs, body)
    return cells


def _cells_by_row(
    rows: list[bytes], wanted: Collection[str], data: bytes, start: int, end: int
) -> dict[str, Cell] | None:
    """:func:`_cells`, the rows of a template taken from memory: a row seen twice is a template's (a
    return's values are in rows seen once), and its wanted cells are remembered by its exact bytes;
    the other rows are scanned together. Rows are whole (:func:`.knownrows.check_sheet`): a cell never
    spans two. A ref in both kinds of row is read over the whole sheet, where a cell given twice goes to
    the streaming reader, which refuses it (IN-066)."""
    global _row_cells_bytes
    key = frozenset(wanted)
    pattern = _wanted_re(key)
    cells: dict[str, Cell] = {}
    fresh: list[bytes] = []
    if _row_cells_bytes > MAX_ROW_CELLS_BYTES:
        _row_cells.clear()
        _seen_once.clear()
        _row_cells_bytes = 0
    for row in rows:
        found = _row_cells.get((key, row))
        if found is None and row in _seen_once:
            taken = _cells(row, 0, len(row), key, pattern)
            if taken is None:
                return None
            found = _row_cells[key, row] = tuple(taken.items())
        if found is not None:
            if not cells.keys().isdisjoint(ref for ref, _ in found):  # a ref in two rows
                return _cells(data, start, end, key, pattern)
            cells.update(found)
        else:
            _seen_once.add(row)
            _row_cells_bytes += len(row)
            fresh.append(row)
    if fresh:
        joined = b"".join(fresh)
        taken = _cells(joined, 0, len(joined), key, pattern)
        if taken is None:
            return None
        if not cells.keys().isdisjoint(taken):
            return _cells(data, start, end, key, pattern)
        cells.update(taken)
    return cells


@functools.lru_cache(maxsize=32)
def _wanted_re(wanted: frozenset[str]) -> re.Pattern[bytes]:
    """A plain cell of one of the ``wanted`` refs (the refs as a trie: other cells fail at once), or
    the start of a wanted cell that is not plain (group 4)."""
    refs = _trie([ref.encode() for ref in wanted if ref.isascii()])
    attrs = rb'((?:\s+[A-Za-z_][\w.-]*\s*=\s*"[^"&<\t\n\r]*")*)'
    body = rb"(?:/>|>([^<]*(?:<(?!/c\s*>)[^<]*)*)</c\s*>)"
    return re.compile(rb'<c r="(' + refs + rb')"' + attrs + rb"\s*" + body + rb'|<c r="(' + refs + rb')"')


def _trie(words: list[bytes]) -> bytes:
    """A regular expression matching exactly ``words``, as a trie: (?:D(?:6|7)|F74)."""
    root: dict[bytes, dict[bytes, Any]] = {}
    for word in words:
        node = root
        for i in range(len(word)):
            node = node.setdefault(word[i : i + 1], {})
        node[b""] = {}

    def pattern(node: dict[bytes, Any]) -> bytes:
        alternatives = [
            re.escape(key) + pattern(child) if key else b"" for key, child in sorted(node.items())
        ]
        return alternatives[0] if len(alternatives) == 1 else b"(?:" + b"|".join(alternatives) + b")"

    return pattern(root) if root else b"(?!)"


def _cell(attrs: bytes, body: bytes) -> Cell:
    """One cell from its attributes and content, exactly as the streaming reader's events build it."""
    typ = _TYPE_RE.search(attrs) if b"t" in attrs else None
    cell = Cell(typ[1].decode() if typ else "n")
    if not body:
        return cell
    plain = _PLAIN_BODY_RE.fullmatch(body)
    if plain is not None:  # the usual shapes, at once: <v>…</v>, <f>…</f><v>…</v>, <is><t>…</t></is>
        formula, value, inline = plain.groups()
        if formula is not None:
            cell.formula = _text(formula)
        if value is not None:
            cell.v = _text(value)
        if inline is not None:
            cell.inline = [_text(inline)]
        return cell
    buf: list[bytes] | None = None
    capturing = b""
    phonetic = 0
    for closing, tag, empty, text in _TOKEN_RE.findall(body):
        if text:
            if buf is not None:
                buf.append(text)
            continue
        name = tag.rpartition(b":")[2]  # local names, as the streaming reader compares them
        if not closing:
            if name in (b"v", b"f") or (name == b"t" and not phonetic):
                buf = []
                capturing = name
            elif name == b"rPh":
                phonetic += 1
            if not empty:
                continue
        if buf is not None and name == capturing:
            value = _text(b"".join(buf))
            buf = None
            if name == b"v":
                cell.v = value
            elif name == b"f":
                cell.formula = value
            else:
                if cell.inline is None:
                    cell.inline = []
                cell.inline.append(value)
        elif name == b"rPh":
            phonetic -= 1
    return cell


def _text(raw: bytes) -> str:
    """Character data as expat gives it: UTF-8 decoded, the predefined and character references resolved
    (expat has proven them well-formed and legal)."""
    if b"&" not in raw:
        return raw.decode("utf-8")
    return _REF_RE.sub(_resolve, raw).decode("utf-8")


def _resolve(m: re.Match[bytes]) -> bytes:
    if m[1] is not None:
        return _NAMED[m[1]].encode()
    number = int(m[2], 16) if m[2] is not None else int(m[3])
    return chr(number).encode("utf-8", "surrogatepass")
