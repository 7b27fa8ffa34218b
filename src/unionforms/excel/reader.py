"""Read a filled unionforms template (.xlsx) into a typed report, fast and without trusting the file.

The workbook contract (written by the template writer):

- a hidden sheet ``_unionforms``: A1 ``unionforms`` / B1 contract version, A2 ``form`` / B2 form id,
  A3 ``version`` / B3 definition version, A4 ``sheet`` / B4 the main sheet's name;
- workbook-scope defined names ``F_<code>`` (``.`` in the code written ``_``) for every field, and
  ``H_unit``, ``H_filled_by``, ``H_phone``, ``H_date`` for the header, each naming one cell.

Only the parts needed are parsed: ``xl/workbook.xml`` and its relationships, the ``_unionforms`` sheet,
the sheet(s) the names point at (streamed; only the named cells kept; parsing stops after the last
named row), and the shared strings up to the last one used. Numbers go from the file's text straight to
:class:`~decimal.Decimal`, never through binary floating point. The values are then typed and checked
by :func:`unionforms.validate.typed_values`, as for every other reader.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from xml.parsers.expat import XMLParserType

import attrs

from ..errors import InputError
from ..findings import Finding
from ..model import Form
from ..reading import ReadResult
from ..registry import Registry
from ..report import Meta, Report, Source
from ..rules import Severity
from ..validate import typed_values
from .contract import CONTRACT_VERSION, FIELD_PREFIX, HEADER_NAMES, ID_SHEET, field_name
from .safety import SafeZip, StopParsing

_HEADER_LABELS = {"unit": "填报单位", "filled_by": "填报人", "phone": "联系电话", "date": "填报日期"}

_ID_ROWS = 20  # rows of the _unionforms sheet read as key/value pairs
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer <v> texts are binary-float noise
_ROUND = Context(prec=_EXCEL_DIGITS)
_WIDE = Context(prec=400)
_ONE = Decimal(1)

_REF_RE = re.compile(
    r"^=?(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))!)?"
    r"\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>[0-9]{1,7})"
    r"(?::\$?(?P<col2>[A-Za-z]{1,3})\$?(?P<row2>[0-9]{1,7}))?$"
)
_CELL_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NOT_TEMPLATE_HINT = "generate a template with `unionforms blank FORM`, fill it in and send that file"


@attrs.frozen
class _Name:
    """A defined name resolved to one cell: the sheet's name and the cell (``D12``).

    ``cell`` is None when the name is ``#REF!`` (its cell was deleted) or cannot be used (``problem``
    says why; that is IN-002 only if the name is one the form needs).
    """

    sheet: str
    cell: str | None
    problem: str | None = None


@attrs.define
class _Book:
    sheets: dict[str, str]  # sheet name -> part name in the zip ('' if the part is missing)
    order: list[str]  # sheet names in workbook order (localSheetId indexes this)
    names: dict[str, tuple[str, str | None]]  # upper-cased name -> (reference text, local sheet name)
    date1904: bool
    strings_part: str | None


@attrs.define
class _Cell:
    """One cell as stored: its type attribute, <v> text, whether it has a formula, inline-string text."""

    type: str
    v: str | None = None
    formula: str | None = None
    inline: list[str] | None = None


class _NoCache:
    """A formula cell whose file holds no computed result."""


_NO_CACHE = _NoCache()


def read_xlsx(path: str | Path, registry: Registry, *, expect: Form | None = None) -> ReadResult:
    """Read a filled template: its form, typed report, cell locations and the findings met reading it.

    InputError when the file is unusable: IN-001 unreadable, IN-002 not an xlsx or not a unionforms
    template, IN-003 unknown form, IN-004 another form or definition version than ``expect`` (or than
    the one registered), IN-005 too large or hostile. Values that cannot be typed, formulas without a
    computed result and a header date that is not a date are findings. Rules are not checked here.
    """
    file = str(path)
    with SafeZip(path) as zf:
        book = _read_book(zf, file)
        id_part = _sheet_part(book, ID_SHEET, file, required=False)
        if id_part is None:
            raise InputError(
                "IN-002",
                f"not a unionforms template: the workbook has no {ID_SHEET!r} sheet",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
            )
        names = _cell_names(book)
        wanted: dict[str, set[str]] = {}
        for name in names.values():
            if name.cell is not None and name.sheet in book.sheets:
                wanted.setdefault(name.sheet, set()).add(name.cell)
        id_refs = {f"{col}{row}" for row in range(1, _ID_ROWS + 1) for col in "AB"}
        id_cells = _read_cells(zf, id_part, id_refs)
        sheet_cells: dict[str, dict[str, _Cell]] = {}
        for sheet, refs in wanted.items():
            part = _sheet_part(book, sheet, file, required=True)
            assert part is not None
            sheet_cells[sheet] = _read_cells(zf, part, refs)
        needed = {
            int(c.v)
            for cells in (id_cells, *sheet_cells.values())
            for c in cells.values()
            if c.type == "s" and c.v is not None and c.v.strip().isascii() and c.v.strip().isdigit()
        }
        strings = _read_strings(zf, book.strings_part, needed)

    form, main_sheet = _identify(id_cells, strings, registry, expect, file)
    return _build(form, main_sheet, book, names, sheet_cells, strings, file)


# --- the workbook part ---------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _read_book(zf: SafeZip, file: str) -> _Book:
    workbook = zf.resolve("xl/workbook.xml") or _office_document(zf)
    if workbook is None:
        if zf.resolve("xl/workbook.bin"):
            raise InputError(
                "IN-002",
                "this is an Excel binary workbook (.xlsb), not an .xlsx workbook",
                hint="save it as an .xlsx workbook (请另存为 .xlsx 格式)",
                file=file,
            )
        raise InputError(
            "IN-002",
            "a zip file but not an Excel workbook (it has no xl/workbook.xml)",
            hint="send the filled .xlsx template (请提交填写好的 .xlsx 文件)",
            file=file,
        )
    root = zf.element(workbook)
    rels = _relationships(zf, workbook)
    base = posixpath.dirname(workbook)
    sheets: dict[str, str] = {}
    order: list[str] = []
    raw_names: list[tuple[str, str, str | None]] = []
    date1904 = False
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            name = el.get("name")
            if name is None:
                continue
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = rels.get(rid or "")
            part = zf.resolve(_join(base, target)) if target else None
            sheets.setdefault(name, part or "")
            order.append(name)
        elif tag == "workbookPr":
            date1904 = el.get("date1904", "").strip().lower() in ("1", "true")
        elif tag == "definedName":
            name = el.get("name")
            if name:
                raw_names.append((name, el.text or "", el.get("localSheetId")))
    names: dict[str, tuple[str, str | None]] = {}
    for name, text, local_id in raw_names:  # a workbook-scope name wins over sheet-local ones
        key = name.upper()
        if not (key.startswith(FIELD_PREFIX) or key.startswith("H_")):
            continue
        local_sheet: str | None = None
        if local_id is not None:
            try:
                local_sheet = order[int(local_id)]
            except (ValueError, IndexError):
                continue
        if key not in names or (names[key][1] is not None and local_sheet is None):
            names[key] = (text, local_sheet)
    strings = next((t for typ, t in rels.types.items() if typ.endswith("/sharedStrings")), None)
    strings_part = zf.resolve(_join(base, strings)) if strings else zf.resolve("xl/sharedStrings.xml")
    return _Book(sheets, order, names, date1904, strings_part)


@attrs.define
class _Rels:
    targets: dict[str, str]
    types: dict[str, str]

    def get(self, rid: str) -> str | None:
        return self.targets.get(rid)


def _relationships(zf: SafeZip, part: str) -> _Rels:
    rels = _Rels({}, {})
    name = zf.resolve(posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"))
    if name is None:
        return rels
    for el in zf.element(name).iter():
        if _local(el.tag) == "Relationship" and el.get("TargetMode", "Internal") == "Internal":
            rid, target, typ = el.get("Id"), el.get("Target"), el.get("Type", "")
            if rid and target:
                rels.targets[rid] = target
                rels.types.setdefault(typ, target)
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


def _sheet_part(book: _Book, sheet: str, file: str, *, required: bool) -> str | None:
    part = book.sheets.get(sheet)
    if part is None:
        folded = sheet.casefold()  # sheet names are case-insensitive in Excel
        part = next((p for n, p in book.sheets.items() if n.casefold() == folded), None)
    if part is None:
        if required:
            raise InputError("IN-002", f"the workbook has no sheet {sheet!r}", file=file)
        return None
    if not part:
        raise InputError(
            "IN-002", f"sheet {sheet!r} has no worksheet part: the workbook is damaged", file=file
        )
    return part


def _cell_names(book: _Book) -> dict[str, _Name]:
    """F_… and H_… names resolved to (sheet, cell), by upper-cased name."""
    out: dict[str, _Name] = {}
    for key, (text, local_sheet) in book.names.items():
        text = text.strip()
        if "#REF!" in text.upper():
            # The cell was deleted (e.g. its row removed): the field reads as blank.
            out[key] = _Name(local_sheet or "", None)
            continue
        m = _REF_RE.match(text)
        if m is None or (
            m["col2"] is not None and (m["col2"].upper(), int(m["row2"])) != (m["col"].upper(), int(m["row"]))
        ):
            out[key] = _Name("", None, f"defined name {key} is {text!r}, not one cell of a sheet")
            continue
        sheet = m["quoted"].replace("''", "'") if m["quoted"] is not None else m["plain"]
        sheet = sheet or local_sheet
        if sheet is None:
            out[key] = _Name("", None, f"defined name {key} ({text!r}) names no sheet")
            continue
        if sheet not in book.sheets:
            folded = sheet.casefold()  # sheet names are case-insensitive in Excel
            sheet = next((n for n in book.sheets if n.casefold() == folded), sheet)
        out[key] = _Name(sheet, f"{m['col'].upper()}{int(m['row'])}")
    return out


# --- worksheets and shared strings ---------------------------------------------------------------


# Worksheet elements that follow sheetData (never inside it): meeting one means every cell has been seen.
_AFTER_SHEET_DATA = frozenset(
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


class _SheetTarget:
    """Keeps the wanted cells of a worksheet; stops after the last wanted row or at the end of sheetData.

    Only element starts are watched throughout; end and text events are switched on inside a wanted
    cell only, so the cells that are not wanted cost one Python call each.
    """

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        rows = [int(m.group(2)) for m in map(_CELL_RE.match, wanted) if m]
        self.max_row = max(rows, default=0)
        self.cells: dict[str, _Cell] = {}
        self.row = 0
        self.last_ref: str | None = None
        self.cur: _Cell | None = None
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
            name = self.names[tag] = _local(tag)
        if name == "c":
            ref = attrib.get("r")
            if ref is None:  # a position may be left implicit: the next column of the row
                ref = _next_ref(self.last_ref, self.row)
            self.last_ref = ref
            if ref in self.wanted:
                self.cur = self.cells[ref] = _Cell(attrib.get("t", "n"))
                self.phonetic = 0
                self.parser.EndElementHandler = self.end
        elif name == "row":
            r = attrib.get("r")
            self.row = int(r) if r is not None else self.row + 1
            self.last_ref = None
            if self.row > self.max_row:
                raise StopParsing
        elif self.cur is not None:
            if name in ("v", "f") or (name == "t" and not self.phonetic):
                self.buf = []
                self.capturing = name
                self.parser.CharacterDataHandler = self.buf.append
            elif name == "rPh":
                self.phonetic += 1
        elif name in _AFTER_SHEET_DATA:
            raise StopParsing

    def end(self, tag: str) -> None:
        name = self.names.get(tag) or _local(tag)
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
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
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


def _read_cells(zf: SafeZip, part: str, wanted: set[str]) -> dict[str, _Cell]:
    target = _SheetTarget(wanted)
    if wanted:
        zf.parse(part, target)
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
            name = self.names[tag] = _local(tag)
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
        name = self.names.get(tag) or _local(tag)
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


def _read_strings(zf: SafeZip, part: str | None, needed: set[int]) -> dict[int, str]:
    if not needed or part is None:
        return {}
    target = _StringsTarget(needed)
    zf.parse(part, target)
    return target.strings


def _unescape(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes of characters XML cannot hold."""
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- cell values ---------------------------------------------------------------------------------


def _value(cell: _Cell, strings: Mapping[int, str], file: str, where: str) -> object:
    """The cell's raw value: Decimal, str, bool, None (blank) or _NO_CACHE (formula, no result)."""
    typ, v = cell.type, cell.v
    if typ == "inlineStr":
        if cell.inline is not None:
            return _unescape("".join(cell.inline))
        typ = "str"
    if cell.formula is not None and (v is None or (v == "" and typ != "str")):
        return _NO_CACHE
    if v is None:
        return None
    if typ == "s":
        try:
            return strings[int(v)]
        except (ValueError, KeyError):
            raise InputError(
                "IN-002",
                f"cell {where} refers to shared string {v!r}, which the workbook does not have: "
                "it is damaged",
                file=file,
            ) from None
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


# --- identification ------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _number_text(number: Decimal) -> str:
    if number == number.to_integral_value():
        number = number.to_integral_value()
    return format(number, "f")


def _identify(
    cells: Mapping[str, _Cell], strings: Mapping[int, str], registry: Registry, expect: Form | None, file: str
) -> tuple[Form, str | None]:
    entries: dict[str, str] = {}
    for row in range(1, _ID_ROWS + 1):
        key_cell, value_cell = cells.get(f"A{row}"), cells.get(f"B{row}")
        if key_cell is None:
            continue
        key = _text(_value(key_cell, strings, file, f"{ID_SHEET}!A{row}"))
        value = _text(_value(value_cell, strings, file, f"{ID_SHEET}!B{row}")) if value_cell else None
        if key:
            entries.setdefault(key.lower(), value or "")
    contract = entries.get("unionforms")
    form_id = entries.get("form")
    if contract is None or not form_id:
        raise InputError(
            "IN-002",
            f"not a unionforms template: the {ID_SHEET!r} sheet does not name the form",
            hint=_NOT_TEMPLATE_HINT,
            file=file,
        )
    if contract != CONTRACT_VERSION:
        raise InputError(
            "IN-002",
            f"the workbook follows template contract {contract!r}; "
            f"this unionforms reads {CONTRACT_VERSION!r}",
            hint="upgrade unionforms, or fill in a template generated by this version",
            file=file,
            form=form_id,
        )
    version = entries.get("version", "")
    if expect is not None and (form_id, version) != (expect.id, expect.version):
        raise InputError(
            "IN-004",
            f"this file is form {form_id} (definition version {version or '?'}), "
            f"but {expect.id} (version {expect.version}) was expected",
            hint=f"fill in a template generated by `unionforms blank {expect.id}` "
            f"(请使用 {expect.id} 的模板填报)",
            file=file,
            form=form_id,
        )
    try:
        form = registry.get(form_id)
    except InputError as exc:
        raise InputError("IN-003", exc.message, hint=exc.hint, file=file, form=form_id) from None
    if version != form.version:
        raise InputError(
            "IN-004",
            f"this file is definition version {version or '?'} of form {form_id}, "
            f"but the installed definition is version {form.version}",
            hint=f"fill in a new template from `unionforms blank {form_id}`, or install the plugin version "
            "the template was made with",
            file=file,
            form=form_id,
        )
    return form, entries.get("sheet") or None


# --- the report ----------------------------------------------------------------------------------


def _build(
    form: Form,
    declared_sheet: str | None,
    book: _Book,
    names: Mapping[str, _Name],
    sheet_cells: Mapping[str, Mapping[str, _Cell]],
    strings: Mapping[int, str],
    file: str,
) -> ReadResult:
    located = {code: names.get(field_name(code).upper()) for code in form.fields}
    counts = Counter(n.sheet for n in located.values() if n is not None and n.cell is not None)
    if counts:
        main = counts.most_common(1)[0][0]
        if declared_sheet is not None and counts.get(declared_sheet) == counts[main]:
            main = declared_sheet
    else:
        main = declared_sheet or ""
    header = {attr: names.get(name.upper()) for attr, name in HEADER_NAMES.items()}
    used = [(field_name(code), n) for code, n in located.items()]
    used += [(HEADER_NAMES[attr], n) for attr, n in header.items()]
    for key, name in used:
        if name is None:
            continue
        if name.problem is not None:
            raise InputError(
                "IN-002",
                f"{name.problem}: the template is damaged",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
                form=form.id,
            )
        if name.cell is not None and name.sheet not in book.sheets:
            raise InputError(
                "IN-002",
                f"defined name {key} points at sheet {name.sheet!r}, which the workbook does not have",
                hint=_NOT_TEMPLATE_HINT,
                file=file,
                form=form.id,
            )

    def where(name: _Name) -> str:
        assert name.cell is not None
        return name.cell if name.sheet == main else f"{name.sheet}!{name.cell}"

    cells: dict[str, str] = {}
    raw: dict[str, object] = {}
    formula_findings: dict[str, Finding] = {}
    for code, name in located.items():
        if name is None or name.cell is None:
            continue
        ref = where(name)
        cells[code] = ref
        cell = sheet_cells.get(name.sheet, {}).get(name.cell)
        if cell is None:
            continue
        value = _value(cell, strings, file, ref)
        if value is _NO_CACHE:
            field = form.fields[code]
            formula_findings[code] = Finding(
                "VAL-007",
                Severity.ERROR,
                f"{code}（{ref}） {field.label}：该单元格是公式，但文件中没有公式的计算结果。"
                "请用 Excel、WPS 或 LibreOffice 打开并保存一次，或直接填写数字。",
                fields=(code,),
                values=(f"={cell.formula}",),
                file=file,
                sheet=main or None,
                cells=(ref,),
            )
        elif value is not None:
            raw[code] = value
    source = Source(file=file, sheet=main or None, cells=cells)
    meta, meta_findings = _meta(header, sheet_cells, strings, book.date1904, file, main, where)
    report = Report(form.id, meta, raw)
    typed, problems = typed_values(form, report, source)
    order = {code: i for i, code in enumerate(form.fields)}
    field_findings = sorted(
        [*formula_findings.values(), *problems], key=lambda f: order.get(f.fields[0], 0) if f.fields else 0
    )
    return ReadResult(form, Report(form.id, meta, typed), source, tuple(meta_findings + field_findings))


def _meta(
    header: Mapping[str, _Name | None],
    sheet_cells: Mapping[str, Mapping[str, _Cell]],
    strings: Mapping[int, str],
    date1904: bool,
    file: str,
    main: str,
    where: Callable[[_Name], str],
) -> tuple[Meta, list[Finding]]:
    kept: dict[str, object] = {}
    findings: list[Finding] = []
    for attr, name in header.items():
        if name is None or name.cell is None:
            continue
        cell = sheet_cells.get(name.sheet, {}).get(name.cell)
        if cell is None:
            continue
        ref = where(name)
        label = _HEADER_LABELS[attr]
        value = _value(cell, strings, file, ref)
        if value is None:
            continue
        code, message = "", ""
        if value is _NO_CACHE:
            code = "VAL-007"
            message = (
                f"{label}（{ref}）：该单元格是公式，但文件中没有公式的计算结果。"
                "请用 Excel、WPS 或 LibreOffice 打开并保存一次，或直接填写。"
            )
            value = f"={cell.formula}"
        elif attr == "date":
            date = _date(value, date1904)
            if date is None:
                shown = f"“{value}”" if isinstance(value, str) else str(value)
                code = "META-001"
                message = f"{label}（{ref}）{shown} 不是日期。请填写日期，如 2017-01-15 或 2017年1月15日。"
            else:
                kept[attr] = date
        else:
            text = _text(value)
            if text is None:
                code = "META-002"
                message = f"{label}（{ref}）应填写文字，单元格中是 {value}。请改为文字。"
            elif text:
                kept[attr] = text
        if code:
            findings.append(
                Finding(
                    code,
                    Severity.ERROR,
                    message,
                    values=(value,),
                    file=file,
                    sheet=main or None,
                    cells=(ref,),
                )
            )
    return Meta(**kept), findings  # type: ignore[arg-type]


def _date(value: object, date1904: bool) -> datetime.date | None:
    """A header date: an Excel serial number, or text such as 2017-01-15, 2017/1/15, 2017年1月15日."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and 19000101 <= value <= 99991231:
            return _compact_date(str(int(value)))
        return _serial_date(value, date1904)
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).replace(" ", "").strip()
    m = _DATE_RE.match(text)
    if m:
        try:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return _compact_date(text)


def _compact_date(text: str) -> datetime.date | None:
    m = _COMPACT_DATE_RE.match(text)
    if m is None:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _serial_date(serial: Decimal, date1904: bool) -> datetime.date | None:
    if serial < 0 or serial > 2958465:  # 9999-12-31
        return None
    days = int(serial)  # the fraction is the time of day
    try:
        if date1904:
            return datetime.date(1904, 1, 1) + datetime.timedelta(days=days)
        if days == 0 or days == 60:  # 1900-01-00 and Lotus's 1900-02-29 are no dates
            return None
        base = datetime.date(1899, 12, 31) if days < 60 else datetime.date(1899, 12, 30)
        return base + datetime.timedelta(days=days)
    except OverflowError:
        return None
