"""`fill`: write reports into their forms' Excel templates, one report or many in one call."""

from __future__ import annotations

import argparse
from pathlib import Path

from unionforms.cli._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "reports",
        nargs="+",
        metavar="REPORT",
        help="报表（.json）、文件夹或通配符 / reports (.json), folders or patterns",
    )
    p.add_argument(
        "--password",
        help="用此密码保护工作表（默认无密码） / protect the sheet with this password (default: none)",
    )


@command(
    "fill",
    "把报表（JSON）填入 Excel 模板：一份用 -o 文件.xlsx，多份用 -o 文件夹/ / write reports (JSON) into "
    "their Excel templates",
    arguments=_arguments,
    output="required",
    output_metavar="FILE.xlsx|OUTDIR",
    bulk=True,
)
def fill_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.collect.batch import Fill, State, expand, file_identity, output_paths, run_bulk
    from unionforms.core.display import finding_line
    from unionforms.core.errors import InputError
    from unionforms.io.jsonio import finding_to_dict

    inputs = expand(args.reports, ctx.registry)
    target = Path(args.output)
    one_file = len(inputs) == 1 and target.suffix.lower() == ".xlsx" and not target.is_dir()
    outdir = str(target.parent if one_file else target)
    taken = frozenset(file_identity(i.file) for i in inputs)
    if file_identity(target) in taken:  # before any work: the output would replace an input
        raise InputError("OUT-001", input=str(target), file=str(target))
    single = str(target) if one_file else None
    task = Fill(outdir, ctx.registry, args.password, taken, single, args.force, output_paths(inputs, outdir))
    out = ctx.output
    counts = dict.fromkeys(State, 0)
    written = 0
    stream = out.json_list("files") if out.json_mode else None  # streamed: nothing kept to the end
    with out.progress(len(inputs), "填表") as bar:
        for result in run_bulk(task, inputs, jobs=args.jobs):
            bar.advance()
            counts[result.state] += 1
            written += bool(result.extra)
            for f in result.findings:
                out.warn(finding_line(f, result.file))
            if not result.usable:
                out.warn(
                    f"unionforms: [文件 {result.file}] {result.code} {result.reason}\n    {result.reason_en}"
                )
            if stream is None:
                if result.extra:
                    out.line(f"已写出 {result.extra}")
                continue
            stream.add(
                {
                    "file": result.file,
                    "status": result.state.value,
                    "written": result.extra,
                    "code": result.code,
                    "reason": result.reason,
                    "reason_en": result.reason_en,
                    "detail": result.detail,
                    "findings": [finding_to_dict(f) for f in result.findings],
                }
            )
    summary = {"inputs": len(inputs), **{s.value: n for s, n in counts.items()}}
    if stream is not None:
        stream.close({"summary": summary})
    else:
        out.line(f"共 {len(inputs)} 个输入，写出 {written} 个文件")
    if counts[State.UNUSABLE]:
        return 2
    return 1 if counts[State.ERRORS] else 0
