"""`pdf`: print a filled template to PDF through LibreOffice, for the sealed paper copy."""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.xlsx", help="填好（或空白）的模板 / a filled (or blank) template")


@command(
    "pdf",
    "用 LibreOffice 把填好的模板打印为 PDF / print a filled template to PDF through LibreOffice",
    arguments=_arguments,
    output="required",
    output_metavar="FILE.pdf",
)
def pdf_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.excel.libreoffice import to_pdf

    written = to_pdf(args.file, args.output, force=args.force)
    ctx.output.result({"written": str(written)}, f"已写出 {written}")
    return 0
