"""What does a very large table cost? A wide CSV of N rows through ``unionforms validate``, against a
plain ``csv`` module pass over the same file, with peak memory.

    python benchmarks/bench_tables.py [-n 1000000] [--within 50000]

- ``-n`` rows (past the table bound, 50,000 returns): refused whole (IN-065) after counting its rows;
- ``--within`` rows (at most the bound): read and checked, every row its own input.

Each is timed against ``csv.reader`` over the same file in its own process (rows counted, nothing
kept), and each process's peak RSS is printed. Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = Path(sys.executable).with_name("unionforms")
PLAIN = (
    "import csv,sys\n"
    "with open(sys.argv[1], encoding='utf-8-sig', newline='') as f: print(sum(1 for _ in csv.reader(f)))"
)


def write(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("unit,form,01A,01B,02A,05,05A\n")
        for i in range(n):
            a = rng.randrange(1000, 9000)
            fh.write(f"第{i:07d}县总工会,songwennuan-2017,{a},{a // 3},{a // 4},12.50,12.50\n")


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, this child's own peak RSS in MiB (``wait4``), exit status."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--within", type=int, default=50_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        for rows in (args.n, args.within):
            path = Path(tmp) / f"wide-{rows}.csv"
            write(path, rows)
            size = path.stat().st_size / (1 << 20)
            plain = timed([sys.executable, "-c", PLAIN, str(path)])
            ours = timed([str(EXE), "validate", str(path), "--json", "--quiet"])
            print(
                f"{rows:>9,} rows ({size:5.1f} MiB): csv module {plain[0]:6.2f} s, peak {plain[1]:6.1f} MiB"
                f" | unionforms validate {ours[0]:6.2f} s, peak {ours[1]:6.1f} MiB, exit {ours[2]}"
                f" | ×{ours[0] / plain[0]:.1f} the time"
            )


if __name__ == "__main__":
    main()
