"""The `unionforms` command. Exit status: 0 fine, 1 an error-level finding, 2 unusable input or arguments."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .describe import describe, describe_text
from .display import format_value
from .errors import InputError, UnionformsError
from .excel.libreoffice import convert
from .excel.writer import write_template
from .findings import Finding
from .io import jsonio
from .io.reading import read_report
from .io.schema import report_schema
from .registry import Registry, default_registry
from .validate import validate


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
    blank = sub.add_parser("blank", help="write the blank Excel template of a form")
    blank.add_argument("form")
    blank.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    blank.add_argument("--password", help="protect the sheet with this password (default: none)")
    fill = sub.add_parser("fill", help="write a report (JSON) into its Excel template")
    fill.add_argument("report", metavar="REPORT.json")
    fill.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    fill.add_argument("--password", help="protect the sheet with this password (default: none)")
    read = sub.add_parser("read", help="print the report JSON of a filled template")
    read.add_argument("file", metavar="FILE.xlsx")
    read.add_argument("--form", help="the form the file must be (IN-004 otherwise)")
    pdf = sub.add_parser("pdf", help="print a filled template to PDF through LibreOffice")
    pdf.add_argument("file", metavar="FILE.xlsx")
    pdf.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
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
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
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
            _print_findings(findings, sys.stdout, name)
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


def _blank(args: argparse.Namespace, registry: Registry) -> int:
    form = registry.get(args.form)
    write_template(form, args.output, password=args.password, registry=registry)
    print(f"已写出 {args.output}：{form.title}（{len(form.fields)} 个填报栏，{len(form.rules)} 条审核）")
    return 0


def _fill(args: argparse.Namespace, registry: Registry) -> int:
    result = read_report(args.report, registry)
    _print_findings(result.findings)
    write_template(result.form, args.output, result.report, password=args.password, registry=registry)
    print(f"已写出 {args.output}：{len(result.report.values)} 个数值")
    return 1 if any(f.is_error for f in result.findings) else 0


def _read(args: argparse.Namespace, registry: Registry) -> int:
    expect = registry.get(args.form) if args.form else None
    result = read_report(args.file, registry, expect=expect)
    _print_findings(result.findings)
    print(jsonio.dumps(result.report))
    return 1 if any(f.is_error for f in result.findings) else 0


def _pdf(args: argparse.Namespace, registry: Registry) -> int:
    source = Path(args.file)
    target = Path(args.output)
    if not source.is_file():
        raise InputError("IN-001", "no such file", file=str(source))
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            "IN-002", "give a filled .xlsx template", hint="`unionforms fill` makes one", file=str(source)
        )
    with tempfile.TemporaryDirectory(prefix="uf-pdf-") as tmp:
        (written,) = convert([source], "pdf", tmp)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(written), target)
    print(f"已写出 {target}")
    return 0


def _print_findings(findings: Sequence[Finding], stream: TextIO | None = None, file: str = "") -> None:
    """One line a finding (to stderr unless ``stream``): where, 错误/警告, code and rule, the message."""
    stream = stream or sys.stderr
    for f in findings:
        level = "错误" if f.is_error else "警告"
        rule = f" {f.rule}" if f.rule else ""
        print(f"{f.where() or file}: {level} [{f.code}{rule}] {f.message}", file=stream)


_COMMANDS = {
    "list": _list,
    "show": _show,
    "validate": _validate,
    "schema": _schema,
    "blank": _blank,
    "fill": _fill,
    "read": _read,
    "pdf": _pdf,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
