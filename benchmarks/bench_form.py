"""Does a frozen, hashable ``Form`` cost reading or checking time? The same work, ours against a baseline.

    python benchmarks/bench_form.py [-n 300] [--form songwennuan-2017] [--rounds 7]

``Form`` holds its tables (``fields``, ``decimals``, ``aggregate``) as read-only ``FrozenMap``s; before,
they were dicts. The baseline is the same form with those three tables put back as plain dicts (what
``Form`` held), so both run in one process on the same reports, in alternating rounds:

- lookups: every field of the form looked up with ``[]``, ``get`` and ``in``, and its declared places;
- validate: ``unionforms.core.validate`` of N generated reports (typing every value, then every rule);
- read: ``read_xlsx`` of N filled workbooks, the form given (``expect``).

It prints the median per item of each and the ratio ours / baseline (1.00 = the same). Figures only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from unionforms import Form, Kind, Report, default_registry
from unionforms.core.validate import validate
from unionforms.excel import read_xlsx
from unionforms.excel.fill import fill


def with_dicts(form: Form) -> Form:
    """The same form holding its tables as dicts, as ``Form`` did before (the baseline)."""
    baseline = object.__new__(Form)
    for attribute in Form.__attrs_attrs__:
        object.__setattr__(baseline, attribute.name, getattr(form, attribute.name))
    for name in ("fields", "decimals", "aggregate"):
        object.__setattr__(baseline, name, dict(getattr(form, name)))
    return baseline


def reports(form: Form, n: int, rng: random.Random) -> list[Report]:
    out = []
    for _ in range(n):
        values: dict[str, object] = {}
        for field in form.iter_fields():
            if rng.random() < 0.9:
                if field.kind is Kind.COUNT:
                    values[field.code] = rng.randrange(100_000)
                elif field.kind is Kind.MONEY:
                    values[field.code] = Decimal(rng.randrange(10_000_000)).scaleb(-2)
                else:
                    values[field.code] = rng.random() < 0.5
        out.append(Report(form.id, values=values))
    return out


def lookups(form: Form) -> None:
    fields = form.fields
    for code in fields:
        fields[code]
        fields.get(code)
        _ = code in fields
        form.declared_decimals(code)


def timed(work: Callable[[], None], items: int) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) / items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="reports and workbooks (default 300)")
    parser.add_argument("--form", default="songwennuan-2017")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    registry = default_registry()
    ours = registry.get(args.form)
    base = with_dicts(ours)
    batch = reports(ours, args.n, random.Random(2017))
    with tempfile.TemporaryDirectory(prefix="uf-bench-form-") as tmp:
        paths = []
        for i, report in enumerate(batch):
            paths.append(Path(tmp) / f"r{i:04d}.xlsx")
            fill(ours, report, paths[-1])

        def read_all(form: Form) -> Callable[[], None]:
            return lambda: [read_xlsx(p, registry, expect=form) for p in paths] and None

        work: dict[str, Callable[[Form], Callable[[], None]]] = {
            "lookups (one form)": lambda f: lambda: [lookups(f) for _ in range(args.n)] and None,
            "validate (a report)": lambda f: lambda: [validate(f, r) for r in batch] and None,
            "read_xlsx (a file)": read_all,
        }
        for name, make in work.items():
            times: dict[str, list[float]] = {"ours": [], "baseline": []}
            for _ in range(args.rounds):
                for label, form in (("ours", ours), ("baseline", base)):
                    times[label].append(timed(make(form), args.n))
            a, b = statistics.median(times["ours"]), statistics.median(times["baseline"])
            print(f"{name:22} ours {a * 1e6:9.1f} µs  baseline (dicts) {b * 1e6:9.1f} µs  ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
