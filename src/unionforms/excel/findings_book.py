"""The report workbook of a bulk check (``validate --report``): one row per input, one row per finding.

A statistician filters it, sorts it and sends it round. Sheet 报表汇总 lists every input with its
status, 填报单位, form and counts (unusable and skipped inputs too, with their reason); sheet 问题清单
lists every finding with its file, 填报单位, severity, code, rule, field codes, cells and message. Both
have a frozen header and an autofilter. Rows are streamed to disk as results come (openpyxl's
write-only mode), so a province's thousands of returns need no more memory than a county's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol

from ..findings import Finding
from .textcells import text_row


class _State(Protocol):
    @property
    def chinese(self) -> str: ...


class Row(Protocol):
    """What the book needs of one input's result (:class:`unionforms.batch.Result` is one)."""

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
_WIDTHS = {INPUT_SHEET: (6, 48, 10, 24, 18, 8, 8, 10, 80), FINDING_SHEET: (6, 48, 24, 8, 10, 16, 16, 12, 100)}


def _column(i: int) -> str:
    return "ABCDEFGHIJ"[i]


class FindingsBook:
    """Add results one by one, then :meth:`save`; a context manager so a failed run leaves no file."""

    def __init__(self, path: str | Path, *, force: bool = False) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.path = Path(path)
        self.force = force  # an existing file (one that appeared during the run too) kept unless force
        self._wb = Workbook(write_only=True)
        self._inputs = self._wb.create_sheet(INPUT_SHEET)
        self._findings = self._wb.create_sheet(FINDING_SHEET)
        bold = Font(bold=True)
        for ws, header in ((self._inputs, INPUT_HEADER), (self._findings, FINDING_HEADER)):
            for i, width in enumerate(_WIDTHS[ws.title]):
                ws.column_dimensions[_column(i)].width = width
            ws.freeze_panes = "A2"
            from openpyxl.cell import WriteOnlyCell

            cells = []
            for text in header:
                cell = WriteOnlyCell(ws, value=text)
                cell.font = bold
                cells.append(cell)
            ws.append(cells)
        self.inputs = 0
        self.findings = 0

    def add(self, result: Row) -> None:
        """One row for the input, one row per finding."""
        self.inputs += 1
        note = result.reason or ""
        self._inputs.append(
            text_row(
                self._inputs,
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
                text_row(
                    self._findings,
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
        written once the round is decided."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        ws = self._wb.create_sheet(ROUND_SHEET)
        for i, width in enumerate((6, 48, 24, 10, 10, 90)):
            ws.column_dimensions[_column(i)].width = width
        ws.freeze_panes = "A2"
        header = []
        for text in ROUND_HEADER:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for n, row in enumerate(rows, 1):
            ws.append(text_row(ws, [n, *row]))
        ws.auto_filter.ref = f"A1:{_column(len(ROUND_HEADER) - 1)}{len(rows) + 1}"

    def save(self) -> Path:
        """Write the workbook (atomically, straight into the file: never whole in memory); its path."""
        from ..outputs import atomic_write

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
