"""`read`: the report JSON of a filled template (or of a report file), printed or written with -o."""

from __future__ import annotations

import argparse

from ._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.xlsx", help="a filled template (or a report .json)")
    p.add_argument("--form", help="the form the file must be (IN-004 otherwise)")


@command(
    "read",
    "print the report JSON of a filled template",
    arguments=_arguments,
    output="optional",
    output_metavar="REPORT.json",
)
def read(args: argparse.Namespace, ctx: Context) -> int:
    from ..display import finding_line
    from ..io import jsonio
    from ..io.reading import read_report
    from ..outputs import check_output, write_bytes

    if args.output:
        check_output(args.output, kind="json", force=args.force, inputs=[args.file])  # before any work
    expect = ctx.registry.get(args.form) if args.form else None
    result = read_report(args.file, ctx.registry, expect=expect)
    for f in result.findings:
        ctx.output.warn(finding_line(f))
    text = jsonio.dumps(result.report)
    if args.output:
        write_bytes(
            args.output, (text + "\n").encode("utf-8"), kind="json", force=args.force, inputs=[args.file]
        )
        ctx.output.note(f"已写出 {args.output}")
    elif ctx.output.json_mode:
        ctx.output.result(
            {
                "report": jsonio.report_to_dict(result.report),
                "findings": [jsonio.finding_to_dict(f) for f in result.findings],
            }
        )
    else:
        ctx.output.line(text)
    return 1 if any(f.is_error for f in result.findings) else 0
