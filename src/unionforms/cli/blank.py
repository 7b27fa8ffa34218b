"""`blank`: write a form's blank Excel template, to send down to the units that fill it in."""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("form", help="表式编号，见 `unionforms list` / a form id, as `unionforms list` shows it")
    p.add_argument(
        "--password",
        help="用此密码保护工作表（默认无密码） / protect the sheet with this password (default: none)",
    )


@command(
    "blank",
    "生成表式的空白 Excel 模板 / write the blank Excel template of a form",
    arguments=_arguments,
    output="required",
    output_metavar="FILE.xlsx",
)
def blank_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.core.outputs import check_output
    from unionforms.excel.writer import write_template  # openpyxl only for commands that write workbooks

    check_output(args.output, kind="xlsx", force=args.force)  # before any work
    form = ctx.registry.get(args.form)
    write_template(form, args.output, password=args.password, registry=ctx.registry, force=args.force)
    ctx.output.result(
        {"written": args.output, "form": form.id, "fields": len(form.fields), "rules": len(form.rules)},
        f"已写出 {args.output}：{form.title}（{len(form.fields)} 个填报栏，{len(form.rules)} 条审核）",
    )
    return 0
