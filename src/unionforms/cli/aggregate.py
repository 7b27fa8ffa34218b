"""`aggregate`: add returns up into the total of one form, with the provenance of every input."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from unionforms.cli._base import Context, command, round_options

if TYPE_CHECKING:
    from unionforms.collect.batch import Result


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="报表和汇总表：文件、文件夹或通配符 / returns and totals: files, folders or patterns",
    )
    p.add_argument(
        "--unit",
        required=True,
        metavar="NAME",
        help="汇总表的填报单位，如 乐山市总工会 / 填报单位 of the total",
    )
    p.add_argument("--filled-by", metavar="NAME", help="汇总表的填报人 / 填报人 of the total")
    p.add_argument("--phone", metavar="PHONE", help="汇总表的联系电话 / 联系电话 of the total")
    p.add_argument("--date", metavar="DATE", help="汇总表的填报日期，如 2017-01-15 / date of the total")
    p.add_argument(
        "--include-errors",
        action="store_true",
        help="有错误的报表也计入（默认不计入） / add returns with error findings too (default: rejected)",
    )


@command(
    "aggregate",
    "把报表汇总为汇总表（.xlsx 或 .json），记录每份输入的来源 / add returns up into a total with the "
    "provenance of every input",
    arguments=_arguments,
    output="required",
    output_metavar="TOTAL.xlsx|TOTAL.json",
    bulk=True,
    collecting=True,
)
def aggregate_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.collect.aggregate import aggregate as add_up
    from unionforms.collect.aggregate import completeness_to_dict, provenance_to_dict
    from unionforms.collect.batch import expand, run_bulk
    from unionforms.collect.totals import Collect
    from unionforms.core.display import finding_line
    from unionforms.core.errors import InputError
    from unionforms.core.outputs import check_output
    from unionforms.core.report import Meta
    from unionforms.core.textsafe import one_line, unicode_text
    from unionforms.core.values import header_date
    from unionforms.io.jsonio import finding_to_dict
    from unionforms.io.reading import preload

    if unicode_text(args.unit) != args.unit:  # a name the locale could not decode: never written mangled
        raise InputError("ENV-002", detail=f"--unit {unicode_text(args.unit)}")
    target = Path(args.output)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".json"):
        raise InputError("IN-075", suffix=suffix or "（无）", file=str(target))
    date = None if args.date is None else header_date(args.date)
    if args.date is not None and date is None:
        raise InputError("IN-109", option="--date", value=args.date)
    header = Meta(filled_by=args.filled_by, phone=args.phone, date=date)
    form, roster = round_options(args, ctx)
    inputs = expand(args.paths, ctx.registry, lazy=True)
    if len(inputs) > 1:  # forked checks inherit the readers instead of importing them each
        preload(i.file for i in inputs)
    # Before any work: never over an input (OUT-001), an existing total kept unless --force (OUT-002).
    check_output(target, kind=suffix[1:], force=args.force, inputs=[i.file for i in inputs])
    out = ctx.output
    with out.progress(len(inputs), "汇总") as bar:

        def results() -> Iterator[Result]:
            task = Collect(ctx.registry, keep_report=True)
            for result in run_bulk(task, inputs, jobs=args.jobs, registry=ctx.registry):
                bar.advance()
                yield result

        total = add_up(
            results(),
            ctx.registry,
            unit=args.unit,
            form=form,
            include_errors=args.include_errors,
            roster=roster,
            header=header,
        )
    from unionforms.collect.totals import write_json, write_xlsx

    if suffix == ".json":  # an output that appeared during the run is kept too, unless --force
        write_json(total, target, force=args.force)
    else:
        write_xlsx(total, target, registry=ctx.registry, force=args.force)
    p = total.provenance
    errors = sum(f.is_error for f in total.findings)
    if out.json_mode:
        out.stream(
            {
                "written": str(target),
                "form": total.form.id,
                "unit": args.unit,
                "inputs": p.inputs,
                "included": len(p.included),
                "rejected": len(p.rejected),
                "completeness": completeness_to_dict(p.completeness) if p.completeness else None,
                "findings": [finding_to_dict(f) for f in total.findings],
                "provenance": provenance_to_dict(p, lazy=True),
            }
        )
        return 1 if errors else 0
    for r in p.rejected:
        out.line(f"未计入\t{one_line(r.file)}\t[{r.code or '跳过'}] {r.reason}")
    out.line(
        f"汇总 {total.form.id}（{total.form.title}）：输入 {p.inputs} 份，计入 {len(p.included)} 份，"
        f"未计入 {len(p.rejected)} 份" + (f"；名录{p.completeness.text}" if p.completeness else "")
    )
    if p.completeness is not None and p.completeness.missing:
        out.line("缺报单位：" + "、".join(p.completeness.missing))
    for f in total.findings:
        out.line(f"汇总表审核：{finding_line(f, str(target))}")
    out.line(f"已写出 {target}")
    return 1 if errors else 0
