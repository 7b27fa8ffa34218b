"""`export`: every return's figures as one table (CSV, JSONL, xlsx) or into a database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from unionforms.cli._base import Context, command, round_options

if TYPE_CHECKING:  # the export's modules are imported when it runs, not when the CLI starts
    from unionforms.io.summary import ExportSummary


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="报表和汇总表（.xlsx、.json、表格 .csv/.xlsx）：文件、文件夹或通配符 / returns and totals: "
        "files, folders or patterns",
    )
    p.add_argument(
        "--wide",
        action="store_true",
        help="宽表：每份报表一行，每个栏目代码一列 / one row per return, one column per field code",
    )


@command(
    "export",
    "把报表数字导出为 CSV、JSONL、xlsx 或写入数据库（如 sqlite:///figures.db） / "
    "export the figures of returns to CSV, JSONL, xlsx or a database",
    arguments=_arguments,
    output="required",
    output_metavar="OUT",
    bulk=True,
    collecting=True,
)
def export_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.collect.batch import expand
    from unionforms.collect.export import in_round, returns_from_inputs
    from unionforms.io.writers import check_file_output, export, is_database_url

    form, roster = round_options(args, ctx)
    inputs = expand(args.paths, ctx.registry)
    files = [i.file for i in inputs]
    if not is_database_url(args.output):  # before any work: EXP-001, OUT-001 … OUT-004
        check_file_output(args.output, force=args.force, inputs=files)
    # a wide CSV or JSONL holds one form: without --form, the form of most returns, the others left out
    one_form = args.wide and not is_database_url(args.output) and not args.output.lower().endswith(".xlsx")
    items = in_round(
        returns_from_inputs(inputs, ctx.registry), ctx.registry, form=form, roster=roster, one_form=one_form
    )
    summary = export(items, args.output, wide=args.wide, force=args.force, inputs=files)
    for item in summary.unusable:
        ctx.output.warn(f"unionforms: {item.reason}")
    for item in summary.skipped:
        ctx.output.warn(f"已跳过\t{item.name}\t{item.code} {item.reason}")
    for name in summary.superseded:
        ctx.output.warn(f"未写入数据库（已被替代或冲突待定，见 status）\t{name}")
    for change in summary.replaced:
        codes = "、".join(change.changed) or "表头"
        ctx.output.warn(
            f"已替换：{change.form} {change.unit or ''}（{change.old_source} → {change.new_source}），"
            f"变动栏目：{codes}"
        )
    ctx.output.result(summary.to_dict(), _text(summary))
    return 2 if summary.unusable else 0


def _text(summary: ExportSummary) -> str:
    from unionforms.collect.batch import State

    counts = "，".join(f"{State(status).chinese} {n}" for status, n in summary.statuses.items())
    text = f"已导出 {summary.output}：{summary.returns} 份报表，{summary.rows} 行（{counts}）"
    if summary.new or summary.replaced or summary.unchanged:
        text += f"；新增 {summary.new}，替换 {len(summary.replaced)}，未变 {summary.unchanged}"
    return text
