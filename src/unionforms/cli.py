"""The `unionforms` command. Exit status: 0 fine, 1 an error-level finding, 2 unusable input or arguments."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .describe import describe, describe_text
from .errors import UnionformsError
from .findings import Finding
from .reading import read_report
from .registry import Registry, default_registry
from .schema import report_schema
from .validate import validate
from .values import format_value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="unionforms", description="工会统计表：模板、填报、读取、审核。")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every registered form: id, year, title")
    show = sub.add_parser("show", help="a form's layout, fields and rules")
    show.add_argument("form")
    show.add_argument("--json", action="store_true", help="print the layout as JSON")
    val = sub.add_parser("validate", help="check reports; exit 1 when any has an error")
    val.add_argument("files", nargs="+", metavar="FILE")
    val.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    sch = sub.add_parser("schema", help="the JSON Schema of a form's report")
    sch.add_argument("form")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; never lets a traceback reach the user."""
    args = _parser().parse_args(argv)
    try:
        registry = default_registry()
        for problem in registry.problems:
            print(f"警告：{problem}", file=sys.stderr)
        return int(_COMMANDS[args.command](args, registry))
    except UnionformsError as exc:
        print(f"unionforms: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: a clear line, not a traceback
        print(f"unionforms: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3


def _list(args: argparse.Namespace, registry: Registry) -> int:
    for form in registry:
        print(f"{form.id}\t{form.year}\t{form.title}")
    return 0


def _show(args: argparse.Namespace, registry: Registry) -> int:
    form = registry.get(args.form)
    if args.json:
        _print_json(describe(form))
    else:
        print(describe_text(form))
    return 0


def _schema(args: argparse.Namespace, registry: Registry) -> int:
    _print_json(report_schema(registry.get(args.form)))
    return 0


def _validate(args: argparse.Namespace, registry: Registry) -> int:
    all_findings: list[Finding] = []
    unusable = False
    for name in args.files:
        try:
            result = read_report(name, registry)
        except UnionformsError as exc:
            unusable = True
            print(f"unionforms: {exc}", file=sys.stderr)
            continue
        findings = list(result.findings) + [
            f for f in validate(result.form, result.report, result.source) if f.code.startswith("CHK")
        ]
        all_findings += findings
        if not args.json:
            for f in findings:
                level = "错误" if f.is_error else "警告"
                rule = f" {f.rule}" if f.rule else ""
                print(f"{f.where() or name}: {level} [{f.code}{rule}] {f.message}")
    errors = sum(f.is_error for f in all_findings)
    if args.json:
        _print_json([_finding_json(f) for f in all_findings])
    else:
        print(
            f"{len(args.files)} 个文件：{errors} 个错误，{len(all_findings) - errors} 个警告", file=sys.stderr
        )
    if unusable:
        return 2
    return 1 if errors else 0


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "file": f.file,
        "sheet": f.sheet,
        "cells": list(f.cells),
        "severity": f.severity.value,
        "code": f.code,
        "rule": f.rule,
        "fields": list(f.fields),
        "values": [_json_value(v) for v in f.values],
        "message": f.message,
    }


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    return format_value(value)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


_COMMANDS = {"list": _list, "show": _show, "validate": _validate, "schema": _schema}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
