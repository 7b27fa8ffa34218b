"""`fill`: write a report (JSON) into its form's Excel template."""

from __future__ import annotations

import argparse

from ..display import finding_line
from ..io.jsonio import finding_to_dict
from ..io.reading import read_report
from ..outputs import check_output
from ._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("report", metavar="REPORT.json", help="the report to write into the template")
    p.add_argument("--password", help="protect the sheet with this password (default: none)")


@command(
    "fill",
    "write a report (JSON) into its Excel template",
    arguments=_arguments,
    output="required",
    output_metavar="FILE.xlsx",
)
def fill(args: argparse.Namespace, ctx: Context) -> int:
    from ..excel.writer import write_template  # openpyxl only for commands that write workbooks

    check_output(args.output, kind="xlsx", force=args.force, inputs=[args.report])  # before any work
    result = read_report(args.report, ctx.registry)
    for f in result.findings:
        ctx.output.warn(finding_line(f))
    write_template(
        result.form,
        args.output,
        result.report,
        password=args.password,
        registry=ctx.registry,
        force=args.force,
        inputs=[args.report],
    )
    ctx.output.result(
        {
            "written": args.output,
            "values": len(result.report.values),
            "findings": [finding_to_dict(f) for f in result.findings],
        },
        f"已写出 {args.output}：{len(result.report.values)} 个数值",
    )
    return 1 if any(f.is_error for f in result.findings) else 0
