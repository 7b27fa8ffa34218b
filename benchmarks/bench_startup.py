"""How fast do the commands that write nothing start? Each against bare Python and ``import openpyxl``.

    python benchmarks/bench_startup.py [-n 15] [--compare OTHER/bin/unionforms]

Times ``unionforms list``, ``show FORM``, ``schema FORM``, ``validate ONE.xlsx`` and ``read ONE.xlsx`` as
a user runs them (the installed console script, a new process each time), with the registry cache warm
(a previous run left it) and cold (its folder emptied before every run), against ``python -c pass`` and
``python -c "import openpyxl"`` run in the same rounds, interleaved, so that the machine's load falls on
all of them alike. It prints the median wall time and CPU time (user + system) of each, and the ratios
of wall times to the two baselines. ``--compare`` adds the same commands of another installation (say,
the main branch's) to the rounds. Byte-code caches are allowed (``PYTHONDONTWRITEBYTECODE`` is dropped):
an installed package has them. Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORM = "songwennuan-2017"
EXE = Path(sys.executable).with_name("unionforms")


def _spawn(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run ``argv`` with its output thrown away: wall seconds, CPU seconds, exit status."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
        started = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - started
    finally:
        os.close(null)
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def _filled_return(folder: Path, env: dict[str, str]) -> Path:
    report = folder / "r.json"
    report.write_text(json.dumps({"form": FORM, "values": {"01A": 120, "01B": 30}}), encoding="utf-8")
    target = folder / "one.xlsx"
    subprocess.run(
        [str(EXE), "fill", str(report), "-o", str(target)], check=True, env=env, capture_output=True
    )
    return target


def run(rounds: int = 15, compare: Path | None = None) -> list[str]:
    """Time every command ``rounds`` times; the printed table as lines."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        cache = folder / "cache"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["UNIONFORMS_CACHE_DIR"] = str(cache)
        env.pop("UNIONFORMS_NO_CACHE", None)
        one = _filled_return(folder, env)
        commands = {
            "list": ["list"],
            f"show {FORM}": ["show", FORM],
            f"schema {FORM}": ["schema", FORM],
            "validate ONE.xlsx": ["validate", str(one)],
            "read ONE.xlsx": ["read", str(one)],
        }
        # The other installation's cache in a folder of its own: emptying ours (cold runs) leaves it warm.
        other = {**env, "UNIONFORMS_CACHE_DIR": str(folder / "cache-compared")}
        python = sys.executable
        runs: dict[str, tuple[list[str], bool, dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], False, env),
            "python -c 'import openpyxl'": ([python, "-c", "import openpyxl"], False, env),
        }
        for name, argv in commands.items():
            runs[f"{name} (warm cache)"] = ([str(EXE), *argv], False, env)
        for name, argv in commands.items():
            runs[f"{name} (cold cache)"] = ([str(EXE), *argv], True, env)
        if compare is not None:
            for name, argv in commands.items():
                runs[f"{name} [{compare}]"] = ([str(compare), *argv], False, other)
        walls: dict[str, list[float]] = {name: [] for name in runs}
        cpus: dict[str, list[float]] = {name: [] for name in runs}
        for argv, _, environ in runs.values():  # warm up: byte code written, cache filled, files in memory
            _spawn(argv, environ)
        for _ in range(rounds):
            for name, (argv, cold, environ) in runs.items():
                if cold:
                    shutil.rmtree(cache, ignore_errors=True)
                wall, cpu, status = _spawn(argv, environ)
                if status not in (0, 1):
                    raise SystemExit(f"`{' '.join(argv)}` exited {status}")
                walls[name].append(wall)
                cpus[name].append(cpu)
    median = {name: statistics.median(w) for name, w in walls.items()}
    bare, openpyxl = median["python -c pass"], median["python -c 'import openpyxl'"]
    width = max(map(len, runs)) + 1
    lines = [
        f"start-up, median of {rounds} runs each, interleaved; load average {load_before[0]:.2f} before,"
        f" {os.getloadavg()[0]:.2f} after (2 cores)",
        f"{'':{width}s} {'wall ms':>8s} {'cpu ms':>7s} {'× pass':>7s} {'× openpyxl':>11s}",
    ]
    for name in runs:
        lines.append(
            f"{name:{width}s} {median[name] * 1000:8.1f} {statistics.median(cpus[name]) * 1000:7.1f}"
            f" {median[name] / bare:7.1f} {median[name] / openpyxl:11.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--compare", type=Path, help="another installation's unionforms, timed alongside")
    args = parser.parse_args()
    print("\n".join(run(max(args.n, 1), args.compare)))


if __name__ == "__main__":
    main()
