"""A workbook's findings patched into its XML: cells marked, and a first sheet 审核结果 written as a letter.

Loading and saving a workbook with openpyxl takes ~80 ms and rewrites every part. Marking a return only
needs a few parts changed, so they are patched where they stand, as :mod:`.fill` patches values in:

- ``xl/styles.xml``: two fills (red ``FFFFC7CE`` for an error, yellow ``FFFFEB9C`` for a warning), the
  letter's fonts (named CJK fonts, so no glyph falls back to a Latin font) and border, and cell formats:
  each marked cell's own format copied with the mark's fill, and the letter's;
- the marked cells' start tags in their sheets: only their ``s`` attribute changes, never a value or a
  formula, so reading the copy gives the same report and the same findings;
- the 审核结果 sheet, a part of its own (replaced when the workbook already has one), listed first,
  active and selected, with ``workbook.xml``, its relationships and ``[Content_Types].xml`` to match; the
  sheet-scoped defined names (``localSheetId``) follow the sheets they belong to.

Every other member is copied as it is. The letter prints on A4 portrait, fitted to the page width, the
message of each finding first and where it is underneath, wrapped, with the page number in the footer.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import attrs

from unionforms.excel.contract import ANNOTATION_SHEET
from unionforms.excel.layout import row_height
from unionforms.excel.safety import SafeZip

#: The marks' fills: red for an error, yellow for a warning (the live checks' colours).
MARK_COLOURS = {True: "FFFFC7CE", False: "FFFFEB9C"}
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: The letter's columns (characters): 序号, 严重程度, then the message and where it is.
LETTER_WIDTHS = (5.0, 7.0, 68.0)
_TEXT_SIZE, _WHERE_SIZE, _TITLE_SIZE = 11.0, 9.0, 14.0
# The letter's fonts: title, text, bold text, where (grey). 宋体/黑体 as the form's own cells use.
_FONTS = tuple(
    f'<font>{"<b/>" if bold else ""}<sz val="{size:g}"/><color rgb="{colour}"/><name val="{name}"/>'
    '<charset val="134"/></font>'
    for bold, size, colour, name in (
        (True, _TITLE_SIZE, "FF000000", "黑体"),
        (False, _TEXT_SIZE, "FF000000", "宋体"),
        (True, _TEXT_SIZE, "FF000000", "宋体"),
        (False, _WHERE_SIZE, "FF404040", "宋体"),
    )
)
_RULE = (
    '<border><left/><right/><top/><bottom style="thin"><color rgb="FF808080"/></bottom><diagonal/></border>'
)
_WRAP = '<alignment wrapText="1" vertical="top"/>'
_CENTRE = '<alignment horizontal="center" vertical="top" wrapText="1"/>'


@attrs.frozen
class ListedFinding:
    """One finding in the letter: its severity, the message, and where it is."""

    error: bool
    message: str = attrs.field(validator=attrs.validators.min_len(1))
    where: str


@attrs.frozen
class Letter:
    """The 审核结果 sheet: a title, a summary line, what the marks mean, then one entry per finding."""

    title: str
    summary: str
    legend: str
    entries: tuple[ListedFinding, ...]


def annotated_bytes(
    source: str | Path | bytes, letter: Letter, marks: Mapping[tuple[str, str], bool]
) -> bytes:
    """The workbook ``source`` (a path, read within the reader's bounds, or our own bytes) with ``letter``
    as its first sheet and each ``(sheet, cell)`` of ``marks`` filled red (True: an error) or yellow."""
    parts = _members(source)
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    sheets = _sheet_parts(workbook, rels)
    unmark = _earlier_marks(parts["xl/styles.xml"].decode("utf-8"))
    if unmark:  # a copy annotated before: its old marks go, only the current findings are marked
        for name, sheet_part in sheets.items():
            if name != ANNOTATION_SHEET and sheet_part in parts:
                parts[sheet_part] = _unmarked(parts[sheet_part], unmark)
    found: dict[str, dict[str, tuple[re.Match[bytes], bool]]] = {}  # sheet part -> cell -> (tag, error)
    by_part: dict[str, dict[str, bool]] = {}
    for (sheet, cell), error in marks.items():
        part = sheets.get(sheet)
        if part is not None and part in parts:
            by_part.setdefault(part, {})[cell] = error
    for part, cells in by_part.items():
        found[part] = {cell: (tag, cells[cell]) for cell, tag in _cell_tags(parts[part], cells).items()}
    bases = {(_style(tag), error) for tags in found.values() for tag, error in tags.values()}
    styles, ids = _styles(parts["xl/styles.xml"].decode("utf-8"), bases)
    parts["xl/styles.xml"] = styles.encode("utf-8")
    for part, tags in found.items():
        parts[part] = _restyled(parts[part], tags.values(), ids.marks)
    for name, part in sheets.items():  # the letter is the one selected sheet
        if name != ANNOTATION_SHEET and part in parts:
            parts[part] = re.sub(rb'\s+tabSelected="(?:1|true)"', b"", parts[part])
    xml = _letter_xml(letter, ids).encode("utf-8")
    if ANNOTATION_SHEET in sheets and sheets[ANNOTATION_SHEET] in parts:
        parts[sheets[ANNOTATION_SHEET]] = xml
        index = list(sheets).index(ANNOTATION_SHEET)
    else:
        part = next(
            f"xl/worksheets/sheet{n}.xml"
            for n in range(1, 10_000)
            if f"xl/worksheets/sheet{n}.xml" not in parts
        )
        parts[part] = xml
        workbook, rels = _add_sheet(workbook, rels, part)
        parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        override = f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CONTENT}"/>'
        parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode("utf-8")
        index = 0
    parts["xl/workbook.xml"] = _activate(workbook, index).encode("utf-8")
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _members(source: str | Path | bytes) -> dict[str, bytes]:
    if isinstance(source, bytes):
        with zipfile.ZipFile(BytesIO(source)) as zf:
            return {name: zf.read(name) for name in zf.namelist()}
    with SafeZip(source) as z:
        return {name: z.read(name) for name in z.names()}


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'(?:^|\s){name}="([^"]*)"', tag)
    return html.unescape(m.group(1)) if m else None


def _sheet_parts(workbook: str, rels: str) -> dict[str, str]:
    """Sheet name -> its part, in the workbook's order of sheets."""
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        ident, target = _attr(m.group(0), "Id"), _attr(m.group(0), "Target")
        if ident and target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[ident] = path
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = m.group(0)
        name = _attr(tag, "name")
        rid = re.search(r'\s\w+:id="([^"]*)"', tag)
        if name is not None and rid and rid.group(1) in targets:
            out[name] = targets[rid.group(1)]
    return out


@attrs.frozen
class _Ids:
    """Cell format indexes: the marked copy of each (format, error?) and the letter's."""

    marks: dict[tuple[int, bool], int]
    title: int
    text: int
    bold: int
    where: int
    rule: int  # an empty cell over the rule under each entry


def _section(styles: str, tag: str, child: str, added: Sequence[str]) -> tuple[str, int]:
    """``styles`` with ``added`` appended to its ``<tag>`` list; the index of the first added."""
    m = re.search(rf"<{tag}\b[^>]*?(?:/>|>(.*?)</{tag}>)", styles, re.S)
    if m is None:
        if not added:
            return styles, 0
        raise ValueError(f"styles.xml has no <{tag}>")
    body = m.group(1) or ""
    first = len(re.findall(rf"<{child}[\s/>]", body))
    items = body + "".join(added)
    new = f'<{tag} count="{first + len(added)}">{items}</{tag}>'
    return styles[: m.start()] + new + styles[m.end() :], first


def _cell_formats(styles: str) -> list[str]:
    m = re.search(r"<cellXfs\b[^>]*?(?:/>|>(.*?)</cellXfs>)", styles, re.S)
    body = (m.group(1) or "") if m else ""
    return re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", body, re.S)


def _styles(styles: str, bases: set[tuple[int, bool]]) -> tuple[str, _Ids]:
    """The style sheet with the marks' fills, the letter's fonts and border and the cell formats: a
    marked copy of each (format, error?) in ``bases``, and the letter's."""
    styles, font = _section(styles, "fonts", "font", _FONTS)
    fills = [
        f'<fill><patternFill patternType="solid"><fgColor rgb="{MARK_COLOURS[e]}"/></patternFill></fill>'
        for e in (True, False)
    ]
    styles, fill = _section(styles, "fills", "fill", fills)
    styles, border = _section(styles, "borders", "border", [_RULE])
    formats = _cell_formats(styles)
    wanted: dict[tuple[int, bool], int] = {}
    added: list[str] = []
    for base, error in sorted(bases):
        xf = formats[base] if base < len(formats) else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        xf = re.sub(r'\s(?:fillId|applyFill)="[^"]*"', "", xf)
        xf = re.sub(r"^<xf\b", f'<xf fillId="{fill + (0 if error else 1)}" applyFill="1"', xf)
        wanted[(base, error)] = len(formats) + len(added)
        added.append(xf)

    def letter(font_id: int, alignment: str, border_id: int = 0) -> int:
        index = len(formats) + len(added)
        added.append(
            f'<xf numFmtId="0" fontId="{font_id}" fillId="0" borderId="{border_id}" applyFont="1"'
            f' applyBorder="1" applyAlignment="1">{alignment}</xf>'
        )
        return index

    ids = _Ids(
        wanted,
        title=letter(font, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
        text=letter(font + 1, _WRAP),
        bold=letter(font + 2, _CENTRE),
        where=letter(font + 3, _WRAP, border),
        rule=letter(font + 1, _WRAP, border),
    )
    styles, _ = _section(styles, "cellXfs", "xf", added)
    return styles, ids


def _earlier_marks(styles: str) -> dict[int, int]:
    """Cell formats that are marks of an earlier annotation -> the format they were copied from: the
    first format equal but for its fill, whose fill is no mark."""
    m = re.search(r"<fills\b[^>]*?(?:/>|>(.*?)</fills>)", styles, re.S)
    fills = re.findall(r"<fill\b.*?</fill>|<fill\b[^>]*/>", (m.group(1) or "") if m else "", re.S)
    marked = {i for i, f in enumerate(fills) if any(f'rgb="{c}"' in f for c in MARK_COLOURS.values())}
    if not marked:
        return {}

    def fill_of(xf: str) -> int:
        found = re.search(r'\sfillId="(\d+)"', xf)
        return int(found.group(1)) if found else 0

    def bare(xf: str) -> str:
        return re.sub(r'\s(?:fillId|applyFill)="[^"]*"', "", xf)

    formats = _cell_formats(styles)
    out: dict[int, int] = {}
    for i, xf in enumerate(formats):
        if fill_of(xf) in marked:
            key = bare(xf)
            base = next(
                (j for j in range(i) if fill_of(formats[j]) not in marked and bare(formats[j]) == key), None
            )
            if base is not None:
                out[i] = base
    return out


def _unmarked(xml: bytes, unmark: Mapping[int, int]) -> bytes:
    """The sheet XML with every cell of an earlier mark given back the format it was copied from."""

    def restore(m: re.Match[bytes]) -> bytes:
        s = int(m.group(2))
        return m.group(1) + str(unmark.get(s, s)).encode() + m.group(3)

    return re.sub(rb'(<c\b[^>]*?\ss=")(\d+)(")', restore, xml)


def _cell_tags(xml: bytes, cells: Iterable[str]) -> dict[str, re.Match[bytes]]:
    """The start tag (without its ``>`` or ``/>``) of each of ``cells`` the sheet XML writes, in one pass."""
    refs = b"|".join(re.escape(cell.encode()) for cell in cells)
    out: dict[str, re.Match[bytes]] = {}
    for m in re.finditer(rb'<c\b[^>]*?\sr="(' + refs + rb')"[^>]*?(?=/?>)', xml):
        out.setdefault(m.group(1).decode(), m)
    return out


def _style(tag: re.Match[bytes]) -> int:
    """The format index of a cell's start tag (0 when it names none)."""
    s = re.search(rb'\ss="(\d+)"', tag.group(0))
    return int(s.group(1)) if s else 0


def _restyled(
    xml: bytes, tags: Iterable[tuple[re.Match[bytes], bool]], marks: Mapping[tuple[int, bool], int]
) -> bytes:
    """The sheet XML with each tagged cell given the marked copy of its own format (values untouched)."""
    out: list[bytes] = []
    at = 0
    for tag, error in sorted(tags, key=lambda pair: pair[0].start()):
        new = marks[(_style(tag), error)]
        out.append(xml[at : tag.start()])
        out.append(re.sub(rb'\ss="\d+"', b"", tag.group(0)) + f' s="{new}"'.encode())
        at = tag.end()
    out.append(xml[at:])
    return b"".join(out)


def _letter_xml(letter: Letter, ids: _Ids) -> str:
    """The 审核结果 sheet: inline strings, rows sized for their wrapped text, A4 fitted to the width."""
    rows: list[str] = []
    merges: list[str] = []
    wide = sum(LETTER_WIDTHS)

    def row(height: float, cells: Sequence[tuple[str, int, str | None]], merge: str | None = None) -> None:
        r = len(rows) + 1
        body = "".join(
            f'<c r="{col}{r}" s="{style}"'
            + (f' t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>' if text else "/>")
            for col, style, text in cells
        )
        rows.append(f'<row r="{r}" ht="{height:.1f}" customHeight="1">{body}</row>')
        if merge:
            merges.append(f"{merge}{r}".replace(":", f"{r}:", 1))

    row(30.0, [("A", ids.title, letter.title), ("B", ids.title, None), ("C", ids.title, None)], "A:C")
    for line in (letter.summary, letter.legend):
        height = row_height(line, wide, _TEXT_SIZE)
        row(height, [("A", ids.text, line), ("B", ids.text, None), ("C", ids.text, None)], "A:C")
    for i, entry in enumerate(letter.entries, start=1):
        severity = "错误" if entry.error else "警告"
        height = row_height(entry.message, LETTER_WIDTHS[2], _TEXT_SIZE)
        row(height, [("A", ids.bold, str(i)), ("B", ids.bold, severity), ("C", ids.text, entry.message)])
        height = row_height(entry.where, LETTER_WIDTHS[2], _WHERE_SIZE)
        row(height, [("A", ids.rule, None), ("B", ids.rule, None), ("C", ids.where, entry.where)])
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>'
        for n, w in enumerate(LETTER_WIDTHS, start=1)
    )
    merged = (
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{merged}"
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.8" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>'
        "<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
        "</worksheet>"
    )


def _add_sheet(workbook: str, rels: str, part: str) -> tuple[str, str]:
    """workbook.xml with the letter listed first (sheet-scoped names shifted to follow), and its rels."""
    used = set(re.findall(r'\sId="([^"]*)"', rels))
    rid = next(f"rIdUF{n}" for n in range(1, 10_000) if f"rIdUF{n}" not in used)
    target = part.removeprefix("xl/")
    rel = f'<Relationship Id="{rid}" Type="{_WORKSHEET_TYPE}" Target="{target}"/>'
    rels = rels.replace("</Relationships>", rel + "</Relationships>")
    ids = [int(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"', workbook)]
    sheets = re.search(r"<((?:\w+:)?)sheets\b[^>]*>", workbook)
    if sheets is None:
        raise ValueError("workbook.xml lists no sheet")
    tag = (  # the relationships prefix declared on the tag itself, as openpyxl does
        f'<{sheets.group(1)}sheet xmlns:r="{_REL_NS}" name={quoteattr(ANNOTATION_SHEET)}'
        f' sheetId="{max(ids, default=0) + 1}" r:id="{rid}"/>'
    )
    workbook = workbook[: sheets.end()] + tag + workbook[sheets.end() :]
    workbook = re.sub(r'(\slocalSheetId=")(\d+)"', lambda m: f'{m.group(1)}{int(m.group(2)) + 1}"', workbook)
    return workbook, rels


def _activate(workbook: str, index: int) -> str:
    """workbook.xml opening on the sheet at ``index``."""

    def view(m: re.Match[str]) -> str:
        tag = re.sub(r'\s(?:activeTab|firstSheet)="[^"]*"', "", m.group(0))
        return re.sub(r"\s*/?>$", lambda end: f' activeTab="{index}"' + end.group(0), tag, count=1)

    if re.search(r"<(?:\w+:)?workbookView\b", workbook):
        return re.sub(r"<(?:\w+:)?workbookView\b[^>]*>", view, workbook, count=1)
    return workbook
