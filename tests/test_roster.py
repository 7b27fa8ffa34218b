"""The list of units (名录): reading it, every problem at once, matching names and "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.collect.roster import ListedUnit, Roster, load_roster
from unionforms.core.errors import InputError
from unionforms.core.report import unit_key

EXAMPLE = Path(__file__).parent.parent / "docs" / "examples" / "名录示例.csv"


def test_the_shipped_example_reads() -> None:
    roster = load_roster(EXAMPLE)
    assert len(roster) == 7
    unit = roster.match("五通桥")
    assert unit is not None and unit.name == "五通桥区总工会" and unit.phone == "0833-2123403"
    assert roster.match("市财贸工会") is roster.match("财贸工会")


def test_xlsx_and_csv_in_gb18030_read_alike(tmp_path: Path) -> None:
    import openpyxl

    rows: list[list[object]] = [
        ["序号", "单位名称", "联系电话", "别名"],
        [1, "乐山市总工会", "0833-1", "乐山市总"],
        [2, "峨眉山市总工会", None, None],
    ]
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / "名录.xlsx")
    text = "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows)
    (tmp_path / "名录.csv").write_bytes(text.encode("gb18030"))
    a, b = load_roster(tmp_path / "名录.xlsx"), load_roster(tmp_path / "名录.csv")
    assert [(u.name, u.phone, u.aliases) for u in a] == [(u.name, u.phone, u.aliases) for u in b]
    assert a.units[0].aliases == ("乐山市总",)


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "名录.csv"
    path.write_text("单位名称,别名\n甲工会,\n,\n乙工会,甲工会\n甲工会,\n丙工会,\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_roster(path)
    assert info.value.code == "ROS-002"
    text = str(info.value)
    assert "第 4 行" in text and "第 5 行" in text and "第 2 行" in text  # both duplicates, named by row
    path.write_text("名称,电话\n甲,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_roster(path)
    assert info.value.code == "ROS-003" and "名称、电话" in str(info.value)
    with pytest.raises(InputError) as info:
        load_roster(tmp_path / "名录.txt")
    assert info.value.code == "ROS-001"


def test_names_match_after_width_spaces_and_invisible_characters() -> None:
    roster = Roster((ListedUnit("乐山市总工会", aliases=("乐山市总",)),))
    for written in ("乐山市总工会", " 乐山市　总工会 ", "乐山市\u200b总工会", "\ufeff乐山市总\u00ad"):
        assert roster.match(written) is roster.units[0], written
    assert roster.match("乐山市总工会机关") is None
    assert roster.match("") is None


def test_near_misses_are_offered_never_taken() -> None:
    roster = Roster((ListedUnit("乐山市总工会"), ListedUnit("峨眉山市总工会"), ListedUnit("乐山高新区工会")))
    assert roster.match("乐山市") is None
    assert roster.suggest("乐山市") == ("乐山市总工会",)  # a missing 总工会 suffix
    assert roster.suggest("乐山高新区工委") == ("乐山高新区工会",)  # one character off
    assert roster.suggest("成都市总工会") == ()


def test_a_roster_cannot_hold_one_name_twice() -> None:
    with pytest.raises(ValueError, match="names both"):
        Roster((ListedUnit("甲工会"), ListedUnit("乙工会", aliases=("甲 工会",))))
    with pytest.raises(ValueError):
        ListedUnit("\u200b ")


@given(st.text(max_size=12))
def test_unit_key_is_idempotent_and_ignores_spacing(text: str) -> None:
    key = unit_key(text)
    assert unit_key(key) == key
    assert unit_key(f" {text}\u3000") == key
    assert not any(c.isspace() for c in key)


def _brute_suggest(roster: Roster, name: str, limit: int = 3) -> tuple[str, ...]:
    """Every listed name compared in turn: what the index must find."""
    from unionforms.collect.roster import _bare, _distance

    key = unit_key(name)
    scored = []
    for i, unit in enumerate(roster.units):
        best = None
        for candidate in (unit.name, *unit.aliases):
            other = unit_key(candidate)
            if _bare(other) == _bare(key):
                best = 0
                break
            allowed = 2 if min(len(key), len(other)) >= 8 else 1
            d = _distance(key, other, allowed)
            if d <= allowed and (best is None or d < best):
                best = d
        if best is not None:
            scored.append((best, i, unit.name))
    return tuple(n for _, _, n in sorted(scored)[:limit])


_names = st.text(alphabet="乐山市县区总工会高新甲乙", min_size=1, max_size=10)


@given(st.lists(_names, min_size=1, max_size=8, unique_by=unit_key), _names)
def test_the_index_suggests_what_comparing_every_name_would(listed: list[str], asked: str) -> None:
    keys = [unit_key(n) for n in listed]
    if "" in keys or len(set(keys)) != len(keys):
        return
    roster = Roster(tuple(ListedUnit(n) for n in listed))
    assert roster.suggest(asked) == _brute_suggest(roster, asked)
