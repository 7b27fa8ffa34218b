"""Copies returned for correction (退回修改): each return with findings, marked for its filler.

The copy is the filler's own workbook (a .json return becomes its filled template) with every cell a
finding names marked (red for an error, yellow for a warning) and a comment holding the message, and a
first sheet 审核结果 listing each finding in Chinese: severity, cell, field code, what is wrong and
what to do. The original is never touched; the copy keeps the template's names, so the corrected copy
is read like any return. The live checks in the template still show the current verdicts as the
filler corrects the figures; the marks show what the check found when the copy was made.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

import attrs

from .batch import Input, Result, file_identity, output_paths
from .errors import InputError
from .findings import Finding
from .registry import Registry, default_registry

SHEET = "审核结果"
_HEADER = ("序号", "严重程度", "单元格", "栏目代码", "代码", "规则", "问题和修改办法")
_WIDTHS = (6, 10, 10, 14, 10, 16, 110)


@attrs.frozen
class Annotation:
    """What became of one copy: its path, or the problem that stopped it (OUT-001, IN-073)."""

    path: str | None
    problem: str | None = None


@attrs.frozen
class Annotator:
    """Write the annotated copy of each return with findings under ``outdir``, as an :class:`Annotation`
    in the result's ``extra``; a copy that cannot be written is a problem there, not an exception."""

    outdir: str
    registry: Registry | None = None
    targets: Mapping[str, Path] = attrs.field(factory=dict, hash=False)  # from batch.output_paths
    inputs: frozenset[object] = frozenset()  # the run's inputs, by batch.file_identity
    force: bool = False  # replace a copy already in outdir (else OUT-002, as for every output)

    def __call__(self, item: Input, result: Result) -> Result:
        if not result.findings or not result.usable or item.table is not None:
            return result  # a row of a table has no workbook to mark: its findings are in the report
        path = self.targets.get(item.path) or output_paths([item], self.outdir)[item.path]
        try:
            taken = file_identity(path)
            if taken in self.inputs or taken == file_identity(item.path):
                raise InputError("OUT-001", input=str(path), file=str(path))  # path is that input
            if not self.force and os.path.lexists(path):
                raise InputError("OUT-002", file=str(path))  # e.g. a copy the statistician corrected
            annotate(item.path, result.findings, path, registry=self.registry)
        except InputError as exc:
            return attrs.evolve(result, extra=Annotation(None, str(exc)))
        except Exception as exc:  # a workbook openpyxl cannot load: the check result still stands
            problem = InputError("IN-073", file=item.path, detail=f"{type(exc).__name__}: {exc}")
            return attrs.evolve(result, extra=Annotation(None, str(problem)))
        return attrs.evolve(result, extra=Annotation(str(path)))


def annotate(
    source: str | Path, findings: tuple[Finding, ...], path: str | Path, *, registry: Registry | None = None
) -> Path:
    """Write the annotated copy of the return ``source`` with ``findings`` to ``path``."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    from .excel.fill import filled_bytes, write_atomic

    if Path(source).suffix.lower() == ".json":
        from .io.reading import read_report

        read = read_report(source, registry or default_registry())
        data = BytesIO(filled_bytes(read.form, read.report, registry=registry))
        wb = openpyxl.load_workbook(data)
        from .excel.layout import plan

        layout = plan(read.form)
        located = [attrs.evolve(f, sheet=layout.sheet, cells=_cells(f, layout.fields)) for f in findings]
    else:
        wb = openpyxl.load_workbook(source)
        located = list(findings)
    red = PatternFill("solid", fgColor="FFC7CE")
    yellow = PatternFill("solid", fgColor="FFEB9C")
    marks: dict[tuple[str, str], list[Finding]] = {}
    for f in located:
        if f.sheet is not None and f.sheet in wb.sheetnames:
            for cell in f.cells:
                marks.setdefault((f.sheet, cell), []).append(f)
    for (sheet, cell), about in marks.items():
        c = wb[sheet][cell]
        c.fill = red if any(f.is_error for f in about) else yellow
        text = "\n".join(f"{'错误' if f.is_error else '警告'}：{f.message}" for f in about)
        c.comment = Comment(text[:2000], "unionforms 审核", width=420, height=160)
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET, 0)
    today = datetime.date.today().isoformat()
    errors = sum(f.is_error for f in located)
    ws.append(
        [f"审核结果（{today}）：{errors} 个错误，{len(located) - errors} 个警告。请按下表修改后重新报送。"]
    )
    ws.append(["标出的单元格：红色为错误（须修改），黄色为警告（请核实，如无误可在报送说明中解释）。"])
    ws.append(list(_HEADER))
    for i, f in enumerate(located, start=1):
        ws.append(
            [
                i,
                "错误" if f.is_error else "警告",
                " ".join(f.cells),
                " ".join(f.fields),
                f.code,
                f.rule,
                f.message,
            ]
        )
    for col, width in zip("ABCDEFG", _WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=12)
    for row in ws.iter_rows(min_row=4):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    buffer = BytesIO()
    wb.save(buffer)
    write_atomic(path, buffer.getvalue())
    return Path(path)


def _cells(f: Finding, fields: dict[str, str]) -> tuple[str, ...]:
    return tuple(fields[c] for c in f.fields if c in fields)
