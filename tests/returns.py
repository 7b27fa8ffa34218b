"""A folder of returns as a county or a province receives them: for the collect tests and the benchmark.

Mostly valid returns of one form, some of other forms, some broken (a rule or a value), one sent
twice, a few unusable files, an Office lock file and a hidden file. Values are random, made valid by
:func:`unionforms.strategies.repair`; broken returns break one error rule or hold a wrong value.
"""

from __future__ import annotations

import datetime
import random
import shutil
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from unionforms import Form, Kind, Meta, Registry, Report, Severity
from unionforms.collect.batch import Check, Result, expand, run_bulk
from unionforms.core.evaluate import Status, evaluate
from unionforms.core.values import Value
from unionforms.excel.fill import fill
from unionforms.io.jsonio import dumps
from unionforms.strategies import _repaired

MAIN_FORM = "songwennuan-2017"
OTHER_FORMS = ("songwennuan-2014", "bangfu-2013", "bangfu-2016")


@attrs.frozen
class Folder:
    """What was written, by what each input should end as."""

    root: Path
    valid: tuple[Path, ...]  # of MAIN_FORM, no error finding
    broken: tuple[Path, ...]  # of MAIN_FORM, at least one error finding
    other_form: tuple[Path, ...]
    duplicate: Path  # a second return of a unit that also sent a valid one
    unusable: tuple[Path, ...]
    skipped: tuple[Path, ...]

    @property
    def inputs(self) -> int:
        return (
            len(self.valid)
            + len(self.broken)
            + len(self.other_form)
            + 1
            + len(self.unusable)
            + len(self.skipped)
        )


def valid_values(form: Form, rng: random.Random, fill: float = 0.9) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for field in form.iter_fields():
        if rng.random() >= fill:
            continue
        if field.kind is Kind.COUNT:
            values[field.code] = rng.randrange(5000)
        elif field.kind is Kind.MONEY:
            values[field.code] = Decimal(rng.randrange(1_000_000)) / 100
        else:
            values[field.code] = rng.random() < 0.5
    return _repaired(form, values, [r for r in form.rules if r.severity is Severity.ERROR])


def break_one(form: Form, values: dict[str, Value], rng: random.Random) -> None:
    """Break an error rule of the form ``A <= B`` (or any sum rule) by raising its left side."""
    candidates = [r for r in form.rules if r.severity is Severity.ERROR and r.expr.count("<=") == 1]
    rule = rng.choice(candidates)
    for code in rule.codes:
        if code not in values:
            values[code] = 1 if form.fields[code].kind is Kind.COUNT else Decimal(1)
    left = rule.codes[0]
    values[left] = (
        values[left] + sum(v for c, v in values.items() if c in rule.codes and not isinstance(v, bool)) + 1
    )
    assert evaluate(rule, values).status is Status.BROKEN


def meta(unit: str, rng: random.Random) -> Meta:
    return Meta(
        unit=unit, filled_by="张三", phone="0833-2123456", date=datetime.date(2017, 1, rng.randint(5, 20))
    )


def make_folder(
    root: Path,
    registry: Registry,
    n: int = 40,
    *,
    seed: int = 2017,
    broken_share: float = 0.1,
    other_share: float = 0.05,
    json_share: float = 0.1,
    forms: Sequence[str] = OTHER_FORMS,
    prefix: str = "",
) -> Folder:
    """Write ``n`` returns, a duplicate, unusable files, a lock file and a hidden file under ``root``."""
    rng = random.Random(seed)
    main = registry.get(MAIN_FORM)
    root.mkdir(parents=True, exist_ok=True)
    valid: list[Path] = []
    broken: list[Path] = []
    other: list[Path] = []
    jobs: list[tuple[Form, Report, Path]] = []
    for i in range(n):
        sub = root / f"片区{i % 4 + 1}"
        unit = f"{prefix}第{i:05d}县总工会"
        roll = rng.random()
        form = registry.get(rng.choice(forms)) if roll < other_share else main
        values = valid_values(form, rng)
        bad = form is main and other_share <= roll < other_share + broken_share
        if bad:
            break_one(form, values, rng)
        report = Report(form.id, meta(unit, rng), values)
        as_json = rng.random() < json_share
        path = sub / f"{unit}.{'json' if as_json else 'xlsx'}"
        (other if form is not main else broken if bad else valid).append(path)
        if as_json:
            sub.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(report), encoding="utf-8")
        else:
            jobs.append((form, report, path))
    for f, r, p in jobs:
        fill(f, r, p, registry=registry)
    first_xlsx = next(p for p in valid if p.suffix == ".xlsx")
    duplicate = first_xlsx.with_name(first_xlsx.stem + "（重报）.xlsx")
    shutil.copyfile(first_xlsx, duplicate)
    odd = root / "其他"
    odd.mkdir(exist_ok=True)
    unusable = [
        odd / "not-a-workbook.xlsx",
        odd / "truncated.xlsx",
        odd / "old-format.xls",
        odd / "unknown-form.json",
    ]
    unusable[0].write_text("这不是表格", encoding="utf-8")
    unusable[1].write_bytes(first_xlsx.read_bytes()[:2000])
    unusable[2].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    unusable[3].write_text('{"form": "songwennuan-2099", "values": {}}', encoding="utf-8")
    lock = odd / f"~${first_xlsx.name}"
    lock.write_bytes(b"\0" * 165)
    hidden = odd / ".DS_Store"
    hidden.write_bytes(b"\0" * 10)
    return Folder(root, tuple(valid), tuple(broken), tuple(other), duplicate, tuple(unusable), (lock, hidden))


def check_paths(paths: Sequence[str], *, registry: Registry, jobs: int = 1) -> list[Result]:
    """Every input under ``paths`` read and checked as ``validate`` checks it: one result each, in order."""
    return list(run_bulk(Check(registry), expand(paths, registry), jobs=jobs))
