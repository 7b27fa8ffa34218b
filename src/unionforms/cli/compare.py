"""`compare`: last year's return beside this year's, line by line across the declared mapping."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from unionforms.cli._base import Context, command


def _jump(text: str) -> Decimal:
    from unionforms.authoring.compare import check_jump

    try:
        return check_jump(Decimal(text))
    except (InvalidOperation, ValueError):
        raise argparse.ArgumentTypeError(
            f"--jump 应为大于 1 的数，而不是 {text!r} / --jump takes a number above 1, not {text!r}"
        ) from None


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "last",
        metavar="LAST",
        help="上年的报表或汇总表（.json 或填好的 .xlsx） / last year's return or aggregate",
    )
    p.add_argument(
        "this",
        metavar="THIS",
        help="本年的报表或汇总表（.json 或填好的 .xlsx） / this year's return or aggregate",
    )
    p.add_argument(
        "--jump",
        type=_jump,
        metavar="N",
        help="本年数为上年的 N 倍以上或 1/N 以下时标出（默认 3） / flag a figure N times last year's or "
        "1/N of it (default 3)",
    )


@command(
    "compare",
    "同比：比较两年的报表（表式间有对应关系，或同一表式），标出异常变化 / year over year: two returns, "
    "jumps flagged",
    arguments=_arguments,
)
def compare_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.authoring.compare import DEFAULT_JUMP, compare_returns
    from unionforms.core.display import finding_line
    from unionforms.io.reading import read_report

    last = read_report(args.last, ctx.registry)
    this = read_report(args.this, ctx.registry)
    for f in (*last.findings, *this.findings):
        ctx.output.warn(finding_line(f))
    result = compare_returns(
        last, this, ctx.registry, jump=args.jump or DEFAULT_JUMP, files=(args.last, args.this)
    )
    findings = result.findings
    for f in findings:
        ctx.output.warn(finding_line(f))
    ctx.output.result(result.to_dict(), result.text)
    return 1 if any(f.is_error for f in (*last.findings, *this.findings)) else 0
