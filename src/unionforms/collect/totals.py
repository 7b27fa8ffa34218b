"""Totals as files: write a total (report JSON with ``provenance``, or a filled template with a 汇总来源
sheet), and read a total's provenance back when it is an input of the next level's aggregation.

The 汇总来源 sheet is for people and for the next level alike: a title line with the counts, a header
row, then one row per input (层级 1), each included total followed by its own inputs (层级 2, 3 …),
then the 是/否 tallies. Reading it back gives the nested provenance (tallies of the top level only;
the JSON keeps every level's). What prints of it is one short page below and beside the list (column
J, the sheet's print area): the counts, the 填报单位 counted, those left out by reason, and the tallies
(:func:`summary`), so that a total prints as the form and one page of where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import attrs

from unionforms.collect.aggregate import (
    Completeness,
    FlagTally,
    Included,
    Provenance,
    Rejected,
    Total,
    provenance_from_dict,
    total_to_dict,
)
from unionforms.collect.batch import Check, Input, Result, State, unusable
from unionforms.core.errors import InputError
from unionforms.core.inputs import MAX_JSON_BYTES, read_input
from unionforms.core.outputs import write_bytes
from unionforms.io import jsonsafe
from unionforms.io.text import decode

SHEET = "汇总来源"
HEADER = ("层级", "结果", "文件", "填报单位", "表式", "状态", "代码", "原因")
FLAG_HEADER = ("是/否栏目", "是", "否")
_INCLUDED, _REJECTED, _ROSTER = "计入", "未计入", "名录"
_COMPLETE_RE = re.compile(r"^应报 (\d+)，实报 (\d+)，缺报 (\d+)$")
# Widths (characters) of 汇总来源's columns, about 140 in all: fitted to A4 landscape at 75 % or more.
_WIDTHS = (5, 6, 34, 20, 17, 8, 9, 40)
_WRAPPED = frozenset("CDEH")  # file, 填报单位, form, reason
#: The column of the printed summary (the sheet's print area), beside the list; its width in characters.
SUMMARY_COLUMN = "J"
_SUMMARY_WIDTH = 90.0
#: Names joined into one paragraph of the summary at most: a long list goes on in the next row, so that
#: no row grows past what a spreadsheet allows (409 pt).
_NAMES_A_ROW = 150
_STATE = {s.chinese: s for s in State}


def write_json(total: Total, path: str | Path, *, force: bool = False) -> Path:
    """The total as report JSON with its provenance, written entry by entry (nothing held whole); an
    existing file (one that appeared while the total was made, too) is kept unless ``force`` (OUT-002)."""
    from unionforms.core.outputs import atomic_write
    from unionforms.core.textsafe import json_text
    from unionforms.io.jsonstream import chunks

    with atomic_write(path, kind="json", force=force) as fh:
        for chunk in chunks(total_to_dict(total, lazy=True)):
            fh.write(json_text(chunk).encode("utf-8"))  # a file name's undecodable bytes as \x80
        fh.write(b"\n")
    return Path(path)


def write_xlsx(total: Total, path: str | Path, *, registry: Any = None, force: bool = False) -> Path:
    """The total as its filled template, with the 汇总来源 sheet after it; kept unless ``force`` as
    :func:`write_json`.

    The form prints as any return does; 汇总来源 prints on A4 landscape fitted to the width, its header
    row repeated, file, 填报单位 and reason wrapped; the 是/否 block only when the form has 是/否 fields.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from unionforms.core.textsafe import xml_text
    from unionforms.excel.fill import filled_bytes
    from unionforms.excel.layout import row_height
    from unionforms.excel.paper import BODY_FONT, fit_to_width
    from unionforms.excel.textcells import text_row

    wb = openpyxl.load_workbook(BytesIO(filled_bytes(total.form, total.report, registry=registry)))
    ws = wb.create_sheet(SHEET)
    p = total.provenance
    complete = f"；名录{p.completeness.text}" if p.completeness is not None else ""
    title = (
        f"汇总来源：{total.report.meta.unit or ''}《{total.form.title}》；输入 {p.inputs} 份，"
        f"计入 {len(p.included)} 份，未计入 {len(p.rejected)} 份{complete}"
    )
    ws.append(text_row(ws, [title]))
    ws.append(list(HEADER))
    for row in _rows(p, 1):
        ws.append(text_row(ws, row))  # names and reasons from files: text, never a formula
    if p.flags:
        ws.append([])
        ws.append(list(FLAG_HEADER))
        for code, tally in p.flags.items():
            ws.append([code, tally.yes, tally.no])
    body, bold = Font(name=BODY_FONT, size=10), Font(name=BODY_FONT, size=10, bold=True)
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.font = bold if cell.row == 2 else body
            cell.alignment = wrap if cell.column_letter in _WRAPPED else top
    ws["A1"].font = Font(name=BODY_FONT, bold=True, size=12)
    for col, width in zip("ABCDEFGH", _WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    # The printed page: the summary in column J below the list (rows of their own, as tall as their
    # text; column A stays empty there, so reading the list back passes them by).
    ws.column_dimensions[SUMMARY_COLUMN].width = _SUMMARY_WIDTH
    lines = summary(total)
    first = ws.max_row + 2
    for i, text in enumerate(lines):
        size = 14 if i == 0 else 11
        cell = ws[f"{SUMMARY_COLUMN}{first + i}"]
        cell.value = xml_text(text)  # names from files: XML-safe, and text, never a formula
        cell.data_type = "s"
        cell.font = Font(name=BODY_FONT, size=size, bold=i == 0)
        cell.alignment = wrap
        ws.row_dimensions[first + i].height = row_height(text, _SUMMARY_WIDTH, size)
    ws.print_area = f"{SUMMARY_COLUMN}{first}:{SUMMARY_COLUMN}{first + len(lines) - 1}"
    fit_to_width(ws, landscape=False)
    buffer = BytesIO()
    wb.save(buffer)
    write_bytes(path, buffer.getvalue(), kind="xlsx", force=force)
    return Path(path)


def summary(total: Total) -> list[str]:
    """The printed page of where ``total`` comes from, one paragraph a row: the counts, the 填报单位
    counted, those left out grouped by code (each with its units or files), and the 是/否 tallies."""
    p = total.provenance
    lines = [
        f"汇总来源：{total.report.meta.unit or ''}《{total.form.title}》",
        f"输入 {p.inputs} 份：计入 {len(p.included)} 份，未计入 {len(p.rejected)} 份。"
        + ("全部计入。" if not p.rejected else ""),
    ]
    c = p.completeness
    if c is not None:  # how complete the total is against its 名录
        lines.extend(_named(f"名录{c.text}；缺报单位", list(c.missing)))
    names = [i.unit or Path(i.file).name for i in p.included]
    lines.extend(_named(f"计入的填报单位（{len(names)} 个）", names))
    by_code: dict[str, list[Rejected]] = {}
    for r in p.rejected:
        by_code.setdefault(r.code or "跳过", []).append(r)
    for code, items in by_code.items():
        why = items[0].reason
        named = [r.unit or Path(r.file).name for r in items]
        lines.extend(_named(f"未计入 {len(items)} 份（{code}，如：{why}）", named))
    if p.flags:
        tallies = "；".join(f"{code} 是 {t.yes} 份、否 {t.no} 份" for code, t in p.flags.items())
        lines.append(f"是/否栏目（计入的报表中）：{tallies}。")
    lines.append(f"每份输入的文件、状态和原因见本表 A–H 列（不打印）。共 {p.inputs} 行。")
    return lines


def _named(head: str, names: list[str]) -> list[str]:
    """``head``: the names joined, over as many paragraphs as needed."""
    chunks = [names[i : i + _NAMES_A_ROW] for i in range(0, len(names), _NAMES_A_ROW)] or [[]]
    return [
        (f"{head}：" if i == 0 else "（续）") + "、".join(chunk) + ("。" if chunk else "无。")
        for i, chunk in enumerate(chunks)
    ]


def _rows(p: Provenance, depth: int) -> Iterator[list[object]]:
    c = p.completeness
    if c is not None:  # first of its level: how complete the total above these rows is
        yield [depth, _ROSTER, c.roster, c.text, None, None, None, "缺报：" + "、".join(c.missing)]
    for i in p.included:
        yield [depth, _INCLUDED, i.file, i.unit, i.form, i.state.chinese, None, None]
        if i.provenance is not None:
            yield from _rows(i.provenance, depth + 1)
    for r in p.rejected:
        yield [depth, _REJECTED, r.file, r.unit, r.form, None, r.code, r.reason]


@attrs.define
class _Level:
    included: list[tuple[Included, _Level]] = attrs.Factory(list)
    rejected: list[Rejected] = attrs.Factory(list)
    has_rows: bool = False
    completeness: Completeness | None = None

    def build(self, flags: dict[str, FlagTally] | None = None) -> Provenance:
        included = tuple(
            attrs.evolve(item, provenance=child.build() if child.has_rows else None)
            for item, child in self.included
        )
        return Provenance(included, tuple(self.rejected), flags or {}, self.completeness)


def read_sheet_provenance(path: str | Path) -> Provenance | None:
    """The provenance in a total's 汇总来源 sheet; None without one; ValueError when malformed."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET not in wb.sheetnames:
            return None
        rows = wb[SHEET].iter_rows(min_row=3, values_only=True)
        top = _Level()
        stack = [top]
        flags: dict[str, FlagTally] = {}
        in_flags = False
        for row in rows:
            cells = list(row) + [None] * 8
            if in_flags:
                if cells[0] is not None:
                    flags[str(cells[0])] = FlagTally(int(cells[1] or 0), int(cells[2] or 0))
                continue
            if cells[0] is None:
                continue
            if cells[0] == FLAG_HEADER[0]:
                in_flags = True
                continue
            depth = int(cells[0])
            if not 1 <= depth <= len(stack):
                raise ValueError(f"{SHEET}: 层级 {depth} follows 层级 {len(stack) - 1}")
            del stack[depth:]
            level = stack[depth - 1]
            level.has_rows = True
            file, unit, form = str(cells[2]), _text(cells[3]), _text(cells[4])
            if cells[1] == _ROSTER:
                level.completeness = _completeness(cells)
            elif cells[1] == _INCLUDED:
                child = _Level()
                level.included.append(
                    (Included(file, unit, form or "", _STATE.get(str(cells[5]), State.OK)), child)
                )
                stack.append(child)
            else:
                level.rejected.append(Rejected(file, unit, form, _text(cells[6]), str(cells[7] or "")))
        return top.build(flags)
    finally:
        wb.close()


def _completeness(cells: list[object]) -> Completeness:
    found = _COMPLETE_RE.match(str(cells[3] or ""))
    if found is None:
        raise ValueError(f"{SHEET}: {cells[3]!r} is not 应报 N，实报 N，缺报 N")
    listed = str(cells[7] or "").removeprefix("缺报：")
    missing = tuple(listed.split("、")) if listed else ()
    if len(missing) != int(found[3]):
        raise ValueError(f"{SHEET}: 缺报 {found[3]} but {len(missing)} units named")
    return Completeness(int(found[1]), int(found[2]), missing, _text(cells[2]))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def read_provenance(path: str | Path) -> Provenance | None:
    """The provenance of the total in ``path`` (.json or .xlsx), or None when it is an ordinary return.

    IN-074 naming the file when the total's provenance cannot be read; the JSON is read within the
    same bound as the report itself (a regular file, at most ``MAX_JSON_BYTES``)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            raw = read_input(path, limit=MAX_JSON_BYTES)
            if b'"provenance"' not in raw:
                return None
            data = jsonsafe.loads(decode(raw, str(path)), file=str(path))  # the bounds of any JSON
            return (
                provenance_from_dict(data["provenance"])
                if isinstance(data, dict) and "provenance" in data
                else None
            )
        if not _has_sheet(path):
            return None
        return read_sheet_provenance(path)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError("IN-074", file=str(path), detail=f"{type(exc).__name__}: {exc}") from None


def _has_sheet(path: Path) -> bool:
    """Whether the workbook lists a 汇总来源 sheet, from workbook.xml alone (cheap for every return)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return SHEET.encode() in zf.read("xl/workbook.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


@attrs.frozen
class Collect(Check):
    """The aggregation task: check an input and read its provenance if it is a total (``keep_report``)."""

    def _check(self, path: str) -> Result:
        result = super()._check(path)
        try:
            provenance = read_provenance(path)
        except InputError as error:
            return attrs.evolve(
                unusable(path, error), form=result.form, unit=result.unit, findings=result.findings
            )
        return attrs.evolve(result, extra=provenance) if provenance is not None else result


def collect(paths: list[str], *, registry: Any = None, jobs: int = 1) -> Iterator[Result]:
    """Every input of an aggregation, checked, with its report and (for a total) its provenance."""
    from unionforms.collect.batch import expand, run_bulk

    inputs: list[Input] = expand(paths, registry)
    return run_bulk(Collect(registry, keep_report=True), inputs, jobs=jobs)
