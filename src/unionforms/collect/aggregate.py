"""Add returns up (层层汇总): the field-wise total of one form, and the provenance of every input.

Each field adds up as its form declares (:meth:`unionforms.core.model.Form.combine`): counts and 万元 sum,
是/否 stays blank with its answers tallied (or any / all where declared). An input is either included
or rejected with its reason, so ``included + rejected = inputs`` always:

- unusable (its IN- code) or skipped inputs;
- AGG-001 a return with error findings (unless ``include_errors``);
- what is not its unit's current return of the round (:mod:`unionforms.collect.current`, the one rule every
  command applies): AGG-002 another form or year, AGG-003 superseded by a correction or sent twice,
  AGG-004 a blank 填报单位, AGG-005 a conflict, AGG-006 a unit not on the 名录.

With a 名录 the total records how complete it is (应报 / 实报 / 缺报, :class:`Completeness`) and, while
units are missing, carries the warning AGG-007.

A total is itself a return: aggregating county totals into a city total gives the same values and
tallies as aggregating every county's returns at once, and each included total keeps its own
provenance, nested. The total is checked again by the form's rules (which rules a sum of valid returns
is sure to satisfy is worked out in tests/test_aggregate.py).

Nothing is read or written here: results come from :mod:`unionforms.collect.batch`, and the total is written
as report JSON (:func:`total_to_dict`) or as a filled template (:mod:`unionforms.excel.total`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from unionforms.collect.batch import Result, State
from unionforms.collect.current import Entry, Ledger, Round, explain
from unionforms.collect.roster import Roster
from unionforms.core.catalogue import render
from unionforms.core.errors import InputError
from unionforms.core.findings import Finding, finding
from unionforms.core.model import Form, FrozenMap, frozen_map
from unionforms.core.report import Meta, Report, unit_key
from unionforms.core.units import Combine, Kind
from unionforms.core.validate import validate
from unionforms.core.values import Value
from unionforms.plugins.registry import Registry


def reason(code: str, **params: object) -> str:
    """The Chinese reason of rejection ``code`` (AGG-…) with its remedy, from the catalogue."""
    return render(code, params).text_zh


@attrs.frozen
class FlagTally:
    """How many returns answered 是 and 否 to a 是/否 field (blank answers are not counted)."""

    yes: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    no: int = attrs.field(default=0, validator=attrs.validators.ge(0))

    def __add__(self, other: FlagTally) -> FlagTally:
        return FlagTally(self.yes + other.yes, self.no + other.no)


@attrs.frozen
class Included:
    """An input counted in the total; ``provenance`` when the input is itself a total."""

    file: str
    unit: str | None
    form: str
    state: State
    provenance: Provenance | None = None


@attrs.frozen
class Rejected:
    """An input left out of the total: its code (IN-…, AGG-…, or None when skipped) and why."""

    file: str
    unit: str | None
    form: str | None
    code: str | None
    reason: str


@attrs.frozen
class Completeness:
    """How complete a total is against its 名录: units listed (应报), reported (实报), and those missing
    (缺报) by name. ``reported + len(missing) == expected``."""

    expected: int = attrs.field(validator=attrs.validators.ge(0))
    reported: int = attrs.field(validator=attrs.validators.ge(0))
    missing: tuple[str, ...] = ()
    roster: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.reported + len(self.missing) != self.expected:
            raise ValueError(
                f"{self.reported} reported + {len(self.missing)} missing != {self.expected} listed"
            )

    @property
    def text(self) -> str:
        return f"应报 {self.expected}，实报 {self.reported}，缺报 {len(self.missing)}"


@attrs.frozen
class Provenance:
    """Where a total comes from: every input, included or rejected, the tallies of 是/否 fields, and
    (with a 名录) how complete it is."""

    included: tuple[Included, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    flags: Mapping[str, FlagTally] = attrs.field(factory=FrozenMap, converter=frozen_map)
    completeness: Completeness | None = None

    @property
    def inputs(self) -> int:
        return len(self.included) + len(self.rejected)

    def leaves(self) -> list[Included]:
        """The returns at the bottom of the nesting (a total's own inputs, recursively)."""
        out: list[Included] = []
        for item in self.included:
            out.extend(item.provenance.leaves() if item.provenance is not None else [item])
        return out


@attrs.frozen
class Total:
    """The total return, where it comes from, and the findings of checking it again."""

    form: Form
    report: Report
    provenance: Provenance
    findings: tuple[Finding, ...]


_NO_TALLY, _YES, _NO = FlagTally(), FlagTally(1, 0), FlagTally(0, 1)


@attrs.define
class _Pile:
    """The running total of one form; ``ways`` and ``flag_codes`` are the form's, looked up once."""

    form: Form
    values: dict[str, Value] = attrs.Factory(dict)
    flags: dict[str, FlagTally] = attrs.Factory(dict)
    ways: dict[str, Combine] = attrs.field(init=False)
    flag_codes: tuple[str, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.ways = {code: self.form.combine(code) for code in self.form.fields}
        self.flag_codes = tuple(f.code for f in self.form.iter_fields() if f.kind is Kind.FLAG)

    def add(self, report: Report, provenance: Provenance | None) -> None:
        ways, values = self.ways, self.values
        for code, value in report.values.items():
            way = ways.get(code)
            if way is None:
                continue
            if way is Combine.SUM and isinstance(value, int | Decimal) and not isinstance(value, bool):
                before = values.get(code, 0)
                assert not isinstance(before, bool)
                values[code] = before + value
            elif way is Combine.ANY and isinstance(value, bool):
                values[code] = bool(values.get(code, False)) or value
            elif way is Combine.ALL and isinstance(value, bool):
                values[code] = bool(values.get(code, True)) and value
        for code in self.flag_codes:
            if provenance is not None and code in provenance.flags:
                tally = provenance.flags[code]
            else:
                value = report.values.get(code)
                if not isinstance(value, bool):
                    continue  # a blank is not counted
                tally = _YES if value else _NO
            if tally != _NO_TALLY:
                self.flags[code] = self.flags.get(code, _NO_TALLY) + tally


def aggregate(
    results: Iterable[Result],
    registry: Registry,
    *,
    unit: str,
    form: str | None = None,
    include_errors: bool = False,
    roster: Roster | None = None,
    header: Meta | None = None,
) -> Total:
    """The total of ``results`` (from :func:`~unionforms.collect.batch.check`, ``keep_report``) for ``unit``.

    ``header`` gives the total's 填报人, 联系电话 and date (its unit is ``unit``), so that the total is
    ready to print and seal.

    The form is ``form`` or, when not given, the form of most usable returns (the first seen on a tie).
    Each unit's current return (:mod:`unionforms.collect.current`) is added; a result whose ``extra`` is a
    :class:`Provenance` is a total: its tallies and provenance carry on.
    """
    if form is not None:
        registry.get(form)  # IN-003 for a form not installed, before any work
    ledger = Ledger(form, roster)
    for seq, result in enumerate(results):
        ledger.add(Entry.of(seq, result, (result.report, result.extra)))
    rnd = ledger.close()
    if rnd.form is None:
        first = next((v.entry.form for v in rnd.verdicts if v.entry.form is not None), None)
        if first is None:
            raise InputError("IN-071")
        rnd = attrs.evolve(rnd, form=first)
    assert rnd.form is not None
    pile = _Pile(registry.get(rnd.form))
    included: list[Included] = []
    rejected: list[Rejected] = []
    twice = _counted_twice(rnd)
    for verdict in rnd.verdicts:
        entry = verdict.entry
        code, why = explain(verdict, rnd)
        if code is None and entry.state is State.ERRORS and not include_errors:
            code, why = "AGG-001", reason("AGG-001", errors=entry.errors)
        if code is None and entry.seq in twice:
            code, why = "AGG-008", reason("AGG-008", units=twice[entry.seq])
        if code is not None or why is not None:
            rejected.append(Rejected(entry.file, entry.unit, entry.form, code, why or State.UNUSABLE.chinese))
            continue
        report, extra = entry.payload
        provenance = extra if isinstance(extra, Provenance) else None
        pile.add(report, provenance)
        # the form's own id, not the copy each result brings: one string for every input
        included.append(Included(entry.file, entry.unit, pile.form.id, entry.state, provenance))
    f = pile.form
    values = {code: pile.values[code] for code in f.fields if code in pile.values}
    meta = attrs.evolve(header, unit=unit) if header is not None else Meta(unit=unit)
    report = Report(f.id, meta, values)
    completeness = None
    if roster is not None:
        missing = tuple(u.name for u in rnd.missing())
        completeness = Completeness(len(roster), len(roster) - len(missing), missing, roster.file)
    provenance = Provenance(
        tuple(included),
        tuple(rejected),
        {code: pile.flags[code] for code in f.fields if code in pile.flags},
        completeness,
    )
    findings = list(validate(f, report))
    if completeness is not None and completeness.missing:
        findings.append(incomplete(completeness))
    return Total(f, report, provenance, tuple(findings))


def _counted_twice(rnd: Round) -> dict[int, str]:
    """Totals among the current inputs that hold returns counted otherwise (a city total saved beside
    the county returns it was made of): input number -> the units it would count twice.

    A return counts its own unit; a total, the units at the bottom of its provenance. Returns are taken
    first, then totals in input order, each kept only while none of its units is counted already."""
    counted: set[str] = set()
    totals: list[tuple[int, list[str]]] = []
    for verdict in rnd.current():
        _, extra = verdict.entry.payload
        if isinstance(extra, Provenance):
            totals.append((verdict.entry.seq, [leaf.unit or leaf.file for leaf in extra.leaves()]))
        else:
            counted.add(unit_key(verdict.listed.name if verdict.listed else verdict.entry.unit))
    out: dict[int, str] = {}
    for seq, units in totals:
        keys = {unit_key(u): u for u in units}
        again = [name for key, name in keys.items() if key in counted]
        if again:
            shown = "、".join(again[:5]) + (f" 等 {len(again)} 个" if len(again) > 5 else "")
            out[seq] = shown
        else:
            counted.update(keys)
    return out


def incomplete(c: Completeness) -> Finding:
    """AGG-007: the warning a total carries while listed units are missing."""
    shown = "、".join(c.missing[:20]) + (f" 等 {len(c.missing)} 个" if len(c.missing) > 20 else "")
    return finding("AGG-007", expected=c.expected, reported=c.reported, count=len(c.missing), missing=shown)


# --- provenance as JSON ---------------------------------------------------------------------------


def provenance_to_dict(p: Provenance, *, lazy: bool = False) -> dict[str, Any]:
    """The provenance as JSON (``specs/bulk-json.md``). With ``lazy`` its entries, one per input, are
    made only as they are written (:class:`~unionforms.io.jsonstream.Rows`, for
    :func:`~unionforms.io.jsonstream.chunks`), so that thousands of inputs are never held as dicts."""
    from unionforms.io.jsonstream import Rows

    rows: Any = Rows if lazy else _listed
    return {
        "inputs": p.inputs,
        "included": rows(p.included, _included_dict),
        "rejected": rows(p.rejected, _rejected_dict),
        "flags": {code: {"yes": t.yes, "no": t.no} for code, t in p.flags.items()},
        **({"completeness": completeness_to_dict(p.completeness)} if p.completeness is not None else {}),
    }


def completeness_to_dict(c: Completeness) -> dict[str, Any]:
    return {"roster": c.roster, "expected": c.expected, "reported": c.reported, "missing": list(c.missing)}


def _listed(items: Iterable[Any], row: Any) -> list[Any]:
    return [row(item) for item in items]


def _rejected_dict(r: Rejected) -> dict[str, Any]:
    return {"file": r.file, "unit": r.unit, "form": r.form, "code": r.code, "reason": r.reason}


def _included_dict(item: Included) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": item.file,
        "unit": item.unit,
        "form": item.form,
        "status": item.state.value,
    }
    if item.provenance is not None:
        out["provenance"] = provenance_to_dict(item.provenance)
    return out


def provenance_from_dict(data: object) -> Provenance:
    """Read back :func:`provenance_to_dict`; ValueError when it is not one."""
    if not isinstance(data, Mapping):
        raise ValueError("provenance must be an object")
    try:
        included = tuple(
            Included(
                str(i["file"]),
                _opt(i.get("unit")),
                str(i["form"]),
                State(i.get("status", "ok")),
                provenance_from_dict(i["provenance"]) if i.get("provenance") is not None else None,
            )
            for i in data.get("included", ())
        )
        rejected = tuple(
            Rejected(
                str(r["file"]),
                _opt(r.get("unit")),
                _opt(r.get("form")),
                _opt(r.get("code")),
                str(r["reason"]),
            )
            for r in data.get("rejected", ())
        )
        flags = {
            str(code): FlagTally(int(t["yes"]), int(t["no"])) for code, t in data.get("flags", {}).items()
        }
        c = data.get("completeness")
        completeness = (
            Completeness(
                int(c["expected"]),
                int(c["reported"]),
                tuple(str(m) for m in c["missing"]),
                _opt(c.get("roster")),
            )
            if c is not None
            else None
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed provenance: {exc!r}") from None
    return Provenance(included, rejected, flags, completeness)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def total_to_dict(total: Total, *, lazy: bool = False) -> dict[str, Any]:
    """The total as report JSON with its provenance (``specs/report-json.md`` §2, ``provenance``);
    ``lazy`` as for :func:`provenance_to_dict`."""
    from unionforms.io.jsonio import report_to_dict

    out: dict[str, Any] = report_to_dict(total.report)
    out["provenance"] = provenance_to_dict(total.provenance, lazy=lazy)
    return out
