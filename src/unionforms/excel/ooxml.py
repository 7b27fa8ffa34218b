"""The OOXML package of a workbook: its parts, relationships, sheets and defined names.

Only what a reader needs: ``xl/workbook.xml`` (sheets, ``date1904``, defined names) and the relationships
that lead from it to the worksheet and shared-strings parts, all read through :class:`.SafeZip`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping

import attrs

from unionforms.core.errors import InputError
from unionforms.excel.contract import EXPLAIN_PREFIX, FIELD_PREFIX
from unionforms.excel.partcache import PartCache, cacheable
from unionforms.excel.safety import SafeZip

_REF_RE = re.compile(
    r"^=?(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))!)?"
    r"\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>[0-9]{1,7})"
    r"(?::\$?(?P<col2>[A-Za-z]{1,3})\$?(?P<row2>[0-9]{1,7}))?$"
)


@attrs.frozen
class Name:
    """A defined name resolved to one cell: the sheet's name and the cell (``D12``).

    ``cell`` is None when the name is ``#REF!`` (its cell was deleted) or is not one cell of a sheet;
    ``text`` is the name's reference as written, to show what it became.
    """

    sheet: str
    cell: str | None
    text: str = ""


@attrs.define
class Book:
    sheets: dict[str, str]  # sheet name -> part name in the zip ('' if the part is missing)
    order: list[str]  # sheet names in workbook order (localSheetId indexes this)
    names: dict[str, tuple[str, str | None]]  # upper-cased name -> (reference text, local sheet name)
    date1904: bool
    strings_part: str | None
    cell_names: Mapping[str, Name]  # F_…, H_… and EXPL_… names resolved to (sheet, cell); see below
    named_cells: Mapping[str, frozenset[str]]  # sheet name -> the cells names point at in it
    memo: dict[object, object]  # facts derived from the names, shared by every file of the same workbook.xml


@attrs.frozen(eq=False)
class _Workbook:
    """What ``xl/workbook.xml`` says, before its relationships are followed (kept by its bytes)."""

    sheets: tuple[tuple[str, str | None], ...]  # (name, relationship id), in workbook order
    names: dict[str, tuple[str, str | None]]
    date1904: bool
    cell_names: Mapping[str, Name]
    named_cells: Mapping[str, frozenset[str]]
    memo: dict[object, object] = attrs.field(factory=dict)


_WORKBOOKS: PartCache[_Workbook] = PartCache()
_RELS: PartCache[_Rels] = PartCache()


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_book(zf: SafeZip, file: str) -> Book:
    workbook = zf.resolve("xl/workbook.xml") or _office_document(zf)
    if workbook is None:
        if zf.resolve("xl/workbook.bin"):
            raise InputError("IN-025", file=file)
        raise InputError("IN-026", file=file)
    parsed = _workbook(zf, workbook)
    rels = _relationships(zf, workbook)
    base = posixpath.dirname(workbook)
    sheets: dict[str, str] = {}
    for name, rid in parsed.sheets:
        target = rels.get(rid or "")
        part = zf.resolve(_join(base, target)) if target else None
        sheets.setdefault(name, part or "")
    strings = next((t for typ, t in rels.types.items() if typ.endswith("/sharedStrings")), None)
    strings_part = zf.resolve(_join(base, strings)) if strings else zf.resolve("xl/sharedStrings.xml")
    order = [name for name, _ in parsed.sheets]
    return Book(
        sheets,
        order,
        parsed.names,
        parsed.date1904,
        strings_part,
        parsed.cell_names,
        parsed.named_cells,
        parsed.memo,
    )


def _workbook(zf: SafeZip, part: str) -> _Workbook:
    data = zf.read_small(part)
    if cacheable(data):
        found = _WORKBOOKS.get(data)
        if found is not None:
            return found
    root = zf.element(part, data)
    sheets: list[tuple[str, str | None]] = []
    raw_names: list[tuple[str, str, str | None]] = []
    date1904 = False
    for el in root.iter():
        tag = local(el.tag)
        if tag == "sheet":
            name = el.get("name")
            if name is None:
                continue
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            sheets.append((name, rid))
        elif tag == "workbookPr":
            date1904 = el.get("date1904", "").strip().lower() in ("1", "true")
        elif tag == "definedName":
            name = el.get("name")
            if name:
                raw_names.append((name, el.text or "", el.get("localSheetId")))
    order = [name for name, _ in sheets]
    names: dict[str, tuple[str, str | None]] = {}
    for name, text, local_id in raw_names:  # a workbook-scope name wins over sheet-local ones
        key = name.upper()
        if not key.startswith((FIELD_PREFIX, "H_", EXPLAIN_PREFIX)):
            continue
        local_sheet: str | None = None
        if local_id is not None:
            try:
                local_sheet = order[int(local_id)]
            except (ValueError, IndexError):
                continue
        if key not in names or (names[key][1] is not None and local_sheet is None):
            names[key] = (text, local_sheet)
    resolved = _cell_names(names, set(order))
    named: dict[str, set[str]] = {}
    for cell_name in resolved.values():
        if cell_name.cell is not None and cell_name.sheet in order:
            named.setdefault(cell_name.sheet, set()).add(cell_name.cell)
    named_cells = {sheet: frozenset(cells) for sheet, cells in named.items()}
    parsed = _Workbook(tuple(sheets), names, date1904, resolved, named_cells)
    if cacheable(data):
        _WORKBOOKS.put(data, parsed)
    return parsed


@attrs.frozen(eq=False)
class _Rels:
    targets: dict[str, str]
    types: dict[str, str]

    def get(self, rid: str) -> str | None:
        return self.targets.get(rid)


def _relationships(zf: SafeZip, part: str) -> _Rels:
    name = zf.resolve(posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"))
    if name is None:
        return _Rels({}, {})
    data = zf.read_small(name)
    if cacheable(data):
        found = _RELS.get(data)
        if found is not None:
            return found
    rels = _Rels({}, {})
    for el in zf.element(name, data).iter():
        if local(el.tag) == "Relationship" and el.get("TargetMode", "Internal") == "Internal":
            rid, target, typ = el.get("Id"), el.get("Target"), el.get("Type", "")
            if rid and target:
                rels.targets[rid] = target
                rels.types.setdefault(typ, target)
    if cacheable(data):
        _RELS.put(data, rels)
    return rels


def _office_document(zf: SafeZip) -> str | None:
    rels = _relationships(zf, "")
    target = next((t for typ, t in rels.types.items() if typ.endswith("/officeDocument")), None)
    return zf.resolve(_join("", target)) if target else None


def _join(base: str, target: str) -> str:
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def sheet_part(book: Book, sheet: str, file: str) -> str | None:
    """The part of the sheet called ``sheet`` (any case), None if there is none; IN-037 if it has no part."""
    part = book.sheets.get(sheet)
    if part is None:
        folded = sheet.casefold()  # sheet names are case-insensitive in Excel
        part = next((p for n, p in book.sheets.items() if n.casefold() == folded), None)
    if part is None:
        return None
    if not part:
        raise InputError("IN-037", sheet=sheet, file=file)
    return part


def _cell_names(names: Mapping[str, tuple[str, str | None]], sheets: Collection[str]) -> dict[str, Name]:
    """F_…, H_… and EXPL_… names resolved to (sheet, cell), by upper-cased name."""
    out: dict[str, Name] = {}
    for key, (text, local_sheet) in names.items():
        text = text.strip()
        m = _REF_RE.match(text) if "#REF!" not in text.upper() else None
        if m is None or (
            m["col2"] is not None and (m["col2"].upper(), int(m["row2"])) != (m["col"].upper(), int(m["row"]))
        ):
            # The cell was deleted (#REF!, e.g. its row removed) or the name was edited: it names no cell.
            out[key] = Name(local_sheet or "", None, text)
            continue
        sheet = m["quoted"].replace("''", "'") if m["quoted"] is not None else m["plain"]
        sheet = sheet or local_sheet
        if sheet is None:
            out[key] = Name("", None, text)
            continue
        if sheet not in sheets:
            folded = sheet.casefold()  # sheet names are case-insensitive in Excel
            sheet = next((n for n in sheets if n.casefold() == folded), sheet)
        out[key] = Name(sheet, f"{m['col'].upper()}{int(m['row'])}", text)
    return out
