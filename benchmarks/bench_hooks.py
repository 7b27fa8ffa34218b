"""What does checking the plugins' template hooks cost? In one process, alternating, times

(a) the baseline: the blank template built with a harmless ``unionforms_adjust_template`` called through
    pluggy as before the check (``pm.hook.unionforms_adjust_template(...)``, nothing checked);
(b) :func:`unionforms.excel.writer.build_workbook` with the same plugin: the hook called alone and
    every name and input cell checked after it (:mod:`unionforms.excel.adjust`);

and, for readers, (c) ``read_report`` of N filled templates with no plugin hook against (d) the same
with that plugin installed, where the first read of the form builds and checks its template once
(rounds "cold", as in a new process) and later reads only look the verdict up (rounds "warm").
Prints the ratios (b)/(a) and (d)/(c).

    python benchmarks/bench_hooks.py [-n 40] [--form songwennuan-2017]

No assertions: figures only.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import types
from pathlib import Path

from unionforms import Registry, Report, default_registry, hookimpl
from unionforms.excel import writer
from unionforms.excel.fill import fill
from unionforms.io.reading import read_report
from unionforms.plugins.registry import Plugin


def _plugin() -> types.ModuleType:
    module = types.ModuleType("bench_harmless")

    @hookimpl
    def unionforms_adjust_template(sheet: object) -> None:
        sheet.column_dimensions["C"].width = 64  # type: ignore[attr-defined]

    module.unionforms_adjust_template = unionforms_adjust_template  # type: ignore[attr-defined]
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--form", default="songwennuan-2017")
    args = parser.parse_args()
    shipped = default_registry()
    form = shipped.get(args.form)
    hooked = Registry.from_entry_points()  # the shipped forms, and a plugin that adjusts their templates
    hooked.add(Plugin("harmless", _plugin()))

    def unchecked() -> None:  # the writer as it called the hook before: through pluggy, nothing checked
        wb, layout = writer.build_workbook(form)
        hooked.manager.hook.unionforms_adjust_template(form=form, workbook=wb, sheet=wb.active, layout=layout)

    def checked() -> None:
        writer.build_workbook(form, registry=hooked)

    a: list[float] = []
    b: list[float] = []
    for _ in range(args.n):
        for run, times in ((unchecked, a), (checked, b)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    print(f"build a template, {args.n} rounds (median ms): unchecked {statistics.median(a) * 1000:.1f}, "
          f"checked {statistics.median(b) * 1000:.1f}; ratio checked/unchecked "
          f"{statistics.median(b) / statistics.median(a):.3f}")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.n):
            path = Path(tmp) / f"{i}.xlsx"
            fill(form, Report(form.id, values={"01A": 100 + i}), path)
            paths.append(path)
        c: list[float] = []
        d: list[float] = []
        for rnd in range(4):
            if rnd % 2 == 0:  # as a new process would: the first read builds and checks the template
                writer._CHECKED.clear()
            for registry, times in ((shipped, c), (hooked, d)):
                start = time.perf_counter()
                for path in paths:
                    read_report(path, registry)
                times.append(time.perf_counter() - start)
            state = "cold" if rnd % 2 == 0 else "warm"
            print(f"round {rnd} ({state}): read {args.n} templates: no hook {c[-1] * 1000:.0f} ms, "
                  f"a plugin with a hook {d[-1] * 1000:.0f} ms, ratio {d[-1] / c[-1]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
