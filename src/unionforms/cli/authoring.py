"""`new-form`, `check` and `diff`: start next year's form, check a definition, see what changed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from unionforms.cli._base import Context, command

if TYPE_CHECKING:
    from unionforms.authoring.mapping import FormMapping
    from unionforms.core.model import Form


def _new_form_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="FORM",
        help="作为底本的表式，如 songwennuan-2017 / the form to copy",
    )
    p.add_argument(
        "--id",
        required=True,
        metavar="NEW_ID",
        help="新表式的编号，格式 系列-年份，如 songwennuan-2018 / the new form's id, family-year",
    )
    p.add_argument(
        "--dir",
        required=True,
        metavar="PATH",
        help="要创建的插件包文件夹（不存在或为空） / the plugin package folder to create (new or empty)",
    )


@command(
    "new-form",
    "以已注册的表式为底本，新建表式插件包 / start a new form as a plugin package, copied from a "
    "registered form",
    arguments=_new_form_arguments,
)
def new_form_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.authoring.scaffold import new_form
    from unionforms.core.errors import InputError

    source = ctx.registry.get(args.source)
    if args.id in ctx.registry.forms:
        raise InputError("IN-063", id=args.id)
    target = new_form(source, args.id, args.dir)
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    ctx.output.result(
        {"form": args.id, "from": source.id, "dir": str(target), "files": files},
        f"已写出 {target}：{args.id}（复制自 {source.id}）\n"
        + "\n".join(f"  {f}" for f in files)
        + f"\n下一步：编辑 form.toml 与 mapping.toml，然后 unionforms check {target}",
    )
    return 0


def _check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        metavar="PATH",
        help="定义文件 form.toml，或含有它的插件包文件夹 / a form.toml, or a plugin folder holding one",
    )


@command(
    "check",
    "不安装即检查表式定义；有错误时退出码为 1 / check a form definition without installing it; exit 1 on "
    "an error",
    arguments=_check_arguments,
)
def check_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.authoring.definition_check import check_definition
    from unionforms.core.errors import InputError

    path = Path(args.path)
    if not path.exists():
        raise InputError("IN-064", file=str(path))
    result = check_definition(path, ctx.registry)
    for problem in result.problems:
        ctx.output.line(problem.text())
    ctx.output.result([p.to_dict() for p in result.problems])
    warnings = len(result.problems) - result.errors
    ctx.output.note(f"{args.path}：{result.errors} 个错误，{warnings} 个警告")
    return 1 if result.errors else 0


def _diff_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "old",
        metavar="FORM_A",
        help="较早的表式：编号、form.toml 或插件文件夹 / the earlier form: an id, a form.toml or a plugin "
        "folder",
    )
    p.add_argument(
        "new",
        metavar="FORM_B",
        help="较新的表式：编号、form.toml 或插件文件夹 / the later form: an id, a form.toml or a plugin "
        "folder",
    )


def form_of(name: str, ctx: Context) -> tuple[Form, FormMapping | None]:
    """A registered form by id, or the form a definition file (or plugin folder) defines, with its mapping."""
    from unionforms.authoring.definition_check import load_definition

    if name in ctx.registry.forms or not Path(name).exists():
        return ctx.registry.get(name), None
    return load_definition(name, ctx.registry)


@command(
    "diff",
    "比较两个表式定义的变化（代码、栏目、字母、单位、规则） / what changed between two form definitions",
    arguments=_diff_arguments,
)
def diff_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.authoring.diff import diff
    from unionforms.authoring.mapping import find_mapping

    (old, _), (new, beside) = form_of(args.old, ctx), form_of(args.new, ctx)
    mapping = None
    if old.id != new.id:
        mapping = find_mapping(ctx.registry, old, new)
        if mapping is None and beside is not None and beside.old == old.id:
            mapping = beside.checked(old, new)
    result = diff(old, new, mapping)
    ctx.output.result(result.to_dict(), result.text)
    return 0
