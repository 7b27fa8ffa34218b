"""The 报送进度 workbook (``status -o``): the 催报 list a statistician phones through, and every file.

Sheet 报送进度 has one row per unit (the 名录's order): its state (未报 / 冲突 / 有错误 / 有警告 / 通过),
逾期, its current file and date, what that file replaced, and whom to call (联系人, 联系电话). Sheet 文件
has one row per input with its standing in the round and why. Both print on A4 landscape, fitted to the
page width, their header repeated on every page, long text wrapped. Text from files and the 名录 is
written as text, never as a formula, with characters XML cannot hold shown as escapes (``\\x0b``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from unionforms.excel.textcells import text_row

UNIT_SHEET = "报送进度"
FILE_SHEET = "文件"
UNIT_HEADER = (
    "序号",
    "单位名称",
    "单位代码",
    "上级单位",
    "状态",
    "逾期",
    "填报日期",
    "当前文件",
    "更正（被替代的文件）",
    "联系人",
    "联系电话",
)
UNIT_WIDTHS = (5, 22, 9, 14, 7, 5, 11, 34, 30, 10, 15)
FILE_HEADER = ("序号", "文件", "填报单位", "本轮", "代码", "说明")
FILE_WIDTHS = (5, 40, 18, 9, 9, 70)
_SIZE = 10.0  # the body text, in points
#: Fill colours of the states on screen (not printed: the state is also written in words).
_FILLS = {
    "未报": "FFF4CCCC",
    "冲突": "FFFCE4B6",
    "有错误": "FFF8CBAD",
    "有警告": "FFFFF2CC",
    "通过": "FFD9EAD3",
}


def write_progress_book(
    path: str | Path,
    units: tuple[str, Sequence[Sequence[Any]]],
    files: tuple[str, Sequence[Sequence[Any]]],
    *,
    force: bool = False,
) -> Path:
    """Write the workbook atomically: ``units`` and ``files`` are each a title and rows in the order of
    :data:`UNIT_HEADER` and :data:`FILE_HEADER` (:func:`unionforms.collect.progress.book_rows` makes them).
    The caller checks the output beforehand (OUT-001 … OUT-004)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from unionforms.core.outputs import atomic_write
    from unionforms.excel.layout import row_height
    from unionforms.excel.paper import BODY_FONT

    wb = Workbook()
    ws = wb.active
    ws.title = UNIT_SHEET
    _sheet(ws, units[0], UNIT_HEADER, UNIT_WIDTHS, units[1])
    state_column = UNIT_HEADER.index("状态") + 1
    for i, row in enumerate(units[1]):
        state = row[state_column - 1]
        cell = ws.cell(row=i + 3, column=state_column)
        cell.fill = PatternFill("solid", fgColor=_FILLS.get(str(state), "FFFFFFFF"))
        cell.font = Font(name=BODY_FONT, size=_SIZE, bold=state in ("未报", "冲突", "有错误"))
    _sheet(wb.create_sheet(FILE_SHEET), files[0], FILE_HEADER, FILE_WIDTHS, files[1])
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet, widths in ((ws, UNIT_WIDTHS), (wb[FILE_SHEET], FILE_WIDTHS)):
        for line in sheet.iter_rows(min_row=3):
            tallest = 0.0
            for cell, width in zip(line, widths, strict=False):
                cell.alignment = wrap
                if not cell.font.b:  # the state's bold stays
                    cell.font = Font(name=BODY_FONT, size=_SIZE)
                if isinstance(cell.value, str):
                    tallest = max(tallest, row_height(cell.value, width, _SIZE))
            if tallest:  # LibreOffice does not size the rows of an xlsx it opens
                sheet.row_dimensions[line[0].row].height = tallest
    with atomic_write(path, kind="xlsx", force=force) as fh:
        wb.save(fh)
    return Path(path)


def _sheet(
    ws: Any, title: str, header: Sequence[str], widths: Sequence[int], rows: Sequence[Sequence[Any]]
) -> None:
    from openpyxl.styles import Border, Font, Side
    from openpyxl.utils import get_column_letter

    from unionforms.excel.paper import BODY_FONT, fit_to_width

    ws.append(text_row(ws, [title]))
    ws["A1"].font = Font(name=BODY_FONT, bold=True, size=12)
    ws.append(list(header))
    thin = Side(style="thin", color="FF000000")
    for cell in ws[2]:
        cell.font = Font(name=BODY_FONT, size=_SIZE, bold=True)
    for row in rows:
        ws.append(text_row(ws, row))  # text from files: never a formula, XML-safe
    last = get_column_letter(len(header))
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=len(header)):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{last}{ws.max_row}"
    fit_to_width(ws, landscape=True, header_rows="2:2")  # the lists' one page setup, and footer
