"""`list`, `show` and `schema`: what forms are installed and what each one looks like."""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command


def _form_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("form", help="表式编号，见 `unionforms list` / a form id, as `unionforms list` shows it")


@command("list", "列出已注册的表式：编号、年份、标题 / every registered form: id, year, title")
def list_command(args: argparse.Namespace, ctx: Context) -> int:
    forms = list(ctx.registry)
    ctx.output.result(
        [{"id": f.id, "year": f.year, "title": f.title, "version": f.version} for f in forms],
        "\n".join(f"{f.id}\t{f.year}\t{f.title}" for f in forms),
    )
    return 0


@command(
    "show", "显示表式的版式、栏目和审核规则 / a form's layout, fields and rules", arguments=_form_argument
)
def show_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.core.describe import describe, describe_text

    form = ctx.registry.get(args.form)
    ctx.output.result(describe(form), lambda: describe_text(form))
    return 0


@command(
    "schema", "输出表式报表的 JSON Schema / the JSON Schema of a form's report", arguments=_form_argument
)
def schema_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.io.schema import report_schema

    data = report_schema(ctx.registry.get(args.form))
    ctx.output.json_mode = True  # the schema is JSON whichever way it is asked for
    ctx.output.result(data)
    return 0
