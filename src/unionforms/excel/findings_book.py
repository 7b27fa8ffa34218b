"""The report workbook of a bulk check (``validate --report``): one row per input, one row per finding.

A statistician filters it, sorts it and sends it round. Sheet 报表汇总 lists every input with its
status, 填报单位, form and counts (unusable and skipped inputs too, with their reason); sheet 问题清单
lists every finding with its file, 填报单位, severity, code, rule, field codes, cells and message. Both
have a frozen header and an autofilter, and print on A4 landscape fitted to the width with the header
repeated on every page (:mod:`.paper`); long texts (file, 填报单位, message) wrap in their columns. Rows
are streamed to disk as results come (openpyxl's write-only mode), so a province's thousands of
returns need no more memory than a county's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from unionforms.core.findings import Finding
from unionforms.excel.textcells import text_cell


class _State(Protocol):
    @property
    def chinese(self) -> str: ...


class BookRow(Protocol):
    """What the book needs of one input's result (:class:`unionforms.collect.batch.Result` is one)."""

    @property
    def file(self) -> str: ...
    @property
    def state(self) -> _State: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def form(self) -> str | None: ...
    @property
    def code(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def findings(self) -> Sequence[Finding]: ...
    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def usable(self) -> bool: ...


INPUT_SHEET = "报表汇总"
FINDING_SHEET = "问题清单"
INPUT_HEADER = ("序号", "文件", "状态", "填报单位", "表式", "错误数", "警告数", "代码", "说明")
ROUND_SHEET = "本轮状态"
ROUND_HEADER = ("序号", "文件", "填报单位", "本轮", "代码", "说明")
FINDING_HEADER = ("序号", "文件", "填报单位", "严重程度", "代码", "规则", "栏目代码", "单元格", "说明")
# Widths (characters), about 160 and 175 in all: fitted to A4 landscape the text prints at 85 % or more,
# the message wide enough that a finding takes four or five lines.
_WIDTHS = {
    INPUT_SHEET: (5, 40, 7, 22, 17, 6, 6, 9, 50),
    FINDING_SHEET: (5, 24, 14, 6, 9, 11, 11, 9, 85),
    ROUND_SHEET: (5, 40, 20, 8, 9, 85),
}
_SIZE = 10.0
# The columns whose texts wrap (0-based): file, 填报单位 and the message or reason.
_WRAPPED = {
    INPUT_SHEET: frozenset({1, 3, 4, 8}),
    FINDING_SHEET: frozenset({1, 2, 5, 6, 7, 8}),
    ROUND_SHEET: frozenset({1, 2, 5}),
}


def _column(i: int) -> str:
    return "ABCDEFGHIJ"[i]


class FindingsBook:
    """Add results one by one, then :meth:`save`; a context manager so a failed run leaves no file."""

    def __init__(self, path: str | Path, *, force: bool = False) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        from unionforms.excel.paper import BODY_FONT, fit_to_width

        self.path = Path(path)
        self.force = force  # an existing file (one that appeared during the run too) kept unless force
        self._wb = Workbook(write_only=True)
        self._inputs = self._wb.create_sheet(INPUT_SHEET)
        self._findings = self._wb.create_sheet(FINDING_SHEET)
        self._cell = WriteOnlyCell
        self._font = Font(name=BODY_FONT, size=_SIZE)
        self._top = Alignment(vertical="top")
        self._wrap = Alignment(vertical="top", wrap_text=True)
        self._bold = Font(name=BODY_FONT, size=_SIZE, bold=True)
        self._fit = fit_to_width
        for ws, header in ((self._inputs, INPUT_HEADER), (self._findings, FINDING_HEADER)):
            self._head(ws, header)
        self.inputs = 0
        self.findings = 0

    def _head(self, ws: Any, header: Sequence[str]) -> None:
        """Column widths, the frozen header row, and the print setup (A4 landscape, fitted to width)."""
        for i, width in enumerate(_WIDTHS[ws.title]):
            ws.column_dimensions[_column(i)].width = width
        ws.freeze_panes = "A2"
        self._fit(ws, landscape=True, header_rows="1:1")
        cells = []
        for text in header:
            cell = self._cell(ws, value=text)
            cell.font = self._bold
            cell.alignment = self._wrap
            cells.append(cell)
        ws.append(cells)

    def _row(self, ws: Any, number: int, values: Sequence[object]) -> list[object]:
        """The cells of row ``number``: the body font, texts top-aligned, the long ones wrapped in a row
        as tall as they need (LibreOffice does not size the rows of an xlsx it opens)."""
        from unionforms.excel.layout import row_height

        wrapped, widths = _WRAPPED[ws.title], _WIDTHS[ws.title]
        cells = []
        height = 0.0
        for i, value in enumerate(values):
            # text from files: never a formula, characters XML cannot hold shown as escapes
            cell = text_cell(ws, value) if isinstance(value, str) else self._cell(ws, value=value)
            cell.font = self._font
            cell.alignment = self._wrap if i in wrapped else self._top
            cells.append(cell)
            if i in wrapped and value:
                height = max(height, row_height(str(value), widths[i], _SIZE))
        if height:
            ws.row_dimensions[number].height = height
        return cells

    def add(self, result: BookRow) -> None:
        """One row for the input, one row per finding."""
        self.inputs += 1
        note = result.reason or ""
        self._inputs.append(
            self._row(
                self._inputs,
                self.inputs + 1,
                [
                    self.inputs,
                    result.file,
                    result.state.chinese,
                    result.unit,
                    result.form,
                    result.errors if result.usable else None,
                    result.warnings if result.usable else None,
                    result.code,
                    note,
                ],
            )
        )
        for f in result.findings:
            self.findings += 1
            self._findings.append(
                self._row(
                    self._findings,
                    self.findings + 1,
                    [
                        self.findings,
                        result.file,
                        result.unit,
                        "错误" if f.is_error else "警告",
                        f.code,
                        f.rule,
                        " ".join(f.fields),
                        " ".join(f.cells),
                        f.message,
                    ],
                )
            )

    def add_round(self, rows: Sequence[Sequence[object]]) -> None:
        """The sheet 本轮状态: every input's standing in the round (序号, 文件, 填报单位, 本轮, 代码, 说明),
        written once the round is decided, printed as the other two."""
        ws = self._wb.create_sheet(ROUND_SHEET)
        self._head(ws, ROUND_HEADER)
        for n, row in enumerate(rows, 1):
            ws.append(self._row(ws, n + 1, [n, *row]))
        ws.auto_filter.ref = f"A1:{_column(len(ROUND_HEADER) - 1)}{len(rows) + 1}"

    def save(self) -> Path:
        """Write the workbook (atomically, straight into the file: never whole in memory); its path."""
        from unionforms.core.outputs import atomic_write

        self._inputs.auto_filter.ref = f"A1:{_column(len(INPUT_HEADER) - 1)}{self.inputs + 1}"
        self._findings.auto_filter.ref = f"A1:{_column(len(FINDING_HEADER) - 1)}{self.findings + 1}"
        with atomic_write(self.path, kind="xlsx", force=self.force) as fh:
            self._wb.save(fh)
        return self.path

    def __enter__(self) -> FindingsBook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.save()
