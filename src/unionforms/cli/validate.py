"""`validate`: check reports (.json or filled .xlsx) and print every finding."""

from __future__ import annotations

import argparse
import functools

from ..display import finding_line
from ..errors import UnionformsError
from ..findings import Finding, Tally
from ..inputs import bounded
from ..io.jsonio import finding_to_dict
from ..io.reading import read_report
from ..registry import Registry
from ..validate import check_read
from ._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="report files: .json or filled .xlsx templates")


def _check(name: str, registry: Registry) -> list[Finding]:
    """Read and check one file: what runs inside the file's time and memory budget."""
    return check_read(read_report(name, registry))


@command("validate", "check reports; exit 1 when any has an error", arguments=_arguments, bulk=True)
def validate(args: argparse.Namespace, ctx: Context) -> int:
    all_findings: list[Finding] = []
    unusable = False
    registry = ctx.registry  # loaded once, before the per-file children are forked
    for name in args.files:
        try:
            findings = bounded(functools.partial(_check, name, registry), file=name)
        except UnionformsError as exc:
            unusable = True
            ctx.output.warn(f"unionforms: {exc}")
            continue
        all_findings += findings
        for f in findings:
            ctx.output.line(finding_line(f, name))
    tally = Tally.of(all_findings)
    ctx.output.result([finding_to_dict(f) for f in all_findings])
    ctx.output.note(f"{len(args.files)} 个文件：{tally.text()}")
    if unusable:
        return 2
    return 1 if tally.errors else 0
