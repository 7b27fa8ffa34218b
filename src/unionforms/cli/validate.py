"""`validate`: check returns (files, folders, patterns); every input ends in one state, each shown.

Options: ``--report FILE.xlsx`` the workbook of inputs and findings; ``--annotate OUTDIR`` a marked copy
of each return with findings, for its filler. Results stream: nothing is kept to the end.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from unionforms.cli._base import Context, command, round_options

if TYPE_CHECKING:
    from unionforms.collect.batch import Input, Result


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="报表（.xlsx、.json）和表格（.csv、.xlsx，每行一份）、文件夹（含子文件夹）或通配符，如 "
        "'收回/*.xlsx' / "
        "returns and tables, folders (searched recursively) or patterns",
    )
    p.add_argument(
        "--report",
        metavar="FILE.xlsx",
        help="另写出审核结果工作簿：每个输入、每条问题各一行 / also write a workbook: one row per input "
        "and per finding",
    )
    p.add_argument(
        "--annotate",
        metavar="OUTDIR",
        help="把每份有问题的报表标注后写入 OUTDIR，退回修改 / write a marked copy of each return with "
        "findings into OUTDIR",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="覆盖已有的 --report 工作簿和标注副本 / replace an existing --report workbook and annotated "
        "copies",
    )


def result_to_dict(result: Result) -> dict[str, Any]:
    """One input as JSON (``specs/bulk-json.md``)."""
    from unionforms.io.jsonio import finding_to_dict

    return {
        "file": result.file,
        "status": result.state.value,
        "form": result.form,
        "unit": result.unit,
        "errors": result.errors,
        "warnings": result.warnings,
        "code": result.code,
        "reason": result.reason,
        "reason_en": result.reason_en,
        "detail": result.detail,
        "findings": [finding_to_dict(f) for f in result.findings],
    }


def result_line(result: Result) -> str:
    """One line per input: status in Chinese, file, 填报单位, form, counts (or why it is not read)."""
    from unionforms.core.findings import Tally
    from unionforms.core.textsafe import one_line

    file = one_line(result.file)  # a newline in a file name never forges a line
    if not result.usable:
        return f"{result.state.chinese}\t{file}\t{result.code} {result.reason}\n    {result.reason_en}"
    unit = one_line(result.unit or "（填报单位空）")
    counts = Tally.of(result.findings).text()
    return f"{result.state.chinese}\t{file}\t{unit}\t{result.form}\t{counts}"


def _check_report_output(inputs: list[Input], report: str | None, force: bool) -> None:
    """Before any work: the report workbook never replaces an input (OUT-001), nor an existing file
    unless --force (OUT-002)."""
    if report:
        from unionforms.core.outputs import check_output

        check_output(report, kind="xlsx", force=force, inputs=[i.file for i in inputs])


@command(
    "validate",
    "审核报表：文件、文件夹或通配符；有错误时退出码为 1 / check returns; exit 1 when any has an error",
    arguments=_arguments,
    bulk=True,
    collecting=True,
)
def validate_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.collect.batch import Check, State, expand, file_identity, output_paths, run_bulk
    from unionforms.collect.current import Entry, Ledger, Standing, explain
    from unionforms.collect.progress import counts_line, file_lines, progress, verdict_to_dict
    from unionforms.core.display import finding_line
    from unionforms.io.reading import preload

    form, roster = round_options(args, ctx)
    inputs = expand(args.paths, ctx.registry, lazy=True)  # the workers tell an .xlsx table
    if len(inputs) > 1:  # forked checks inherit the readers instead of importing them each
        preload(i.file for i in inputs)
    _check_report_output(inputs, args.report, args.force)
    ledger = Ledger(form, roster)
    then = None
    if args.annotate:
        from unionforms.collect.annotate import Annotator

        taken = frozenset(file_identity(i.file) for i in inputs)
        then = Annotator(args.annotate, ctx.registry, output_paths(inputs, args.annotate), taken, args.force)
    book = None
    if args.report:
        from unionforms.excel.findings_book import FindingsBook  # openpyxl only when a workbook is written

        book = FindingsBook(args.report, force=args.force)
    out = ctx.output
    counts = {state: 0 for state in State}
    annotated = 0
    stream = out.json_list("files") if out.json_mode else None
    task = Check(ctx.registry, then=then)
    with out.progress(len(inputs), "审核") as bar:
        for seq, result in enumerate(run_bulk(task, inputs, jobs=args.jobs, registry=ctx.registry)):
            bar.advance()
            counts[result.state] += 1
            standing = ledger.add(Entry.of(seq, result))
            if book is not None:
                book.add(result)
            note = _annotation(result)
            annotated += note is not None and note[0] is not None
            if stream is not None:
                data = result_to_dict(result)
                if args.annotate:
                    data["annotated"] = note[0] if note else None
                stream.add(data)
                continue
            out.line(result_line(result))
            if standing in (Standing.OTHER_FORM, Standing.NOT_LISTED):  # known before the round is decided
                out.line(f"    {standing.chinese}：{ledger.explain_now(seq)}")
            for f in result.findings:
                out.line("    " + finding_line(f, result.file))
            if note is not None and note[1]:
                out.warn(f"unionforms: {note[1]}")
    rnd = ledger.close()
    standings = rnd.counts()
    total = sum(counts.values())  # an .xlsx table's rows are inputs of their own
    summary = {"inputs": total, **{state.value: n for state, n in counts.items()}}
    if book is not None:
        book.add_round([(v.file, v.entry.unit, v.standing.chinese, *explain(v, rnd)) for v in rnd.verdicts])
        book.save()
    if stream is not None:
        stream.close(
            {
                "summary": summary,
                "round_summary": {"form": rnd.form, **{s.value: n for s, n in standings.items()}},
                "round": [
                    verdict_to_dict(v, rnd) for v in rnd.verdicts if v.standing is not Standing.CURRENT
                ],
            }
        )
    else:
        shown = "，".join(f"{state.chinese} {n}" for state, n in counts.items())
        out.line(f"共 {total} 个输入：{shown}")
        for line in file_lines(rnd):
            out.line(line)
        out.line(counts_line(progress(rnd)))
    if book is not None:
        out.note(f"已写出审核结果工作簿 {args.report}")
    if args.annotate:
        out.note(f"已写出 {annotated} 份批注副本到 {args.annotate}")
    if counts[State.UNUSABLE]:
        return 2
    # a conflict, and with --form / --units a return of another form or of no listed unit, are not 通过
    blocking = [Standing.CONFLICT, Standing.NOT_LISTED] + ([Standing.OTHER_FORM] if form else [])
    return 1 if counts[State.ERRORS] or any(standings[s] for s in blocking) else 0


def _annotation(result: Result) -> tuple[str | None, str | None] | None:
    extra = result.extra
    path = getattr(extra, "path", None)
    problem = getattr(extra, "problem", None)
    if path is None and problem is None:
        return None
    return path, problem
