"""What running where there is no fork costs: bulk and single-file checks, forked against spawned.

    python benchmarks/bench_platforms.py [-n 400] [--jobs 2] [--rounds 3] [--before SRC]

For N generated returns (``tests/returns.py``) it times, best of ``rounds``:

- ``unionforms validate FOLDER --json --jobs J``: the normal run (forked workers: the baseline), and the
  run under simulated Windows (``tests/winsim``: no fork, no SIGALRM, no resource; spawned workers);
- ``unionforms validate ONE.xlsx``: the normal run (one forked worker) and the simulated one (in
  process, under the watchdog thread).

Each simulated run has its own warm form cache, as a Windows user's would be. With ``--before SRC`` (the
``src`` folder of another checkout, e.g. ``git archive main src | tar -x -C /tmp/before``) the normal
runs are timed with that code too, so that the forked path can be compared with what it was. It prints
seconds, files/s and the ratio to the baseline measured in the same run; figures only, no assertions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.returns import make_folder  # noqa: E402

from unionforms import default_registry  # noqa: E402

EXE = Path(sys.executable).with_name("unionforms")
WINSIM = ROOT / "tests" / "winsim"


def timed(argv: list[str], env: dict[str, str], rounds: int, cwd: Path) -> float:
    """The best wall-clock time of ``rounds`` runs (one run first, unmeasured, to warm the cache)."""
    best = float("inf")
    for i in range(rounds + 1):
        started = time.perf_counter()
        done = subprocess.run([str(EXE), *argv], cwd=cwd, env=env, capture_output=True, check=False)
        took = time.perf_counter() - started
        if done.returncode not in (0, 1, 2) or b"internal error" in done.stderr:
            raise SystemExit(f"{argv}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
        if i:
            best = min(best, took)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="the src folder of another checkout, timed as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="uf-bench-platforms-") as tmp:
        top = Path(tmp)
        folder = make_folder(top / "in", default_registry(), args.n)
        one = str(folder.valid[0].relative_to(top))
        base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        modes = {"forked (baseline)": {**base, "UNIONFORMS_CACHE_DIR": str(top / "cache-normal")}}
        if args.before is not None:
            modes["forked, before"] = {
                **base,
                "PYTHONPATH": str(args.before.resolve()),
                "UNIONFORMS_CACHE_DIR": str(top / "cache-before"),
            }
        modes["spawned (simulated Windows)"] = {
            **base,
            "PYTHONPATH": str(WINSIM),
            "UNIONFORMS_CACHE_DIR": str(top / "cache-windows"),
        }
        cases = {
            f"validate FOLDER --jobs {args.jobs} ({folder.inputs} inputs)": (
                ["validate", "in", "--json", "--jobs", str(args.jobs)],
                folder.inputs,
            ),
            "validate ONE.xlsx": (["validate", one], 1),
        }
        print(f"{os.cpu_count()} cores, best of {args.rounds}")
        for case, (argv, files) in cases.items():
            print(f"\n{case}")
            baseline = None
            for mode, env in modes.items():
                seconds = timed(argv, env, args.rounds, top)
                baseline = baseline or seconds
                print(
                    f"  {mode:<30} {seconds:7.3f} s  {files / seconds:8.1f} files/s  "
                    f"×{baseline / seconds:.2f} the baseline's speed"
                )


if __name__ == "__main__":
    main()
