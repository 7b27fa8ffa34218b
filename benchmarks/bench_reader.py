"""How fast is read_xlsx? Writes N filled workbooks of a form, then reads them two ways and prints figures.

(a) openpyxl: ``load_workbook(read_only=True, data_only=True)``, the ``_unionforms`` sheet read for the
    form id, then the cells of the defined names picked from one pass over the main sheet's rows;
(b) :func:`unionforms.excel.read_xlsx`, which also types the values and collects findings.

    python benchmarks/bench_reader.py [-n 200] [--form songwennuan-2017] [--libreoffice]

``--libreoffice`` first saves every file again through LibreOffice (shared strings, rich text, many
attributes: closer to what fillers send back), times (c) reading each file as written against as saved
by LibreOffice, in turn, and then (a) and (b) on the saved files. No assertions: figures only.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries

from unionforms import Form, Kind, Meta, Report, default_registry
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill


def write_filled(form: Form, path: Path, rng: random.Random) -> None:
    """The real template of ``form`` (styles, validation, live checks), 90 % of its fields filled."""
    values: dict[str, object] = {}
    for field in form.iter_fields():
        if rng.random() < 0.9:
            if field.kind is Kind.COUNT:
                values[field.code] = rng.randrange(100_000)
            elif field.kind is Kind.MONEY:
                values[field.code] = Decimal(rng.randrange(10_000_000)) / 100
            else:
                values[field.code] = rng.random() < 0.5
    meta = Meta(unit="某市总工会", filled_by="张三", phone="13800138000", date=datetime.date(2017, 1, 15))
    fill(form, Report(form.id, meta, values), path)


def read_openpyxl(path: Path) -> dict[str, object]:
    """What (b) does, the usual openpyxl way: identify the form, then the named cells' values."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ident = {
            str(k): v
            for k, v in wb["_unionforms"].iter_rows(min_row=1, max_row=4, max_col=2, values_only=True)
        }
        assert ident.get("form")
        wanted: dict[tuple[int, int], str] = {}
        sheets = set()
        for name, dn in wb.defined_names.items():
            if not name.startswith(("F_", "H_")):
                continue
            for sheet, ref in dn.destinations:
                col, row, _, _ = range_boundaries(ref.replace("$", ""))
                assert col is not None and row is not None
                wanted[(row, col)] = name
                sheets.add(sheet)
        values: dict[str, object] = {}
        if not sheets:
            return values
        (sheet_name,) = sheets
        last = max(r for r, _ in wanted)
        for r, cells in enumerate(wb[sheet_name].iter_rows(max_row=last, values_only=True), 1):
            for c, value in enumerate(cells, 1):
                name = wanted.get((r, c))
                if name is not None and value is not None:
                    values[name] = value
        return values
    finally:
        wb.close()


def agree(by_openpyxl: dict[str, object], by_reader: Mapping[str, object]) -> bool:
    """Whether both read the same field values (openpyxl's floats taken at their shortest repr)."""

    def plain(value: object) -> object:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float):
            return Decimal(repr(value))
        return value

    fields = {k: plain(v) for k, v in by_openpyxl.items() if k.startswith("F_")}
    return fields == {"F_" + c.replace(".", "_"): plain(v) for c, v in by_reader.items()}


def timed(files: list[Path], *reads: Callable[[Path], object]) -> list[list[float]]:
    """Each file read each way in turn, so that every way meets the same machine load."""
    for read in reads:
        read(files[0])  # warm up imports and caches
    times: list[list[float]] = [[] for _ in reads]
    for path in files:
        for read, kept in zip(reads, times, strict=True):
            started = time.perf_counter()
            read(path)
            kept.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="number of workbooks (default 200)")
    parser.add_argument("--form", default="songwennuan-2017")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--libreoffice", action="store_true", help="save every file through LibreOffice first"
    )
    args = parser.parse_args()
    registry = default_registry()
    form = registry.get(args.form)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-reader-") as tmp:
        folder = Path(tmp) / "written"
        folder.mkdir()
        started = time.perf_counter()
        files = [folder / f"{i:04d}.xlsx" for i in range(args.n)]
        for path in files:
            write_filled(form, path, rng)
        print(f"wrote {args.n} workbooks of {form.id} with openpyxl in {time.perf_counter() - started:.1f} s")
        if args.libreoffice:
            soffice = shutil.which("soffice")
            if soffice is None:
                raise SystemExit("--libreoffice: soffice not found")
            out = Path(tmp) / "libreoffice"
            started = time.perf_counter()
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--headless",
                    "--convert-to",
                    "xlsx",
                    "--outdir",
                    str(out),
                    *map(str, files),
                ],
                check=True,
                capture_output=True,
            )
            own, files = files, [out / p.name for p in files]
            print(f"saved them through LibreOffice in {time.perf_counter() - started:.1f} s")
            # each return read as we wrote it and as LibreOffice saved it, in turn: the same load for both
            pairs = [(o, s) for o, s in zip(own, files, strict=True)]
            ours, theirs = timed(
                [o for o, _ in pairs],
                lambda p: read_xlsx(p, registry, expect=form),
                lambda p: read_xlsx(out / p.name, registry, expect=form),
            )
            mo, ms = statistics.median(ours), statistics.median(theirs)
            print(
                f"(c) read_xlsx of our own template {mo * 1000:.2f} ms/file, "
                f"of the same saved by LibreOffice "
                f"{ms * 1000:.2f} ms/file: ×{ms / mo:.2f} the time"
            )
        size = statistics.median(p.stat().st_size for p in files)
        print(f"median file size {size / 1024:.1f} KiB")

        a, b = timed(files, read_openpyxl, lambda p: read_xlsx(p, registry, expect=form))
        checked = files[: min(20, len(files))]
        same = sum(agree(read_openpyxl(p), read_xlsx(p, registry).report.values) for p in checked)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"(a) openpyxl read-only, data-only: median {ma * 1000:.2f} ms/file")
        print(f"(b) read_xlsx:                      median {mb * 1000:.2f} ms/file")
        print(f"(b) is faster by ×{ma / mb:.1f}")
        print(f"the two agree on the values of {same} of the {len(checked)} files checked")


if __name__ == "__main__":
    main()
