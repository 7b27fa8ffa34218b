"""How fast is collecting? Fill, validate and aggregate N generated returns, ours against plain openpyxl.

    python benchmarks/bench_collect.py [-n 2000] [--scale 10] [--jobs 2] [--sample 300]

For N returns (mixed forms, some broken, one sent twice, unusable files and a lock file; see
``tests/returns.py``) and again for ``scale`` × N, it prints files/s, the ratio to the baseline run in
the same process, and peak RSS:

- fill: :func:`unionforms.excel.fill.fill` per return against a bare openpyxl workbook with the same cells;
- read + validate, in process, one core: ``read_report`` + ``check_rules`` against openpyxl
  ``load_workbook(read_only=True, data_only=True)`` reading the named cells;
- the CLI: ``unionforms validate FOLDER --json`` with ``--jobs 1`` pinned to one core (``taskset``: the
  command and its worker share it), ``--jobs 1`` and ``--jobs N``; ``unionforms aggregate FOLDER -o
  total.json`` with ``--jobs 1`` and ``--jobs N``. For each: files/s, CPU ms a file (the workers'
  included), the peak RSS of the command's process and of its largest worker (``/proc``, sampled);
  an unexpected exit status stops the benchmark (a refused run is not a fast one);
- aggregation's baseline: openpyxl reading each return and adding its numbers up;
- start-up of the commands that write nothing (``bench_startup.py``, with fewer rounds).

Baselines run on ``--sample`` files (they are rates; the full run would take minutes). Figures only,
no assertions: the machine's load shows in them.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import openpyxl  # noqa: E402
from bench_reader import read_openpyxl  # noqa: E402
from tests.returns import MAIN_FORM, make_folder, meta, valid_values  # noqa: E402

from unionforms import Form, Report, default_registry  # noqa: E402
from unionforms.core.validate import check_rules  # noqa: E402
from unionforms.excel.fill import fill  # noqa: E402
from unionforms.excel.layout import plan  # noqa: E402
from unionforms.io.reading import read_report  # noqa: E402

EXE = Path(sys.executable).with_name("unionforms")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_openpyxl(form: Form, report: Report, path: Path) -> None:
    """The baseline writer: a bare openpyxl workbook with the same cells (no styles, checks or names)."""
    layout = plan(form)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for code, value in report.values.items():
        ws[layout.fields[code]] = ("是" if value else "否") if isinstance(value, bool) else value
    m = report.meta
    for attr in ("unit", "filled_by", "phone", "date"):
        if getattr(m, attr) is not None:
            ws[layout.meta[attr]] = getattr(m, attr)
    wb.save(path)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.0f} files/s ({seconds * 1000 / n:6.2f} ms/file)"


@attrs.frozen
class Ran:
    """One run of a command: wall and CPU seconds (its workers' included), peak RSS in MiB of the
    command's own process and of its largest worker, and the exit status."""

    seconds: float
    cpu: float
    rss: float
    worker_rss: float
    status: int

    def rate(self, n: int) -> str:
        return f"{rate(n, self.seconds)}, CPU {self.cpu * 1000 / n:5.2f} ms/file"

    def memory(self) -> str:
        workers = f" + worker {self.worker_rss:4.1f}" if self.worker_rss else ""
        return f"peak RSS {self.rss:5.1f} MiB{workers}"


def _peak_kib(pid: int) -> int:
    """The peak resident memory (VmHWM) of process ``pid`` so far, in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def command(argv: list[str], *, expect: tuple[int, ...], pin: bool = False) -> Ran:
    """Run ``unionforms argv`` (on one core with ``pin``); the peaks are sampled every 20 ms, a
    worker's peak being the largest seen (a peak is a high-water mark, so sampling misses only the last
    20 ms). An exit status not in ``expect`` stops the benchmark: a refused run is not a fast one."""
    prefix = ["taskset", "-c", "0"] if pin else []  # taskset execs the command: the same process
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*prefix, str(EXE), *argv], stdout=subprocess.DEVNULL, stderr=err)
        own = worker = 0
        while proc.poll() is None:
            own = max(own, _peak_kib(proc.pid))
            for child in _children(proc.pid):
                worker = max(worker, _peak_kib(child))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in expect:
            err.seek(0)
            text = err.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"`unionforms {' '.join(argv)}` exited {proc.returncode}:\n{text}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Ran(seconds, cpu, own / 1024, worker / 1024, proc.returncode)


def timed(items: list[Path], step: Callable[[Path], object]) -> float:
    started = time.perf_counter()
    for path in items:
        step(path)
    return time.perf_counter() - started


def run(n: int, jobs: int, sample: int, tmp: Path) -> None:
    registry = default_registry()
    print(f"\n=== N = {n} returns (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores) ===")
    started = time.perf_counter()
    folder = make_folder(tmp / f"returns-{n}", registry, n, seed=n)
    made = time.perf_counter() - started
    files = sorted(p for p in folder.root.rglob("*.xlsx") if p.parent.name != "其他")
    print(f"generated {folder.inputs} inputs ({len(files)} filled .xlsx) in {made:.1f} s")

    # fill: ours against a bare openpyxl workbook with the same cells
    form = registry.get(MAIN_FORM)
    rng = random.Random(1)
    reports = [Report(form.id, meta(f"单位{i}", rng), valid_values(form, rng)) for i in range(min(n, 3000))]
    out = tmp / f"fill-{n}"
    fill(form, reports[0], out / "warm.xlsx")  # the template is built once per process
    started = time.perf_counter()
    for i, r in enumerate(reports):
        fill(form, r, out / f"{i}.xlsx")
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for i, r in enumerate(reports[:sample]):
        bare_openpyxl(form, r, out / f"bare{i}.xlsx")
    base = time.perf_counter() - started
    k = min(sample, len(reports))
    print(
        f"fill          ours {rate(len(reports), ours)} | bare openpyxl {rate(k, base)}"
        f" | ×{(len(reports) / ours) / (k / base):.1f} | {len(reports)} filled in {ours:.1f} s"
    )
    shutil.rmtree(out)

    # read + validate in process (one core)
    def ours_step(path: Path) -> object:
        read = read_report(path, registry)
        return check_rules(read.form, read.report, read.source)

    # The baseline's files are spread over ours, each timed right after ours read it: both meet the
    # same machine load (a shared machine's load changes within seconds).
    every = max(1, len(files) // max(1, sample))
    subset = files[::every][:sample]
    ours_s = base_s = ours_cpu = base_cpu = 0.0
    ours_step(files[0])  # imports and per-process caches, as in a long run
    read_openpyxl(files[0])
    for i, path in enumerate(files):
        cpu = time.process_time()
        ours_s += timed([path], ours_step)
        ours_cpu += time.process_time() - cpu
        if i % every == 0 and i // every < len(subset):
            cpu = time.process_time()
            base_s += timed([path], read_openpyxl)
            base_cpu += time.process_time() - cpu
    ratio = (len(files) / ours_s) / (len(subset) / base_s)
    cpu_ratio = (len(files) / ours_cpu) / (len(subset) / base_cpu)
    print(
        f"read+validate ours {rate(len(files), ours_s)} | openpyxl read only {rate(len(subset), base_s)}"
        f" | ×{ratio:.1f} (CPU time ×{cpu_ratio:.1f})"
    )

    # aggregation's baseline: openpyxl reading each return and adding its numbers up
    def add_up(path: Path) -> None:
        total: dict[str, object] = {}
        for name, value in read_openpyxl(path).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[name] = Decimal(repr(value))

    agg_base = timed(subset, add_up)

    # the command line: validate exits 2 (the folder holds unusable files), aggregate 0 or 1
    n_in = folder.inputs
    base_rate = len(subset) / base_s  # openpyxl reading alone, files/s
    print(f"load average {os.getloadavg()[0]:.1f} before the CLI runs")
    root = str(folder.root)
    pinned = command(["validate", root, "--json"], expect=(2,), pin=True)
    one = command(["validate", root, "--json"], expect=(2,))
    many = command(["validate", root, "--json", "--jobs", str(jobs)], expect=(2,))
    print(
        f"CLI validate --jobs 1, one core  {pinned.rate(n_in)}, {pinned.memory()}"
        f" | ×{(n_in / pinned.seconds) / base_rate:.1f} openpyxl reading alone"
        f"\nCLI validate --jobs 1            {one.rate(n_in)}, {one.memory()}"
        f"\nCLI validate --jobs {jobs}            {many.rate(n_in)}, {many.memory()}"
        f" | ×{pinned.seconds / many.seconds:.2f} the one-core run"
    )
    total = tmp / f"total-{n}.json"
    argv = ["aggregate", root, "--unit", "汇总", "-o", str(total), "--force"]
    agg1 = command(argv, expect=(0, 1))
    aggj = command([*argv, "--jobs", str(jobs)], expect=(0, 1))
    agg_rate = len(subset) / agg_base
    print(
        f"CLI aggregate --jobs 1           {agg1.rate(n_in)}, {agg1.memory()}"
        f" | ×{(n_in / agg1.seconds) / agg_rate:.1f} openpyxl read+add {rate(len(subset), agg_base)}"
        f"\nCLI aggregate --jobs {jobs}           {aggj.rate(n_in)}, {aggj.memory()}"
        f"\n  3,000 returns at these rates: {3000 * agg1.seconds / n_in:.1f} s (--jobs 1),"
        f" {3000 * aggj.seconds / n_in:.1f} s (--jobs {jobs})"
    )
    shutil.rmtree(folder.root)


def startup() -> None:
    """Start-up of the commands that write nothing, as ``bench_startup.py`` times it (fewer rounds)."""
    from bench_startup import run as startup_rounds

    print("\n".join(startup_rounds(rounds=7)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="returns in the first run (default 2000)")
    parser.add_argument(
        "--scale", type=int, default=10, help="the second run has scale × N returns (0: none)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes for the --jobs runs (default 2)")
    parser.add_argument("--sample", type=int, default=300, help="files the baselines run on (default 300)")
    args = parser.parse_args()
    startup()
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp:
        run(args.n, args.jobs, args.sample, Path(tmp))
        if args.scale > 1:
            run(args.n * args.scale, args.jobs, args.sample, Path(tmp))
    print(f"\nbenchmark process peak RSS {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
