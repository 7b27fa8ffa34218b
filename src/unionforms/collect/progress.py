"""The round's progress (报送进度): one row per unit, who has reported, who is missing, what replaced what.

Built from a decided :class:`~unionforms.collect.current.Round`. With a 名录 there is a row for every listed
unit, in the order listed (未报 for those with no return); without one, a row for every unit that sent
a return of the round's form. The counts add up, always:

- units: listed = reported + missing (reported: a current return, or returns in conflict);
- files: inputs = current + superseded + conflict + other form + not listed + no unit + unusable + skipped.

``unionforms status`` prints it and writes it as the 催报 workbook (:mod:`unionforms.excel.progress_book`);
``validate`` prints its file part.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from unionforms.collect.batch import Check, Input, Result, State, run_bulk
from unionforms.collect.current import Round, Standing, Verdict, decide, explain
from unionforms.core.report import unit_key
from unionforms.core.textsafe import one_line

if TYPE_CHECKING:
    from unionforms.collect.roster import Roster
    from unionforms.plugins.registry import Registry

#: A unit's state on the 报送进度, in the order a statistician reads them.
UNIT_STATES = ("未报", "冲突", "有错误", "有警告", "通过")


@attrs.frozen
class UnitProgress:
    """One unit's line: who it is, its state, its current return (or the files in conflict) and what that
    return replaced."""

    name: str
    state: str = attrs.field(validator=attrs.validators.in_(UNIT_STATES))
    code: str | None = None
    parent: str | None = None
    contact: str | None = None
    phone: str | None = None
    files: tuple[str, ...] = ()
    date: datetime.date | None = None
    late: bool = False
    replaced: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0


@attrs.frozen
class Progress:
    """The round, by unit and by file."""

    round: Round
    units: tuple[UnitProgress, ...]

    @property
    def listed(self) -> int | None:
        return len(self.round.roster) if self.round.roster is not None else None

    @property
    def missing(self) -> tuple[UnitProgress, ...]:
        return tuple(u for u in self.units if u.state == "未报")

    @property
    def reported(self) -> int:
        return len(self.units) - len(self.missing)

    @property
    def late(self) -> int:
        return sum(u.late for u in self.units)

    def files(self) -> dict[Standing, int]:
        return self.round.counts()


def _state(verdict: Verdict) -> str:
    state = verdict.entry.state
    return {State.ERRORS: "有错误", State.WARNINGS: "有警告"}.get(state, "通过")


def progress(rnd: Round) -> Progress:
    """The 报送进度 of a decided round."""
    by_unit: dict[str, list[Verdict]] = {}
    order: list[str] = []
    for v in rnd.verdicts:
        if v.standing not in (Standing.CURRENT, Standing.CONFLICT, Standing.SUPERSEDED):
            continue
        key = unit_key(v.unit_name)
        if key not in by_unit:
            by_unit[key] = []
            order.append(key)
        by_unit[key].append(v)
    rows: dict[str, UnitProgress] = {}
    for key in order:
        verdicts = by_unit[key]
        name = verdicts[0].unit_name or ""
        current = [v for v in verdicts if v.standing is Standing.CURRENT]
        conflict = [v for v in verdicts if v.standing is Standing.CONFLICT]
        replaced = tuple(v.file for v in verdicts if v.standing is Standing.SUPERSEDED)
        listed = verdicts[0].listed
        common: dict[str, Any] = {
            "code": listed.code if listed else None,
            "parent": listed.parent if listed else None,
            "contact": listed.contact if listed else None,
            "phone": listed.phone if listed else None,
        }
        if current:
            v = current[0]
            rows[key] = UnitProgress(
                name,
                _state(v),
                files=(v.file,),
                date=v.entry.date,
                late=rnd.late(v),
                replaced=replaced,
                errors=v.entry.errors,
                warnings=v.entry.warnings,
                **common,
            )
        elif conflict:
            rows[key] = UnitProgress(
                name,
                "冲突",
                files=tuple(v.file for v in conflict),
                late=any(rnd.late(v) for v in conflict),
                replaced=replaced,
                **common,
            )
    if rnd.roster is None:
        return Progress(rnd, tuple(rows.values()))
    units = []
    for unit in rnd.roster:
        row = rows.get(unit.key)
        if row is None:
            row = UnitProgress(unit.name, "未报", unit.code, unit.parent, unit.contact, unit.phone)
        units.append(row)
    return Progress(rnd, tuple(units))


def check_round(
    inputs: Sequence[Input],
    registry: Registry,
    *,
    form: str | None = None,
    roster: Roster | None = None,
    due: datetime.date | None = None,
    jobs: int = 1,
    advance: Callable[[], None] | None = None,
) -> Progress:
    """Check every input and decide the round: the 报送进度 of ``status`` and of the desk alike.

    Each current return (and each return in conflict) keeps its findings as its entry's ``payload``, so
    that a unit's problems can be shown without reading its file again; ``advance`` is called once per
    input checked (a progress bar).
    """
    results = run_bulk(Check(registry), inputs, jobs=jobs, registry=registry)
    if advance is not None:
        results = _advancing(results, advance)
    return progress(decide(results, form=form, roster=roster, due=due))


def _advancing(results: Iterable[Result], advance: Callable[[], None]) -> Iterator[Result]:
    for result in results:
        advance()
        yield result


# --- as text and JSON -----------------------------------------------------------------------------


def file_lines(rnd: Round) -> Iterator[str]:
    """One line per input that is not its unit's current return (unusable and skipped inputs aside,
    which their own lines name): its standing, file and why, with the remedy."""
    for v in rnd.verdicts:
        if v.standing in (Standing.CURRENT, Standing.UNUSABLE, Standing.SKIPPED):
            continue
        code, why = explain(v, rnd)
        unit = one_line(v.entry.unit or "（填报单位空）")
        yield f"{v.standing.chinese}\t{one_line(v.file)}\t{unit}\t{code} {why}"


def counts_line(p: Progress) -> str:
    """The two identities in one line each: files, then units."""
    files = p.files()
    shown = "，".join(f"{s.chinese} {n}" for s, n in files.items())
    text = f"本轮（表式 {p.round.form or '—'}）：文件 {len(p.round.verdicts)} 个 = {shown}"
    if p.listed is not None:
        text += f"\n名录应报 {p.listed} 个单位 = 已报 {p.reported} + 未报 {len(p.missing)}"
        if p.missing:
            text += "；未报：" + "、".join(u.name for u in p.missing)
    else:
        text += f"\n已报 {p.reported} 个单位（未给名录 --units，无法判断未报单位）"
    if p.round.due is not None:
        text += f"；逾期 {p.late} 个（截止 {p.round.due.isoformat()}）"
    return text


def verdict_to_dict(v: Verdict, rnd: Round) -> dict[str, Any]:
    code, why = explain(v, rnd)
    return {
        "file": v.file,
        "unit": v.entry.unit,
        "listed_as": v.listed.name if v.listed is not None else None,
        "form": v.entry.form,
        "standing": v.standing.value,
        "current": v.current,
        "others": list(v.others),
        "suggestions": list(v.suggestions),
        "code": code,
        "reason": why,
        "late": rnd.late(v),
    }


def progress_to_dict(p: Progress) -> dict[str, Any]:
    """The progress as JSON (``specs/bulk-json.md`` §4)."""
    rnd = p.round
    return {
        "form": rnd.form,
        "roster": rnd.roster.file if rnd.roster is not None else None,
        "due": rnd.due.isoformat() if rnd.due is not None else None,
        "units": [_unit_dict(u) for u in p.units],
        "files": [verdict_to_dict(v, rnd) for v in rnd.verdicts],
        "summary": {
            "listed": p.listed,
            "reported": p.reported,
            "missing": len(p.missing),
            "late": p.late,
            "inputs": len(rnd.verdicts),
            **{s.value: n for s, n in p.files().items()},
        },
    }


def _unit_dict(u: UnitProgress) -> dict[str, Any]:
    out = attrs.asdict(u)
    out["files"] = list(u.files)
    out["replaced"] = list(u.replaced)
    out["date"] = u.date.isoformat() if u.date is not None else None
    return out


def book_rows(p: Progress) -> tuple[tuple[str, list[tuple[Any, ...]]], tuple[str, list[tuple[Any, ...]]]]:
    """The two sheets of the 报送进度 workbook (:mod:`unionforms.excel.progress_book`): title and rows."""
    rnd = p.round
    listed = f"名录应报 {p.listed} 个，" if p.listed is not None else ""
    due = f"，截止 {rnd.due.isoformat()}，逾期 {p.late} 个" if rnd.due is not None else ""
    title = f"报送进度（表式 {rnd.form or '—'}）：{listed}已报 {p.reported} 个，未报 {len(p.missing)} 个{due}"
    units = [
        (
            n,
            u.name,
            u.code,
            u.parent,
            u.state,
            "逾期" if u.late else None,
            u.date.isoformat() if u.date else None,
            "\n".join(u.files) or None,
            "\n".join(u.replaced) or None,
            u.contact,
            u.phone,
        )
        for n, u in enumerate(p.units, 1)
    ]
    counts = "，".join(f"{s.chinese} {n}" for s, n in p.files().items())
    files = [
        (n, v.file, v.entry.unit, v.standing.chinese, *explain(v, rnd)) for n, v in enumerate(rnd.verdicts, 1)
    ]
    return (title, units), (f"文件 {len(rnd.verdicts)} 个：{counts}", files)
