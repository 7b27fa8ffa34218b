"""Workbooks built by hand, as the template writer (or another program) would write them, for reader tests."""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from unionforms import Form

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER_CELLS = {"H_unit": "B2", "H_filled_by": "D2", "H_phone": "F2", "H_date": "H2"}


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert m
    return f"${m[1]}${m[2]}"


def build(
    form: Form,
    path: Path,
    values: Mapping[str, object] | None = None,
    meta: Mapping[str, object] | None = None,
    *,
    omit: tuple[str, ...] = (),
) -> dict[str, str]:
    """A filled template of ``form`` following the workbook contract; the cell of each field.

    Fields are laid out one printed row per sheet row, from row 4: line number in A, printed text in B,
    the row's blanks in D, E, F …. ``omit`` leaves out the defined names of those codes.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = form.title
    sheet = _quoted(form.title)
    ws["A1"] = form.title
    for col, text in zip("ACEG", ("填报单位", "填报人", "联系电话", "日期"), strict=True):
        ws[f"{col}2"] = text
    for name, ref in HEADER_CELLS.items():
        value = (meta or {}).get(name)
        if value is not None:
            ws[ref] = value
            if isinstance(value, str):
                ws[ref].data_type = "s"  # header text is text, even "=…"
            if isinstance(value, datetime.date):
                ws[ref].number_format = "yyyy-mm-dd"
        wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!{_absolute(ref)}")
    cells: dict[str, str] = {}
    row = 4
    for line in form.lines:
        for printed in line.rows:
            ws.cell(row, 1, form.line_label(line.number))
            ws.cell(row, 2, printed.printed)
            for i, field in enumerate(printed.fields):
                cell = ws.cell(row, 4 + i)
                cells[field.code] = cell.coordinate
                if values is not None and field.code in values:
                    cell.value = values[field.code]
                if field.code not in omit:
                    name = "F_" + field.code.replace(".", "_")
                    wb.defined_names[name] = DefinedName(
                        name, attr_text=f"{sheet}!{_absolute(cell.coordinate)}"
                    )
            row += 1
    ident = wb.create_sheet("_unionforms")
    for i, (key, value) in enumerate(
        (("unionforms", "1"), ("form", form.id), ("version", form.version), ("sheet", form.title)), 1
    ):
        ident.cell(i, 1, key)
        ident.cell(i, 2, value)
    ident["D1"], ident["D2"] = "是", "否"
    ident.sheet_state = "hidden"
    wb.defined_names["UF_YESNO"] = DefinedName("UF_YESNO", attr_text="'_unionforms'!$D$1:$D$2")
    wb.defined_names["CHK_1"] = DefinedName("CHK_1", attr_text=f"{sheet}!$Z$1")
    wb.save(path)
    return cells


def rewrite(path: Path, member: str, change: Callable[[str], str]) -> None:
    """Replace one member's text in a zip, keeping the others."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    parts[member] = change(parts[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def raw_book(
    path: Path,
    rows: str,
    *,
    names: Sequence[tuple[str, str, int | None]],
    strings: list[str] | None = None,
    sheet: str = "表",
    ident: tuple[str, str, str] = ("1", "songwennuan-2017", "3"),
    date1904: bool = False,
    absolute_targets: bool = False,
    ns: str = MAIN_NS,
) -> None:
    """A workbook written by hand, as Excel, WPS or LibreOffice might save it.

    ``rows`` is the main sheet's sheetData content; ``names`` are (name, text, localSheetId);
    ``strings`` the <si> contents of sharedStrings.xml (the identification sheet uses them too).
    """
    strings = list(strings or [])

    def shared(text: str) -> str:
        strings.append(f"<t>{text}</t>")
        return f'<c r="{{ref}}" t="s"><v>{len(strings) - 1}</v></c>'

    keys = ("unionforms", "form", "version")
    id_rows = "".join(
        f'<row r="{i}">'
        + shared(key).replace("{ref}", f"A{i}")
        + (
            f'<c r="B{i}"><v>{value}</v></c>'  # a number, as typed into a cell
            if value.isdigit()
            else shared(value).replace("{ref}", f"B{i}")
        )
        + "</row>"
        for i, (key, value) in enumerate(zip(keys, ident, strict=True), 1)
    )
    prefix = "/xl/" if absolute_targets else ""
    defined = "".join(
        f'<definedName name="{n}"'
        + (f' localSheetId="{local}"' if local is not None else "")
        + f">{text}</definedName>"
        for n, text, local in names
    )
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{REL_NS}">'
            f'<workbookPr date1904="{"1" if date1904 else "0"}"/>'
            f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
            f'<sheet name="_unionforms" sheetId="2" state="hidden" r:id="rId2"/></sheets>'
            f"<definedNames>{defined}</definedNames></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="{prefix}worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_NS}/worksheet" Target="{prefix}worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/sharedStrings" Target="{prefix}sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>',
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{ns}"><sheetData>{id_rows}</sheetData></worksheet>',
    }
    members["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{ns}">' + "".join(f"<si>{s}</si>" for s in strings) + "</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)


# --- values ----------------------------------------------------------------------------------------
