"""One current return per unit, decided once for every command (``specs/collecting.md``).

A round collects returns of one form from a known list of units. A unit may send more than one: a
correction (更正) that replaces its first return, the same file twice, an xlsx and its JSON. The rule:

1. Only usable returns of the round's form, naming a 填报单位 (on the 名录, when there is one) take part;
   the others stand as *other form*, *no unit*, *not listed*, *unusable* or *skipped*.
2. Of one unit's returns, the one with the latest 填报日期 is current (a return with no date ranks
   below every dated one).
3. On the same date, a file whose name marks it a correction (更正, 修正, 订正, 修改, 更新) ranks above
   one that does not.
4. Returns that still rank equal and say the same (the same header and figures) are one return sent
   twice: the first in input order is current, the others are *superseded* as duplicates. Returns that
   rank equal and differ are a *conflict*: none of them is current until the statistician removes one
   or marks the right one (a later date, or 更正 in its name).

Every other return of the unit is *superseded* by the current one. The decision is a fold over the
inputs in order (:class:`Ledger`), keeping per unit only the returns that rank highest so far (with
their payload, e.g. the report to add up): memory grows with units, not inputs.
``validate``, ``status``, ``aggregate`` and ``export`` all take their standing from here.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

import attrs

from unionforms.collect.batch import Result, State
from unionforms.collect.roster import ListedUnit, Roster
from unionforms.core.report import figures_digest, unit_key

#: Words in a file's name that mark it a correction of an earlier return.
CORRECTION_MARKS = ("更正", "修正", "订正", "修改", "更新")


class Standing(enum.Enum):
    """Where an input stands in the round: exactly one of these."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    CONFLICT = "conflict"
    OTHER_FORM = "other_form"
    NOT_LISTED = "not_listed"
    NO_UNIT = "no_unit"
    UNUSABLE = "unusable"
    SKIPPED = "skipped"

    @property
    def chinese(self) -> str:
        return _CHINESE[self]


_CHINESE = {
    Standing.CURRENT: "当前有效",
    Standing.SUPERSEDED: "已被替代",
    Standing.CONFLICT: "冲突待定",
    Standing.OTHER_FORM: "其他表式",
    Standing.NOT_LISTED: "不在名录",
    Standing.NO_UNIT: "未填单位",
    Standing.UNUSABLE: "无法读取",
    Standing.SKIPPED: "已跳过",
}


def is_correction(file: str) -> bool:
    """Whether the file's name (not its folder's) marks it a correction."""
    stem = PurePath(file.split("#", 1)[0]).stem
    return any(mark in stem for mark in CORRECTION_MARKS)


@attrs.frozen
class Entry:
    """What the rule needs of one input, and a ``payload`` the caller gets back for current returns."""

    seq: int
    file: str
    state: State
    form: str | None = None
    unit: str | None = None
    date: datetime.date | None = None
    digest: str | None = None
    code: str | None = None
    reason: str | None = None
    errors: int = 0
    warnings: int = 0
    payload: Any = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, seq: int, result: Result, payload: Any = None) -> Entry:
        """The entry of a bulk run's result (its digest made from its report when it has none)."""
        digest = result.digest
        if digest is None and result.report is not None:
            digest = figures_digest(result.report)
        return cls(
            seq,
            result.file,
            result.state,
            result.form,
            result.unit,
            result.date if result.date is not None or result.report is None else result.report.meta.date,
            digest,
            result.code,
            result.reason,
            result.errors,
            result.warnings,
            payload,
        )

    @property
    def rank(self) -> tuple[datetime.date, bool]:
        return (self.date or datetime.date.min, is_correction(self.file))


@attrs.frozen
class Verdict:
    """One input's standing: for a superseded input the file now current for its unit (``current``),
    for a conflict the other files it conflicts with (``others``), for a return not on the 名录 the
    listed names it nearly is (``suggestions``)."""

    entry: Entry
    standing: Standing
    listed: ListedUnit | None = None
    current: str | None = None
    others: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    duplicate: bool = False  # superseded by a return that says the same

    @property
    def file(self) -> str:
        return self.entry.file

    @property
    def unit_name(self) -> str | None:
        """The unit as the round knows it: its listed name, else what the return says."""
        return self.listed.name if self.listed is not None else self.entry.unit


@attrs.define
class _Unit:
    """One unit's returns of one form so far: the top-ranked ones, and those they superseded."""

    top: list[Entry] = attrs.Factory(list)
    below: list[Entry] = attrs.Factory(list)
    duplicates: set[int] = attrs.Factory(set)


@attrs.frozen
class Round:
    """The decision for every input, in input order, and the round's form and 名录."""

    form: str | None
    verdicts: tuple[Verdict, ...]
    roster: Roster | None = None
    due: datetime.date | None = None

    def of(self, standing: Standing) -> Iterator[Verdict]:
        return (v for v in self.verdicts if v.standing is standing)

    def current(self) -> Iterator[Verdict]:
        return self.of(Standing.CURRENT)

    def counts(self) -> dict[Standing, int]:
        counts = {s: 0 for s in Standing}
        for v in self.verdicts:
            counts[v.standing] += 1
        return counts

    def late(self, verdict: Verdict) -> bool:
        """Whether a return is dated after the round's deadline."""
        date = verdict.entry.date
        return self.due is not None and date is not None and date > self.due

    def missing(self) -> list[ListedUnit]:
        """The listed units with no current return and no conflict (未报)."""
        if self.roster is None:
            return []
        reported = {id(v.listed) for v in self.verdicts if v.standing in _REPORTED and v.listed is not None}
        return [u for u in self.roster if id(u) not in reported]


#: A unit has reported when it has a current return or returns in conflict.
_REPORTED = (Standing.CURRENT, Standing.CONFLICT)


@attrs.define
class Ledger:
    """The fold: :meth:`add` every input in order, then :meth:`close` for the :class:`Round`.

    ``form`` fixes the round's form; without it the round's form is the form of most usable returns
    naming a unit (the first seen on a tie), or, with ``every_form``, each form is a round of its own
    (an export of several forms). With a ``roster`` only listed units take part.
    """

    form: str | None = None
    roster: Roster | None = None
    due: datetime.date | None = None
    every_form: bool = False
    _entries: list[Entry] = attrs.Factory(list)
    _units: dict[str, dict[str, _Unit]] = attrs.Factory(dict)  # form -> unit key -> its returns
    _standing: dict[int, tuple[Standing, ListedUnit | None]] = attrs.Factory(dict)

    def add(self, entry: Entry) -> Standing:
        """Take the next input; its standing as far as it is known now (CURRENT may still become
        SUPERSEDED or CONFLICT, or OTHER_FORM when the round's form is not given)."""
        self._entries.append(entry)
        standing, listed = self._first_look(entry)
        self._standing[entry.seq] = (standing, listed)
        if standing is Standing.CURRENT:
            key = listed.key if listed is not None else unit_key(entry.unit)
            assert entry.form is not None
            _place(self._units.setdefault(entry.form, {}).setdefault(key, _Unit()), entry)
        return standing

    def _first_look(self, entry: Entry) -> tuple[Standing, ListedUnit | None]:
        if entry.state is State.SKIPPED:
            return Standing.SKIPPED, None
        if entry.state is State.UNUSABLE or entry.form is None:
            return Standing.UNUSABLE, None
        if self.form is not None and entry.form != self.form:
            return Standing.OTHER_FORM, None
        if not unit_key(entry.unit):
            return Standing.NO_UNIT, None
        if self.roster is None:
            return Standing.CURRENT, None
        listed = self.roster.match(entry.unit)
        if listed is None:  # the names it nearly is are looked for once it is sure to stand so
            return Standing.NOT_LISTED, None
        return Standing.CURRENT, listed

    def explain_now(self, seq: int) -> str | None:
        """Why input ``seq`` does not count, as far as :meth:`add` knew it."""
        standing, listed = self._standing[seq]
        suggestions: tuple[str, ...] = ()
        if standing is Standing.NOT_LISTED and self.roster is not None:
            suggestions = self.roster.suggest(self._entries[seq].unit)
        verdict = Verdict(self._entries[seq], standing, listed, suggestions=suggestions)
        return explain(verdict, Round(self.form, (), self.roster, self.due))[1]

    def close(self) -> Round:
        form = None if self.every_form else self.form or _majority(self._units)
        verdicts: dict[int, Verdict] = {}
        for unit_form, units in self._units.items():
            for unit in units.values():
                for verdict in _decide(unit):
                    listed = self._standing[verdict.entry.seq][1]
                    if form is not None and unit_form != form:
                        verdict = Verdict(verdict.entry, Standing.OTHER_FORM)
                    verdicts[verdict.entry.seq] = attrs.evolve(verdict, listed=listed)
        out = []
        for entry in self._entries:
            found = verdicts.get(entry.seq)
            if found is None:
                standing, listed = self._standing[entry.seq]
                suggestions: tuple[str, ...] = ()
                if standing in (Standing.NOT_LISTED, Standing.NO_UNIT) and form and entry.form != form:
                    standing = Standing.OTHER_FORM  # another form says more
                elif standing is Standing.NOT_LISTED and self.roster is not None:
                    suggestions = self.roster.suggest(entry.unit)
                found = Verdict(entry, standing, listed, suggestions=suggestions)
            out.append(found)
        return Round(form, tuple(out), self.roster, self.due)


def _place(unit: _Unit, entry: Entry) -> None:
    """Put ``entry`` among its unit's returns: above, beside or below the top ones."""
    if not unit.top or entry.rank > unit.top[0].rank:
        unit.below.extend(_light(e) for e in unit.top)
        unit.top = [entry]
        return
    if entry.rank < unit.top[0].rank:
        unit.below.append(_light(entry))
        return
    if any(e.digest == entry.digest for e in unit.top):
        unit.below.append(_light(entry))
        unit.duplicates.add(entry.seq)
        return
    unit.top.append(entry)


def _light(entry: Entry) -> Entry:
    """The entry without its payload: a superseded return's report is not kept."""
    return entry if entry.payload is None else attrs.evolve(entry, payload=None)


def _decide(unit: _Unit) -> Iterator[Verdict]:
    if len(unit.top) == 1:
        current = unit.top[0]
        yield Verdict(current, Standing.CURRENT)
        for e in unit.below:
            yield Verdict(e, Standing.SUPERSEDED, current=current.file, duplicate=e.seq in unit.duplicates)
        return
    files = tuple(e.file for e in unit.top)
    for e in unit.top:
        yield Verdict(e, Standing.CONFLICT, others=tuple(f for f in files if f != e.file))
    for e in unit.below:  # below a conflict: superseded whichever of the conflict is right
        yield Verdict(e, Standing.SUPERSEDED, current=None, others=files, duplicate=e.seq in unit.duplicates)


def _majority(units: dict[str, dict[str, _Unit]]) -> str | None:
    best: str | None = None
    best_n = -1
    for form, by_unit in units.items():  # insertion order: the first seen wins a tie
        n = sum(len(u.top) + len(u.below) for u in by_unit.values())
        if n > best_n:
            best, best_n = form, n
    return best


def decide(
    results: Iterable[Result],
    *,
    form: str | None = None,
    roster: Roster | None = None,
    due: datetime.date | None = None,
) -> Round:
    """The round of ``results`` (one bulk run's, in input order); each entry's payload is its result's
    findings, so that a unit's problems can be shown without reading its file again."""
    ledger = Ledger(form, roster, due)
    for seq, result in enumerate(results):
        ledger.add(Entry.of(seq, result, result.findings))
    return ledger.close()


def explain(verdict: Verdict, rnd: Round) -> tuple[str | None, str | None]:
    """Why an input is not its unit's current return of the round: its code and the catalogue's message
    with its remedy (None, None for a current return)."""
    from unionforms.core.catalogue import render

    entry, standing = verdict.entry, verdict.standing
    if standing is Standing.CURRENT:
        return None, None
    if standing in (Standing.UNUSABLE, Standing.SKIPPED):
        return entry.code, entry.reason
    params: dict[str, object]
    if standing is Standing.SUPERSEDED:
        kept = verdict.current or "、".join(verdict.others) + "（冲突待定 conflict）"
        if verdict.duplicate:
            kept += "（两份内容相同 the same return sent twice）"
        code, params = "AGG-003", {"kept": kept}
    elif standing is Standing.CONFLICT:
        code, params = "AGG-005", {"others": "、".join(verdict.others)}
    elif standing is Standing.OTHER_FORM:
        code, params = "AGG-002", {"form": entry.form, "total": rnd.form}
    elif standing is Standing.NOT_LISTED:
        roster = rnd.roster.file if rnd.roster is not None and rnd.roster.file else "（名录）"
        params = {
            "unit": entry.unit,
            "roster": roster,
            "suggest": "、".join(verdict.suggestions) or "无 none",
        }
        code = "AGG-006"
    else:
        code, params = "AGG-004", {}
    return code, render(code, params).text_zh
