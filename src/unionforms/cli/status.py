"""`status`: the round's progress (报送进度) — who has reported, who is missing, what replaced what."""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command, due_date, round_options


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="本轮的报表：文件、文件夹或通配符 / the round's returns: files, folders or patterns",
    )
    p.add_argument(
        "--due",
        type=due_date,
        metavar="YYYY-MM-DD",
        help="报送截止日期：晚于此日期的报表为逾期 / the deadline: returns dated later are late",
    )


@command(
    "status",
    "本轮报送进度：每个单位一行（已报/未报/更正/冲突/逾期），及每个文件的状态 / the round's progress by "
    "unit and every file's standing",
    arguments=_arguments,
    output="optional",
    output_metavar="报送进度.xlsx",
    bulk=True,
    collecting=True,
)
def status_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.collect.batch import expand
    from unionforms.collect.progress import book_rows, check_round, counts_line, file_lines, progress_to_dict
    from unionforms.core.textsafe import one_line

    form, roster = round_options(args, ctx)
    inputs = expand(args.paths, ctx.registry, lazy=True)
    if args.output is not None:  # before any work: OUT-001 … OUT-004 (an .xlsx, never over an input)
        from unionforms.core.outputs import check_output

        check_output(args.output, kind="xlsx", force=args.force, inputs=[i.file for i in inputs])
    out = ctx.output
    with out.progress(len(inputs), "进度") as bar:
        p = check_round(
            inputs, ctx.registry, form=form, roster=roster, due=args.due, jobs=args.jobs, advance=bar.advance
        )
    if args.output is not None:
        from unionforms.excel.progress_book import write_progress_book

        units, files = book_rows(p)
        write_progress_book(args.output, units, files, force=args.force)
    if out.json_mode:
        data = progress_to_dict(p)
        data["written"] = args.output
        out.result(data, "")
    else:
        out.line("单位\t状态\t逾期\t当前文件\t填报日期\t更正（被替代）\t联系人\t联系电话")
        for u in p.units:
            out.line(
                "\t".join(
                    (
                        one_line(u.name),
                        u.state,
                        "逾期" if u.late else "",
                        "、".join(map(one_line, u.files)),
                        u.date.isoformat() if u.date else "",
                        "、".join(map(one_line, u.replaced)),
                        u.contact or "",
                        u.phone or "",
                    )
                )
            )
        for line in file_lines(p.round):
            out.line(line)
        for v in p.round.verdicts:
            if v.entry.code is not None and v.standing.value in ("unusable", "skipped"):
                out.line(f"{v.standing.chinese}\t{one_line(v.file)}\t{v.entry.code} {v.entry.reason}")
        out.line(counts_line(p))
        if args.output is not None:
            out.note(f"已写出报送进度 {args.output}")
    incomplete = p.missing or any(u.state in ("冲突", "有错误") for u in p.units)
    return 1 if incomplete else 0
