"""How fast is an annotated copy? Writes N filled returns with broken rules, then, for each, times

(a) the baseline: ``openpyxl.load_workbook`` + ``save`` of the return, nothing changed (what any copy
    made through openpyxl costs at least; the old annotator did this and more);
(b) :func:`unionforms.collect.annotate.annotate`: the letter and the marks patched into the XML.

Both run in the same process on the same files, alternating, and the ratio (a)/(b) is printed.

    python benchmarks/bench_annotate.py [-n 100] [--form songwennuan-2017]

No assertions: figures only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from io import BytesIO
from pathlib import Path

import openpyxl

from unionforms import Finding, Kind, Report, default_registry
from unionforms.collect.annotate import annotate
from unionforms.core.validate import check_rules
from unionforms.excel.fill import fill
from unionforms.io.reading import read_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--form", default="songwennuan-2017")
    args = parser.parse_args()
    registry = default_registry()
    form = registry.get(args.form)
    rng = random.Random(22)
    with tempfile.TemporaryDirectory() as tmp:
        work: list[tuple[Path, tuple[Finding, ...]]] = []
        for i in range(args.n):
            values: dict[str, object] = {}
            for field in form.iter_fields():  # random figures: every return breaks some rules
                if field.kind is Kind.FLAG:
                    values[field.code] = rng.random() < 0.5
                else:
                    values[field.code] = rng.randrange(1000)
            path = Path(tmp) / f"{i}.xlsx"
            fill(form, Report(form.id, values=values), path)
            read = read_report(path, registry)
            work.append((path, (*read.findings, *check_rules(read.form, read.report, read.source))))
        annotate(*work[0], Path(tmp) / "warm.xlsx")  # imports and template caches warm for both
        openpyxl.load_workbook(work[0][0]).save(BytesIO())
        base: list[float] = []
        fast: list[float] = []
        for i, (path, findings) in enumerate(work):
            t = time.perf_counter()
            openpyxl.load_workbook(path).save(BytesIO())
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            annotate(path, findings, Path(tmp) / f"a{i}.xlsx")
            fast.append(time.perf_counter() - t)
    a, b = statistics.median(base), statistics.median(fast)
    found = statistics.median(len(f) for _, f in work)
    print(f"{args.form}: {args.n} returns, median {found:g} findings each")
    print(f"(a) openpyxl load + save  median {a * 1000:7.2f} ms")
    print(f"(b) annotate (patched)    median {b * 1000:7.2f} ms   (a)/(b) = {a / b:.1f}x")


if __name__ == "__main__":
    main()
