"""Copies returned for correction (退回修改): each return with findings, marked for its filler.

The copy is the filler's own workbook (a .json return becomes its filled template) with every cell a
finding names marked (red for an error, yellow for a warning) and a first sheet 审核结果 that reads as
a letter to the filler: how many errors and warnings, then each finding's message (the item, the
figure, what to do) with where it is underneath (cells, field codes, rule), printing on one A4 page
for a typical return. The marks and the letter are patched into the workbook's XML
(:mod:`.excel.marks`): no value or formula changes, so the copy reads back as the same report with
the same findings. The original is never touched; the corrected copy is read like any return. The
live checks in the template still show the current verdicts as the filler corrects the figures; the
marks show what the check found when the copy was made, and ``unionforms pdf`` prints neither.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from unionforms.collect.batch import Input, Result, file_identity, output_paths
from unionforms.core.errors import InputError, PluginError
from unionforms.core.findings import Finding
from unionforms.excel.contract import ANNOTATION_SHEET
from unionforms.plugins.registry import Registry, default_registry

if TYPE_CHECKING:
    from unionforms.excel.marks import Letter

SHEET = ANNOTATION_SHEET


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
        except (InputError, PluginError) as exc:  # PluginError: a plugin's hook broke the template
            return attrs.evolve(result, extra=Annotation(None, str(exc)))
        except Exception as exc:  # a workbook whose parts cannot be patched: the check result still stands
            problem = InputError("IN-073", file=item.path, detail=f"{type(exc).__name__}: {exc}")
            return attrs.evolve(result, extra=Annotation(None, str(problem)))
        return attrs.evolve(result, extra=Annotation(str(path)))


def annotate(
    source: str | Path, findings: tuple[Finding, ...], path: str | Path, *, registry: Registry | None = None
) -> Path:
    """Write the annotated copy of the return ``source`` with ``findings`` to ``path``."""
    from unionforms.excel.fill import filled_bytes, write_atomic
    from unionforms.excel.marks import annotated_bytes

    workbook: str | Path | bytes = source
    located = list(findings)
    if Path(source).suffix.lower() == ".json":
        from unionforms.excel.layout import plan
        from unionforms.io.reading import read_report

        read = read_report(source, registry or default_registry())
        workbook = filled_bytes(read.form, read.report, registry=registry)
        layout = plan(read.form)
        located = [attrs.evolve(f, sheet=layout.sheet, cells=_cells(f, layout.fields)) for f in findings]
    marks: dict[tuple[str, str], bool] = {}
    for f in located:
        for cell in f.cells:
            if f.sheet is not None:
                marks[(f.sheet, cell)] = marks.get((f.sheet, cell), False) or f.is_error
    write_atomic(path, annotated_bytes(workbook, letter(located), marks))
    return Path(path)


def letter(findings: list[Finding]) -> Letter:
    """The 审核结果 sheet for ``findings``: errors first, each message and then where it is."""
    from unionforms.excel.marks import Letter, ListedFinding

    today = datetime.date.today()
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    if errors:
        ask = "请按下列各条修改后重新报送；警告如数字无误，请在表末审核区“合理性审核说明”中写明理由。"
    else:
        ask = "数字如无误，请在表末审核区“合理性审核说明”中写明理由后重新报送。"
    ordered = sorted(findings, key=lambda f: not f.is_error)  # stable: each kind in the check's order
    return Letter(
        title=f"审核结果（{today.year}年{today.month}月{today.day}日）",
        summary=f"本表审核发现 {errors} 个错误、{warnings} 个警告。{ask}",
        legend="表中标出的单元格：红色为错误（须修改），黄色为警告（请核实）。",
        entries=tuple(ListedFinding(f.is_error, f.message, _where(f)) for f in ordered),
    )


def _where(f: Finding) -> str:
    parts = []
    if f.cells:
        parts.append(f"单元格 {'、'.join(f.cells)}")
    if f.fields:
        parts.append(f"栏目 {'、'.join(f.fields)}")
    if f.rule:
        parts.append(f"规则 {f.rule}")
    parts.append(f"代码 {f.code}")
    return "位置：" + "；".join(parts)


def _cells(f: Finding, fields: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(fields[c] for c in f.fields if c in fields)
