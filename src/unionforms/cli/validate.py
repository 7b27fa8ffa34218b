"""`validate`: check reports (.json or filled .xlsx) and print every finding."""

from __future__ import annotations

import argparse

from ..display import finding_line
from ..errors import UnionformsError
from ..findings import Finding, Tally
from ..io.jsonio import finding_to_dict
from ..io.reading import read_report
from ..validate import check_read
from ._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="report files: .json or filled .xlsx templates")


@command("validate", "check reports; exit 1 when any has an error", arguments=_arguments, bulk=True)
def validate(args: argparse.Namespace, ctx: Context) -> int:
    all_findings: list[Finding] = []
    unusable = False
    for name in args.files:
        try:
            result = read_report(name, ctx.registry)
        except UnionformsError as exc:
            unusable = True
            ctx.output.warn(f"unionforms: {exc}")
            continue
        findings = check_read(result)
        all_findings += findings
        for f in findings:
            ctx.output.line(finding_line(f, name))
    tally = Tally.of(all_findings)
    ctx.output.result([finding_to_dict(f) for f in all_findings])
    ctx.output.note(f"{len(args.files)} 个文件：{tally.text()}")
    if unusable:
        return 2
    return 1 if tally.errors else 0
