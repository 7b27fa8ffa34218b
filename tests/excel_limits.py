"""Check a workbook against what Excel and WPS accept, without running them (a test helper).

Only LibreOffice runs here, so what Excel and WPS would do with a template is proven from the file itself:
Excel's documented limits (data-validation texts, formula length, nesting, arguments, string literals,
defined names, sheet names, header and footer) and the structure that both programs rely on (formulas
without a leading ``=``, differential fills with ``bgColor``, merged input areas unlocked throughout,
``fullCalcOnLoad``, a visible active sheet, only functions that need no ``_xlfn.`` prefix, no array
formulas). :func:`check_workbook` returns every violation, each naming its check, part and place; an empty
tuple means the file passes. Schema validation against ISO/IEC 29500 is done by the tests with lxml.

The file is opened with :class:`~unionforms.excel.safety.SafeZip`, so a hostile file is refused (IN-00x)
like in the reader.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import attrs
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import get_column_letter, range_boundaries

from unionforms.excel.contract import ID_SHEET
from unionforms.excel.safety import SafeZip

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: Excel's documented limits ("Excel specifications and limits"; data validation dialog limits).
DV_TITLE_MAX = 32
DV_PROMPT_MAX = 255
DV_ERROR_MAX = 225
DV_LIST_MAX = 255
FORMULA_MAX = 8192
NESTING_MAX = 64
ARGUMENTS_MAX = 255
STRING_LITERAL_MAX = 255
NAME_MAX = 255
SHEET_NAME_MAX = 31
HEADER_FOOTER_MAX = 255
CELL_TEXT_MAX = 32767

#: Functions of Excel 2007 that every Excel and WPS reads as they are. Anything else — in particular the
#: later ones Excel stores as ``_xlfn.NAME`` (IFS, CONCAT, XLOOKUP …) — is reported.
FUNCTIONS = frozenset(
    (
        "ABS",
        "AND",
        "AVERAGE",
        "AVERAGEA",
        "AVERAGEIF",
        "AVERAGEIFS",
        "CEILING",
        "CHOOSE",
        "CONCATENATE",
        "COUNT",
        "COUNTA",
        "COUNTBLANK",
        "COUNTIF",
        "COUNTIFS",
        "DATE",
        "DAY",
        "EXACT",
        "FALSE",
        "FIND",
        "FLOOR",
        "IF",
        "IFERROR",
        "INDEX",
        "INT",
        "ISBLANK",
        "ISERROR",
        "ISNUMBER",
        "ISTEXT",
        "LEFT",
        "LEN",
        "LOWER",
        "MATCH",
        "MAX",
        "MID",
        "MIN",
        "MOD",
        "MONTH",
        "NOT",
        "OR",
        "RIGHT",
        "ROUND",
        "ROUNDDOWN",
        "ROUNDUP",
        "SUBSTITUTE",
        "SUM",
        "SUMIF",
        "SUMIFS",
        "SUMPRODUCT",
        "TEXT",
        "TRIM",
        "TRUE",
        "TRUNC",
        "UPPER",
        "VALUE",
        "YEAR",
    )
)

_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\]*$")
_A1_RE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_RE = re.compile(r"^[RrCc]$|^[Rr][0-9]*[Cc][0-9]*$")
_BAD_SHEET_CHARS = set("[]:*?/\\")


@attrs.frozen
class Violation:
    """One way the file breaks a limit or a structural promise."""

    check: str
    part: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.part} {self.where}: [{self.check}] {self.message}"


def check_workbook(path: str | Path) -> tuple[Violation, ...]:
    """Every violation of Excel's limits and of the structure Excel and WPS rely on, in ``path``."""
    with SafeZip(path) as z:
        return tuple(_Checker(z).run())


def check_template(path: str | Path) -> tuple[Violation, ...]:
    """:func:`check_workbook` plus what a unionforms template promises besides (``specs/excel-template.md``):
    recalculation on load, the identity sheet very hidden and the workbook structure protected."""
    with SafeZip(path) as z:
        checker = _Checker(z)
        return (*checker.run(), *checker.template())


def check_formula(text: str) -> list[str]:
    """What is wrong with one formula as stored in the XML (no leading ``=``): an empty list when fine."""
    problems: list[str] = []
    if text.startswith("="):
        problems.append("starts with '=', which the OOXML formula grammar does not have")
    if len(text) > FORMULA_MAX:
        problems.append(f"is {len(text)} characters long (Excel allows {FORMULA_MAX})")
    try:
        tokens = Tokenizer("=" + text.removeprefix("=")).items
    except Exception as exc:  # openpyxl raises plain errors on unbalanced text
        return [*problems, f"cannot be parsed ({exc})"]
    stack: list[list[int]] = []  # per open parenthesis: [is a function, argument count]
    depth = 0
    for tok in tokens:
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = tok.value[:-1].upper()
            if name not in FUNCTIONS:
                problems.append(f"uses {name}, not a function every Excel and WPS reads without a prefix")
            stack.append([1, 1])
            depth += 1
            if depth > NESTING_MAX:
                problems.append(f"nests functions {depth} deep (Excel allows {NESTING_MAX})")
        elif tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            stack.append([0, 1])
        elif tok.type == Token.SEP and tok.subtype == Token.ARG and stack:
            stack[-1][1] += 1
        elif tok.subtype == Token.CLOSE and stack:
            is_func, args = stack.pop()
            if is_func:
                depth -= 1
                if args > ARGUMENTS_MAX:
                    problems.append(f"passes {args} arguments to a function (Excel allows {ARGUMENTS_MAX})")
        elif tok.type == Token.OPERAND and tok.subtype == Token.TEXT:
            literal = tok.value[1:-1].replace('""', '"')
            if len(literal) > STRING_LITERAL_MAX:
                problems.append(
                    f"has a string literal of {len(literal)} characters (Excel allows {STRING_LITERAL_MAX})"
                )
        elif tok.type == Token.OPERAND and tok.subtype == Token.RANGE and "_xlfn." in tok.value.lower():
            problems.append(f"uses {tok.value}, a function that needs a newer Excel")
    return problems


def defined_name_problem(name: str) -> str | None:
    """Why ``name`` is not a legal Excel defined name, or None."""
    if name.lower().startswith("_xlnm."):
        return None
    if not name or len(name) > NAME_MAX:
        return f"is {len(name)} characters long (1 to {NAME_MAX})"
    if not _NAME_RE.match(name):
        return "must start with a letter, _ or \\ and hold only letters, digits, _ . \\"
    if _A1_RE.match(name) or _R1C1_RE.match(name):
        return "looks like a cell reference"
    if name.upper() in ("TRUE", "FALSE"):
        return "is a logical value"
    return None


def sheet_name_problem(name: str) -> str | None:
    """Why ``name`` is not a legal Excel sheet name, or None."""
    if not name or len(name) > SHEET_NAME_MAX:
        return f"is {len(name)} characters long (1 to {SHEET_NAME_MAX})"
    if _BAD_SHEET_CHARS & set(name):
        return "holds one of [ ] : * ? / \\"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe"
    if name.lower() == "history":
        return "is History, which Excel reserves"
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el if _local(c.tag) == name)


def _iter(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el.iter() if _local(c.tag) == name)


def _attr(el: ET.Element, name: str) -> str | None:
    """An attribute by local name (expat gives namespaced ones as ``ns}local``)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Checker:
    def __init__(self, z: SafeZip) -> None:
        self.z = z
        self.workbook = self._part("xl/workbook.xml")
        self.sheets = self._sheets()
        styles = self.z.resolve("xl/styles.xml")
        self.styles = self.z.element(styles) if styles else None

    def _part(self, name: str) -> ET.Element:
        found = self.z.resolve(name)
        if found is None:
            return ET.Element("missing")
        return self.z.element(found)

    def _sheets(self) -> list[tuple[str, str | None, str]]:
        """(name, state, part) of every sheet, in workbook order."""
        rels_name = self.z.resolve("xl/_rels/workbook.xml.rels")
        targets: dict[str, str] = {}
        if rels_name:
            for rel in self.z.element(rels_name):
                target = rel.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                targets[rel.get("Id", "")] = full
        out = []
        for sheets in _children(self.workbook, "sheets"):
            for sheet in _children(sheets, "sheet"):
                part = targets.get(_attr(sheet, "id") or "", "")
                out.append((sheet.get("name", ""), sheet.get("state"), part))
        return out

    def run(self) -> Iterator[Violation]:
        yield from self._workbook()
        yield from self._dxfs()
        locked = self._locked_styles()
        for name, _, part in self.sheets:
            resolved = self.z.resolve(part)
            if resolved is None:
                continue
            yield from self._sheet(name, resolved, self.z.element(resolved), locked)

    def template(self) -> Iterator[Violation]:
        """What our writer promises on top; LibreOffice drops some of it when it saves (specs §11)."""
        yield from (v for v in self._dxfs(fg=True) if v.check == "dxf-fgcolor")
        part = "xl/workbook.xml"
        calc = next(_children(self.workbook, "calcPr"), None)
        if calc is None or calc.get("fullCalcOnLoad") not in ("1", "true"):
            yield Violation("full-calc-on-load", part, "calcPr", "fullCalcOnLoad is not set")
        states = {name: state for name, state, _ in self.sheets}
        if states.get(ID_SHEET) != "veryHidden":
            yield Violation(
                "identity-very-hidden", part, ID_SHEET, f"state is {states.get(ID_SHEET)!r}, not veryHidden"
            )
        protection = next(_children(self.workbook, "workbookProtection"), None)
        if protection is None or protection.get("lockStructure") not in ("1", "true"):
            yield Violation("structure-protected", part, "workbookProtection", "lockStructure is not set")

    def _workbook(self) -> Iterator[Violation]:
        part = "xl/workbook.xml"
        for name, _, _ in self.sheets:
            problem = sheet_name_problem(name)
            if problem:
                yield Violation("sheet-name", part, name, problem)
        for names in _children(self.workbook, "definedNames"):
            for dn in _children(names, "definedName"):
                name = dn.get("name", "")
                problem = defined_name_problem(name)
                if problem:
                    yield Violation("defined-name", part, name, problem)
                for problem in check_formula(dn.text or ""):
                    yield Violation("formula", part, f"name {name}", problem)
        visible = [i for i, (_, state, _) in enumerate(self.sheets) if state in (None, "visible")]
        view = next((v for views in _children(self.workbook, "bookViews") for v in views), None)
        active = int(view.get("activeTab", "0")) if view is not None else 0
        if active not in visible:
            yield Violation("active-sheet", part, "bookViews", f"active tab {active} is not visible")
        first = int(view.get("firstSheet", "0")) if view is not None else 0
        if visible and first not in visible:
            yield Violation("active-sheet", part, "bookViews", f"first tab {first} is not visible")

    def _dxfs(self, *, fg: bool = False) -> Iterator[Violation]:
        """Differential fills with bgColor (what Excel paints); with ``fg``, also fgColor (what we write)."""
        if self.styles is None:
            return
        for i, dxf in enumerate(d for dxfs in _children(self.styles, "dxfs") for d in _children(dxfs, "dxf")):
            for fill in _iter(dxf, "patternFill"):
                kinds = {_local(c.tag) for c in fill}
                if fill.get("patternType") == "none":
                    continue
                if "bgColor" not in kinds:
                    yield Violation(
                        "dxf-bgcolor",
                        "xl/styles.xml",
                        f"dxf {i}",
                        "no bgColor, which Excel paints",
                    )
                if fg and "fgColor" not in kinds:
                    yield Violation(
                        "dxf-fgcolor",
                        "xl/styles.xml",
                        f"dxf {i}",
                        "no fgColor, which WPS may paint",
                    )

    def _locked_styles(self) -> set[int]:
        """Indexes of cellXfs that lock their cell (the default)."""
        locked: set[int] = set()
        if self.styles is None:
            return {0}
        xfs = next(_children(self.styles, "cellXfs"), None)
        for i, xf in enumerate(_children(xfs, "xf") if xfs is not None else ()):
            prot = next(_children(xf, "protection"), None)
            if prot is None or prot.get("locked", "1") in ("1", "true"):
                locked.add(i)
        return locked

    def _sheet(self, sheet: str, part: str, root: ET.Element, locked: set[int]) -> Iterator[Violation]:
        styles: dict[str, int] = {}
        row_styles: dict[int, int] = {}
        for row in _iter(root, "row"):
            if row.get("customFormat") in ("1", "true") and row.get("s"):
                row_styles[int(row.get("r", "0"))] = int(row.get("s", "0"))
            for c in _children(row, "c"):
                ref = c.get("r", "")
                styles[ref] = int(c.get("s", "0"))
                for f in _children(c, "f"):
                    if f.get("t") == "array":
                        yield Violation("array-formula", part, f"{sheet}!{ref}", "is an array formula")
                    for problem in check_formula(f.text or ""):
                        yield Violation("formula", part, f"{sheet}!{ref}", problem)
                for t in _iter(c, "t"):
                    if len(t.text or "") > CELL_TEXT_MAX:
                        yield Violation("cell-text", part, f"{sheet}!{ref}", "holds over 32767 characters")
        col_styles: list[tuple[int, int, int]] = [
            (int(col.get("min", "0")), int(col.get("max", "0")), int(col.get("style", "0")))
            for col in _iter(root, "col")
        ]

        def style(col: int, row: int, ref: str) -> int:
            if ref in styles:
                return styles[ref]
            if row in row_styles:
                return row_styles[row]
            return next((s for lo, hi, s in col_styles if lo <= col <= hi), 0)

        for merge in _iter(root, "mergeCell"):
            area = merge.get("ref", "")
            min_col, min_row, max_col, max_row = range_boundaries(area)
            top = area.split(":")[0]
            if style(min_col, min_row, top) in locked:
                continue
            for r in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    ref = _ref(col, r)
                    if style(col, r, ref) in locked:
                        yield Violation(
                            "merged-input-unlocked",
                            part,
                            f"{sheet}!{ref}",
                            f"is locked, but the merged input area {area} starts unlocked",
                        )
        for dv in _iter(root, "dataValidation"):
            yield from self._validation(sheet, part, dv)
        for cf in _iter(root, "conditionalFormatting"):
            for formula in _iter(cf, "formula"):
                for problem in check_formula(formula.text or ""):
                    yield Violation("formula", part, f"{sheet}!{cf.get('sqref')} (CF)", problem)
        for hf in _iter(root, "headerFooter"):
            for item in hf:
                text = item.text or ""
                if len(text) > HEADER_FOOTER_MAX:
                    yield Violation(
                        "header-footer",
                        part,
                        f"{sheet} {_local(item.tag)}",
                        f"is {len(text)} characters long (Excel allows {HEADER_FOOTER_MAX})",
                    )

    def _validation(self, sheet: str, part: str, dv: ET.Element) -> Iterator[Violation]:
        where = f"{sheet}!{dv.get('sqref')} (data validation)"
        for attr, limit in (
            ("promptTitle", DV_TITLE_MAX),
            ("errorTitle", DV_TITLE_MAX),
            ("prompt", DV_PROMPT_MAX),
            ("error", DV_ERROR_MAX),
        ):
            text = dv.get(attr) or ""
            if len(text) > limit:
                yield Violation(
                    "dv-text", part, where, f"{attr} is {len(text)} characters long (Excel allows {limit})"
                )
        for tag in ("formula1", "formula2"):
            for formula in _children(dv, tag):
                text = formula.text or ""
                if dv.get("type") == "list" and text.startswith('"'):
                    if len(text) - 2 > DV_LIST_MAX:
                        yield Violation(
                            "dv-list",
                            part,
                            where,
                            f"the list is {len(text) - 2} characters (at most 255)",
                        )
                    if text.startswith("="):
                        yield Violation("formula", part, where, "starts with '='")
                    continue
                for problem in check_formula(text):
                    yield Violation("formula", part, where, problem)


def _ref(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"
