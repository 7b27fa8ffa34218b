"""A collecting round as a county union's statistician has it in January (issue 17's "done when").

30 listed units (名录.xlsx) send 2017 送温暖 returns, in xlsx and JSON, into 收回/:

- 4 units are missing; one of them sent last year's (2014) form instead;
- 2 corrections: 更正 in the name on the same date, and a unit whose first return had an error, was
  annotated (``validate --annotate``) and came back fixed, dated later, under the same file name;
- 1 conflict: an xlsx and a JSON of one unit, same date, other figures;
- 1 return from a unit not on the list (a near miss of a listed name), 1 unusable file, 1 lock file;
- one unit writes its 填报单位 by its alias with full-width spaces, one return is late (after the due date).

:class:`Round` says what every input should end as, and :func:`expected_total` adds up the current
returns without unionforms, for the routes to be compared with.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

import attrs

from unionforms import Form, Kind, Meta, Registry, Report
from unionforms.excel.fill import fill
from unionforms.io.jsonio import dumps

from .returns import break_one, valid_values

FORM = "songwennuan-2017"
DUE = datetime.date(2017, 1, 20)
COUNTIES = (
    "市中区", "沙湾区", "五通桥区", "金口河区", "犍为县", "井研县", "夹江县", "沐川县", "峨边彝族自治县",
    "马边彝族自治县", "峨眉山市", "乐山高新区", "景区管委会", "市级机关", "市教育", "市卫生", "市财贸",
    "市建设", "市交通", "市农林", "市金融", "市邮政", "市电力", "市烟草", "市供销", "市文旅", "市国资",
    "市医保", "市税务", "市气象",
)  # fmt: skip


def unit_name(i: int) -> str:
    return f"{COUNTIES[i]}{'工会' if COUNTIES[i].startswith('市') or i in (11, 12) else '总工会'}"


@attrs.frozen
class Round:
    root: Path  # the round folder: 名录.xlsx and 收回/
    roster: Path
    returns: Path
    current: dict[str, Path]  # unit -> its current return
    superseded: dict[Path, Path]  # file -> the file now current
    conflict: tuple[Path, ...]
    not_listed: Path
    other_form: Path
    unusable: Path
    lock: Path
    missing: tuple[str, ...]
    late: str  # the unit whose current return is late
    errors: tuple[str, ...]  # units whose current return has an error (reported, not added up)
    reports: dict[Path, Report]  # every readable return's report, by file
    fix: tuple[Report, Path]  # the fixed return of a unit whose first one was annotated: not yet written

    def send_fix(self, registry: Registry) -> None:
        report, path = self.fix
        fill(registry.get(report.form), report, path)

    @property
    def inputs(self) -> int:
        return len(self.current) + len(self.superseded) + len(self.conflict) + 4


def _report(form: Form, unit: str, day: int, rng: random.Random, *, broken: bool = False) -> Report:
    values = valid_values(form, rng)
    if broken:
        break_one(form, values, rng)
    return Report(form.id, Meta(unit, "曾心怡", "0833-2133419", datetime.date(2017, 1, day)), values)


def make_round(root: Path, registry: Registry, *, seed: int = 17) -> Round:
    """Write the round under ``root``, all but the fixed copy of the annotated return (sent later by
    :meth:`Round.send_fix`)."""
    rng = random.Random(seed)
    form, old = registry.get(FORM), registry.get("songwennuan-2014")
    returns = root / "收回"
    (returns / "第一批").mkdir(parents=True)
    (returns / "第二批").mkdir()
    reports: dict[Path, Report] = {}

    def write(report: Report, path: Path) -> Path:
        if path.suffix == ".json":
            path.write_text(dumps(report), encoding="utf-8")
        else:
            fill(registry.get(report.form), report, path, force=True)
        reports[path] = report
        return path

    roster = root / "名录.xlsx"
    _write_roster(roster)
    missing = tuple(unit_name(i) for i in (26, 27, 28, 29))
    current: dict[str, Path] = {}
    superseded: dict[Path, Path] = {}
    for i in range(26):
        unit = unit_name(i)
        day = 10 + i % 8
        suffix = ".json" if i % 5 == 0 else ".xlsx"
        shown = "五通桥区总" if i == 2 else unit  # the alias, with full-width spaces below
        report = _report(form, shown, day, rng)
        if i == 2:
            report = attrs.evolve(report, meta=attrs.evolve(report.meta, unit="　五通桥区总　"))
        if i == 7:  # late
            report = attrs.evolve(report, meta=attrs.evolve(report.meta, date=datetime.date(2017, 1, 25)))
        path = write(report, returns / "第一批" / f"{unit}{suffix}")
        current[unit] = path
    # a correction marked in its name, on the same date
    unit = unit_name(3)
    first = current[unit]
    fixed = attrs.evolve(_report(form, unit, 10, rng), meta=reports[first].meta)
    current[unit] = write(fixed, returns / "第二批" / f"{unit}（更正）.xlsx")
    superseded[first] = current[unit]
    # an original with an error (annotated and sent back), then its fixed copy, dated later, same name
    unit = unit_name(4)
    first = write(_report(form, unit, 11, rng, broken=True), current[unit].with_suffix(".xlsx"))
    if current[unit] != first:
        current[unit].unlink()
        del reports[current[unit]]
    fix = (_report(form, unit, 16, rng), returns / "第二批" / first.name)  # sent by the test, later
    current[unit] = fix[1]
    reports[fix[1]] = fix[0]
    superseded[first] = current[unit]
    # a conflict: the xlsx and a JSON of one unit, the same date, other figures
    unit = unit_name(5)
    one = current.pop(unit)
    other = one.with_suffix(".xlsx" if one.suffix == ".json" else ".json")
    two = write(attrs.evolve(_report(form, unit, 12, rng), meta=reports[one].meta), other)
    # a unit that sends a return with an error and nothing else: reported, not added up
    unit = unit_name(6)
    broken = write(_report(form, unit, 13, rng, broken=True), current[unit])
    not_listed = write(_report(form, "乐山高新区工委", 14, rng), returns / "第二批" / "高新区.xlsx")
    other_form = write(_report(old, unit_name(26), 14, rng), returns / "第二批" / f"{unit_name(26)}.xlsx")
    unusable = returns / "第二批" / "损坏.xlsx"
    unusable.write_bytes(current[unit_name(1)].read_bytes()[:3000])
    lock = returns / "第一批" / f"~${unit_name(1)}.xlsx"
    lock.write_bytes(b"\0" * 165)
    return Round(
        root,
        roster,
        returns,
        current,
        superseded,
        (one, two),
        not_listed,
        other_form,
        unusable,
        lock,
        missing,
        unit_name(7),
        (unit_name(6),) if broken else (),
        reports,
        fix,
    )


def _write_roster(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "单位代码", "上级单位", "联系人", "联系电话", "别名"])
    for i in range(30):
        alias = "五通桥区总、五通桥" if i == 2 else None
        ws.append([unit_name(i), f"5111{i:02d}", "乐山市总工会", f"联系人{i}", f"0833-21{i:05d}", alias])
    wb.save(path)


def expected_total(rnd: Round, form: Form) -> dict[str, object]:
    """The field-wise sum of the current returns without errors, computed here, not by unionforms."""
    total: dict[str, object] = {}
    for unit, path in rnd.current.items():
        if unit in rnd.errors:
            continue
        for code, value in rnd.reports[path].values.items():
            if form.fields[code].kind is Kind.FLAG:
                continue
            before = total.get(code, 0 if form.fields[code].kind is Kind.COUNT else Decimal(0))
            total[code] = before + value  # type: ignore[operator]
    return total
