"""What does the round cost? ``status`` with a 名录 against ``validate`` of the same folder, and the
gain of ``--jobs 2`` now that the parent opens no workbook.

    python benchmarks/bench_round.py [-n 3000] [--rounds 3]

N generated returns (``tests/returns.py``: mixed forms, broken ones, a duplicate, unusable files, a lock
file) and a 名录 of their units plus 5% that sent nothing. Every command runs ``--rounds`` times,
interleaved, and the median is printed with the ratio to its baseline in the same rounds:

- ``status FOLDER --units 名录.csv --json`` against ``validate FOLDER --json`` (baseline): the round's
  bookkeeping on top of reading and checking;
- ``aggregate --units`` against ``aggregate`` without a 名录;
- ``validate --jobs 2`` against ``validate --jobs 1`` (both unpinned): the parallel gain;
- the parent's own CPU time a file, from ``--jobs 2`` (total CPU minus the workers').

Figures only, no assertions: the machine's load shows in them (printed before and after).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_collect import Ran, command  # noqa: E402
from tests.returns import make_folder  # noqa: E402

from unionforms import default_registry  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-round-") as tmp:
        root = Path(tmp)
        folder = make_folder(root / "收回", default_registry(), args.n, seed=3)
        units = [p.stem for p in (*folder.valid, *folder.broken)]
        extra = [f"未报第{i:05d}县总工会" for i in range(max(1, args.n // 20))]
        roster = root / "名录.csv"
        rows = ["单位名称,联系人,联系电话", *(f"{u},张三,0833-2123456" for u in [*units, *extra])]
        roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
        inputs = folder.inputs
        print(
            f"{inputs} inputs, 名录 of {len(units) + len(extra)} units; load average {os.getloadavg()[0]:.2f}"
        )
        f = str(folder.root)
        total = str(root / "total.json")
        runs: dict[str, list[Ran]] = {}
        plan = {
            "validate --json (baseline)": ["validate", f, "--json"],
            "status --units --json": ["status", f, "--units", str(roster), "--json"],
            "aggregate (baseline)": ["aggregate", f, "--unit", "某市", "-o", total, "--force"],
            "aggregate --units": [
                "aggregate",
                f,
                "--unit",
                "某市",
                "--units",
                str(roster),
                "-o",
                total,
                "--force",
            ],
            "validate --jobs 1 (baseline)": ["validate", f, "--json", "--jobs", "1"],
            "validate --jobs 2": ["validate", f, "--json", "--jobs", "2"],
        }
        for _ in range(args.rounds):
            for name, argv in plan.items():
                runs.setdefault(name, []).append(command(argv, expect=(0, 1, 2)))

        def median(name: str) -> float:
            return statistics.median(r.seconds for r in runs[name])

        for name in plan:
            ran = sorted(runs[name], key=lambda r: r.seconds)[len(runs[name]) // 2]
            print(f"{name:32} {ran.rate(inputs)} | {ran.memory()}")
        pairs = [
            ("status --units --json", "validate --json (baseline)"),
            ("aggregate --units", "aggregate (baseline)"),
            ("validate --jobs 2", "validate --jobs 1 (baseline)"),
        ]
        for name, base in pairs:
            print(f"{name} / {base}: ×{median(base) / median(name):.2f} the speed")
        print(f"load average after: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
