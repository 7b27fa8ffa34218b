"""How fast, and in how much memory, does `export` write 100,000 returns into SQLite and PostgreSQL?

Returns of a form are generated on the fly (a stream: none is kept), 80 % of the fields filled, and
written by :func:`unionforms.io.writers.export` — batched inserts in one transaction — into a fresh
SQLite file and a fresh PostgreSQL server started for the run (``tests/pgserver.py``). The baseline, in
the same run and on the same tables, is the naive way: one INSERT statement per row, for the first
``--baseline`` returns. The long CSV export is timed too.

Memory: the resident set size is sampled every 10 % of the returns; flat means the last sample is
about the first.

    python benchmarks/bench_export.py [-n 100000] [--baseline 2000] [--form songwennuan-2017] [--no-postgres]

No assertions: figures only.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pgserver import bin_dir, running_postgres

from unionforms import Form, Kind, Meta, Report, default_registry
from unionforms.io import sql
from unionforms.io.tables import Return
from unionforms.io.writers import export


def rss_mib() -> float:
    """The resident set size now, in MiB (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def returns(form: Form, n: int, seed: int, samples: list[float] | None = None) -> Iterator[Return]:
    """``n`` generated returns of ``form``, one unit each; RSS appended to ``samples`` every n/10."""
    rng = random.Random(seed)
    fields = list(form.iter_fields())
    step = max(n // 10, 1)
    for i in range(n):
        values: dict[str, object] = {}
        for f in fields:
            if rng.random() < 0.8:
                if f.kind is Kind.COUNT:
                    values[f.code] = rng.randrange(0, 100_000)
                elif f.kind is Kind.MONEY:
                    values[f.code] = Decimal(rng.randrange(0, 10_000_000)) / 100
                else:
                    values[f.code] = rng.random() < 0.5
        report = Report(form.id, Meta(unit=f"第{i}基层工会", date=datetime.date(2017, 1, 15)), values)
        if samples is not None and i % step == 0:
            samples.append(rss_mib())
        yield Return(f"returns/{i:06}.json", form, report, "ok", (), None, "0" * 64)


def timed_export(form: Form, n: int, url: str) -> tuple[float, int, list[float]]:
    samples: list[float] = []
    start = time.perf_counter()
    summary = export(returns(form, n, 1, samples), url)
    seconds = time.perf_counter() - start
    samples.append(rss_mib())
    return seconds, summary.rows, samples


def naive(form: Form, n: int, url: str) -> tuple[float, int]:
    """The baseline: the same tables, one INSERT per row, one transaction."""
    engine = sa.create_engine(url)
    sql.metadata.create_all(engine)
    rows = 0
    start = time.perf_counter()
    with engine.begin() as conn:
        for ret in returns(form, n, 2):
            row = sql._return_row(ret, datetime.datetime.now(datetime.UTC))
            row["unit_key"] = "naive:" + row["unit_key"]
            rid = conn.execute(sql.returns_table.insert().returning(sql.returns_table.c.id), row).scalar_one()
            for value in sql._value_rows(rid, ret):
                conn.execute(sql.values_table.insert(), dict(zip(sql._VALUE_COLUMNS, value, strict=True)))
                rows += 1
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, rows


def report(
    name: str, n: int, seconds: float, rows: int, samples: list[float], base: tuple[float, int]
) -> None:
    rate = rows / seconds
    base_rate = base[1] / base[0]
    print(f"{name}: {n} returns, {rows} value rows in {seconds:.1f} s = {rate:,.0f} rows/s", end="")
    print(f" ({n / seconds:,.0f} returns/s)")
    print(f"  baseline (one INSERT per row, {base[1]} rows): {base_rate:,.0f} rows/s", end="")
    print(f" -> export is {rate / base_rate:.1f}x")
    print(f"  RSS MiB at 0%..100%: {' '.join(f'{s:.0f}' for s in samples)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=100_000, help="returns to export (default 100000)")
    p.add_argument(
        "--baseline", type=int, default=2_000, help="returns for the naive baseline (default 2000)"
    )
    p.add_argument("--form", default="songwennuan-2017")
    p.add_argument("--no-postgres", action="store_true")
    args = p.parse_args()
    form = default_registry().get(args.form)
    print(f"form {form.id}: {len(form.fields)} fields, 80 % filled; start RSS {rss_mib():.0f} MiB")
    with tempfile.TemporaryDirectory(prefix="uf-bench-") as tmp:
        start = time.perf_counter()
        csv_summary = export(returns(form, args.n, 1), str(Path(tmp) / "long.csv"))
        seconds = time.perf_counter() - start
        rate = csv_summary.rows / seconds
        print(f"CSV (long): {csv_summary.rows} rows in {seconds:.1f} s = {rate:,.0f} rows/s")

        url = f"sqlite:///{Path(tmp) / 'figures.db'}"
        seconds, rows, samples = timed_export(form, args.n, url)
        base = naive(form, args.baseline, f"sqlite:///{Path(tmp) / 'naive.db'}")
        report("SQLite", args.n, seconds, rows, samples, base)

        if args.no_postgres or bin_dir() is None:
            print("PostgreSQL: skipped (not installed, or --no-postgres)")
        else:
            with running_postgres() as pg:
                engine = sa.create_engine(pg)
                with engine.connect() as conn:
                    print(
                        conn.exec_driver_sql("SHOW server_version").scalar_one(),
                        "(PostgreSQL server_version)",
                    )
                engine.dispose()
                seconds, rows, samples = timed_export(form, args.n, pg)
                base = naive(form, args.baseline, pg)
                report("PostgreSQL", args.n, seconds, rows, samples, base)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
