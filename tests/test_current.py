"""The current-return rule: one current return per unit, decided the same whatever the input order."""

from __future__ import annotations

import datetime
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from unionforms.collect.batch import Result, State
from unionforms.collect.current import Entry, Ledger, Standing, decide, explain, is_correction
from unionforms.collect.roster import ListedUnit, Roster

FORM = "songwennuan-2017"


def _result(file: str, unit: str | None, day: int | None, digest: str, form: str = FORM) -> Result:
    date = datetime.date(2017, 1, day) if day else None
    return Result(file, State.OK, form=form, unit=unit, date=date, digest=digest)


def test_a_later_date_replaces_and_a_correction_wins_on_the_same_date() -> None:
    rnd = decide(
        [
            _result("甲.xlsx", "甲", 10, "a"),
            _result("甲（更正）.xlsx", "甲", 10, "b"),
            _result("乙.xlsx", "乙", 12, "c"),
            _result("乙-重报.json", "乙", 11, "d"),
        ]
    )
    standing = {v.file: v for v in rnd.verdicts}
    assert standing["甲（更正）.xlsx"].standing is Standing.CURRENT
    assert standing["甲.xlsx"].standing is Standing.SUPERSEDED
    assert standing["甲.xlsx"].current == "甲（更正）.xlsx"
    assert standing["乙.xlsx"].standing is Standing.CURRENT  # the later date, whatever the name
    assert standing["乙-重报.json"].standing is Standing.SUPERSEDED


def test_the_same_return_twice_is_a_duplicate_other_figures_a_conflict() -> None:
    rnd = decide(
        [
            _result("甲.xlsx", "甲", 10, "same"),
            _result("甲.json", "甲", 10, "same"),
            _result("乙.xlsx", "乙", 10, "one"),
            _result("乙.json", "乙", 10, "two"),
            _result("乙-旧.json", "乙", 9, "old"),
        ]
    )
    v = {v.file: v for v in rnd.verdicts}
    assert v["甲.xlsx"].standing is Standing.CURRENT
    assert v["甲.json"].standing is Standing.SUPERSEDED and v["甲.json"].duplicate
    assert v["乙.xlsx"].standing is v["乙.json"].standing is Standing.CONFLICT
    assert v["乙.xlsx"].others == ("乙.json",)
    assert v["乙-旧.json"].standing is Standing.SUPERSEDED and v["乙-旧.json"].current is None
    code, why = explain(v["乙.xlsx"], rnd)
    assert code == "AGG-005" and why is not None and "更正" in why  # the remedy travels with it


def test_a_dated_return_outranks_an_undated_one() -> None:
    rnd = decide([_result("a.json", "甲", 3, "x"), _result("b.json", "甲", None, "y")])
    assert [v.standing for v in rnd.verdicts] == [Standing.CURRENT, Standing.SUPERSEDED]


def test_the_form_and_the_roster_of_the_round() -> None:
    roster = Roster((ListedUnit("甲工会", aliases=("甲",)), ListedUnit("乙工会")))
    results = [
        _result("a.xlsx", "甲", 1, "a"),
        _result("b.xlsx", "甲 工会", 2, "b"),  # the same unit, by its name
        _result("c.xlsx", "丙工会", 1, "c"),
        _result("d.xlsx", "乙工会", 1, "d", form="songwennuan-2014"),
        _result("e.xlsx", None, 1, "e"),
        Result("f.xlsx", State.UNUSABLE, code="IN-023", reason="坏"),
    ]
    rnd = decide(results, form=FORM, roster=roster)
    assert [v.standing for v in rnd.verdicts] == [
        Standing.SUPERSEDED,
        Standing.CURRENT,
        Standing.NOT_LISTED,
        Standing.OTHER_FORM,
        Standing.NO_UNIT,
        Standing.UNUSABLE,
    ]
    assert [u.name for u in rnd.missing()] == ["乙工会"]  # its return was of another form
    # without --form, the form of most returns: the 2014 return is still another form
    assert decide(results, roster=roster).verdicts[3].standing is Standing.OTHER_FORM
    # an export of several forms: each form a round of its own
    ledger = Ledger(every_form=True)
    for seq, r in enumerate(results):
        ledger.add(Entry.of(seq, r))
    assert ledger.close().verdicts[3].standing is Standing.CURRENT


def test_only_the_file_name_marks_a_correction() -> None:
    assert is_correction("收回/甲（更正）.xlsx") and is_correction("甲-修改版.json")
    assert not is_correction("退回修改/甲.xlsx")
    assert is_correction("figures更新.csv#row 3")


_entries = st.lists(
    st.tuples(
        st.sampled_from(["甲", "乙", " 甲", "丙"]),
        st.sampled_from([None, 5, 6]),
        st.booleans(),
        st.sampled_from(["x", "y", "z"]),
    ),
    max_size=8,
)


@given(_entries, st.randoms())
def test_the_decision_does_not_depend_on_the_order_of_the_inputs(
    entries: list[tuple[str, int | None, bool, str]], rnd: object
) -> None:
    """Which content is current for each unit, and which units conflict, is the same in any order;
    every input has exactly one standing."""
    results = [
        _result(f"{i}{'更正' if fix else ''}.xlsx", unit, day, digest)
        for i, (unit, day, fix, digest) in enumerate(entries)
    ]
    shuffled = list(results)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]

    def outcome(rs: list[Result]) -> tuple[dict[str, str], set[str]]:
        decided = decide(rs)
        assert len(decided.verdicts) == len(rs)
        assert sum(decided.counts().values()) == len(rs)
        current = {"".join((v.entry.unit or "").split()): v.entry.digest or "" for v in decided.current()}
        conflicts = {"".join((v.entry.unit or "").split()) for v in decided.of(Standing.CONFLICT)}
        assert not current.keys() & conflicts
        units = Counter("".join((r.unit or "").split()) for r in rs)
        assert set(current) | conflicts == set(units)  # every unit is current or in conflict
        return current, conflicts

    assert outcome(results) == outcome(shuffled)
