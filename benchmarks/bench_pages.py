"""How many pages does each kind of workbook we write print, in LibreOffice and in Gnumeric?

Writes every kind (blank and filled templates of the four forms, filled with the longest entries; an
annotated copy of a return with 3 errors; the report workbook of a bulk check; the 报送进度 of a
60-unit round; a total), prints each through LibreOffice (``unionforms pdf``'s path: the print copy
without screen colours) and through Gnumeric's own PDF export (``ssconvert``), and prints the page
counts side by side, with the total. Run it on two checkouts to compare them (the source tree first on
``PYTHONPATH``)::

    python benchmarks/bench_pages.py
    PYTHONPATH=/path/to/other/src python benchmarks/bench_pages.py --label before

Gnumeric's export ignores the print area (it prints the check area and column F as well), so its
counts are what a Gnumeric user sees, not the planned pages. No assertions: figures only.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from unionforms import Kind, Meta, Registry, Report, default_registry
from unionforms.collect.aggregate import aggregate
from unionforms.collect.annotate import annotate
from unionforms.collect.batch import Check, Result, expand, run_bulk
from unionforms.collect.current import decide
from unionforms.collect.progress import book_rows, progress
from unionforms.collect.roster import ListedUnit, Roster
from unionforms.collect.totals import collect, write_xlsx
from unionforms.core.validate import check_rules
from unionforms.excel.fill import fill
from unionforms.excel.findings_book import FindingsBook
from unionforms.excel.libreoffice import convert
from unionforms.excel.printcopy import write_print_copy
from unionforms.excel.progress_book import write_progress_book
from unionforms.excel.writer import write_template
from unionforms.io.reading import read_report


def check_paths(paths: list[str], *, registry: Registry) -> list[Result]:
    """Every input under ``paths`` read and checked as ``validate`` checks it."""
    return list(run_bulk(Check(registry), expand(paths, registry)))


FORMS = ("songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016")
META = Meta(
    unit="中华全国总工会四川省乐山市市中区某某街道办事处联合工会委员会",
    filled_by="欧阳某某某某",
    phone="010-68592114 转 8021, 13800138000",
    date=datetime.date(2017, 1, 15),
)


def books(tmp: Path) -> dict[str, Path]:
    """Every kind of workbook, as it goes to print, by name."""
    registry = default_registry()
    (tmp / "print").mkdir()
    out: dict[str, Path] = {}
    for form_id in FORMS:
        form = registry.get(form_id)
        write_template(form, tmp / f"blank-{form_id}.xlsx")
        largest = {
            f.code: True
            if f.kind is Kind.FLAG
            else (10**15 - 1 if f.kind is Kind.COUNT else Decimal("9999999999999.99"))
            for f in form.iter_fields()
        }
        fill(form, Report(form_id, META, largest), tmp / f"filled-{form_id}.xlsx")
    for kind in ("blank", "filled"):
        for form_id in FORMS:
            name = f"{kind}-{form_id}"
            out[name] = write_print_copy(tmp / f"{name}.xlsx", tmp / "print" / f"{name}.xlsx")
    form = registry.get("songwennuan-2017")
    broken = {"01A": 10, "01B": 50, "03A": 5, "03B": 9, "05": 10, "05A": 4, "05B": 4, "05C": 4}
    source = tmp / "returns" / "甲.xlsx"
    fill(form, Report(form.id, Meta(unit="甲县总工会"), {k: Decimal(v) for k, v in broken.items()}), source)
    read = read_report(source, registry)
    findings = (*read.findings, *check_rules(read.form, read.report, read.source))
    annotated = annotate(source, findings, tmp / "annotated.xlsx")
    out["annotated"] = write_print_copy(annotated, tmp / "print" / "annotated.xlsx")
    fill(form, Report(form.id, Meta(unit="乙县总工会"), {"01A": 10, "01B": 5}), tmp / "returns" / "乙.xlsx")
    with FindingsBook(tmp / "report.xlsx") as book:
        for result in check_paths([str(tmp / "returns")], registry=registry):
            book.add(result)
    out["report"] = tmp / "report.xlsx"
    listed = [ListedUnit("甲县总工会", phone=META.phone), ListedUnit("乙县总工会", contact="欧阳某某某某")]
    listed += [ListedUnit(f"{META.unit}第{i}分会", code=f"5111{i:02d}") for i in range(58)]
    rnd = decide(check_paths([str(tmp / "returns")], registry=registry), roster=Roster(tuple(listed)))
    out["status"] = write_progress_book(tmp / "status.xlsx", *book_rows(progress(rnd)))
    total = aggregate(
        collect([str(tmp / "returns")], registry=registry), registry, unit="乐山市总工会", header=META
    )
    out["total"] = write_print_copy(write_xlsx(total, tmp / "total.xlsx"), tmp / "print" / "total.xlsx")
    return out


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--keep", type=Path, help="copy the PDFs here (libreoffice-*.pdf, gnumeric-*.pdf)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        written = books(tmp)
        libre = convert(list(written.values()), "pdf", tmp / "libreoffice")
        gnumeric: list[int | None] = []
        ssconvert = shutil.which("ssconvert")
        for kind, book in written.items():
            if ssconvert is None:
                gnumeric.append(None)
                continue
            pdf = tmp / "gnumeric" / f"{kind}.pdf"
            pdf.parent.mkdir(exist_ok=True)
            subprocess.run(
                [ssconvert, "-T", "Gnumeric_pdf:pdf_assistant", str(book), str(pdf)],
                capture_output=True,
                timeout=120,
                check=True,
            )
            gnumeric.append(page_count(pdf))
        print(f"pages per workbook kind ({args.label})")
        print(f"{'kind':<26}{'LibreOffice':>12}{'Gnumeric':>10}")
        counts = [page_count(pdf) for pdf in libre]
        for kind, lo, gn in zip(written, counts, gnumeric, strict=True):
            print(f"{kind:<26}{lo:>12}{'-' if gn is None else gn:>10}")
        gn_total = "-" if None in gnumeric else sum(n or 0 for n in gnumeric)
        print(f"{'all kinds':<26}{sum(counts):>12}{gn_total:>10}")
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            for kind, pdf in zip(written, libre, strict=True):
                shutil.copyfile(pdf, args.keep / f"libreoffice-{kind}.pdf")
                if ssconvert is not None:
                    shutil.copyfile(tmp / "gnumeric" / f"{kind}.pdf", args.keep / f"gnumeric-{kind}.pdf")


if __name__ == "__main__":
    main()
