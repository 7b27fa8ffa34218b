"""`read`: the report JSON of a filled template (or of a report file), printed or written with -o.

A table from ``export`` (.csv, or an xlsx that is no template) holds one report per row: ``read`` gives
them as JSON Lines, one report a line (``-o`` a ``.jsonl`` file).
"""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        metavar="FILE.xlsx",
        help="填好的模板、报表 .json，或 export 导出的表格（.csv/.xlsx，每行一份报表） / "
        "a filled template, a report .json, or a table from export",
    )
    p.add_argument(
        "--form", help="文件必须是的表式（否则 IN-004） / the form the file must be (IN-004 otherwise)"
    )


@command(
    "read",
    "读取填好的模板，输出报表 JSON / print the report JSON of a filled template",
    arguments=_arguments,
    output="optional",
    output_metavar="REPORT.json",
)
def read_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.core.display import finding_line
    from unionforms.core.outputs import check_output, write_bytes
    from unionforms.io import jsonio
    from unionforms.io.reading import is_table, read_report

    table = is_table(args.file)
    if args.output:  # before any work
        check_output(args.output, kind="jsonl" if table else "json", force=args.force, inputs=[args.file])
    expect = ctx.registry.get(args.form) if args.form else None
    if table:
        return _read_table(args, ctx)
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


def _read_table(args: argparse.Namespace, ctx: Context) -> int:
    """A table gives one report per row: printed (or written) as JSON Lines, one report per line."""
    import json

    from unionforms.core.display import finding_line
    from unionforms.core.errors import InputError, UnionformsError
    from unionforms.core.outputs import write_bytes
    from unionforms.io import jsonio
    from unionforms.io.reading import read_many

    lines: list[str] = []
    data: list[dict[str, object]] = []
    unusable = errors = False
    for result in read_many(args.file, ctx.registry):
        if not isinstance(result, UnionformsError) and args.form and result.form.id != args.form:
            result = InputError("IN-004", found=result.form.id, expected=args.form, file=result.source.file)
        if isinstance(result, UnionformsError):
            unusable = True
            ctx.output.warn(f"unionforms: {result}")
            continue
        for f in result.findings:
            ctx.output.warn(finding_line(f))
        errors = errors or any(f.is_error for f in result.findings)
        report = jsonio.report_to_dict(result.report)
        lines.append(json.dumps(report, ensure_ascii=False))
        data.append(
            {
                "input": result.source.file,
                "report": report,
                "findings": [jsonio.finding_to_dict(f) for f in result.findings],
            }
        )
    if args.output:
        text = "".join(line + "\n" for line in lines)
        write_bytes(args.output, text.encode("utf-8"), kind="jsonl", force=args.force, inputs=[args.file])
        ctx.output.note(f"已写出 {args.output}：{len(lines)} 份报表")
    else:
        ctx.output.result(data, "\n".join(lines))
    return 2 if unusable else 1 if errors else 0
