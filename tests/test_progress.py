"""The round's progress by unit (报送进度) and its 催报 workbook."""

from __future__ import annotations

import datetime
from pathlib import Path

from unionforms.collect.batch import Result, State
from unionforms.collect.current import decide
from unionforms.collect.progress import book_rows, progress
from unionforms.collect.roster import ListedUnit, Roster
from unionforms.excel.progress_book import write_progress_book

FORM = "songwennuan-2017"


def _result(file: str, unit: str, day: int, digest: str, state: State = State.OK) -> Result:
    return Result(file, state, form=FORM, unit=unit, date=datetime.date(2017, 1, day), digest=digest)


def test_units_add_up_and_a_missing_unit_is_listed_with_whom_to_call() -> None:
    roster = Roster(
        (
            ListedUnit("甲工会", phone="1"),
            ListedUnit("乙工会", contact="李", phone="2"),
            ListedUnit("丙工会", phone="3"),
        )
    )
    rnd = decide(
        [
            _result("甲.xlsx", "甲工会", 10, "a"),
            _result("甲（更正）.xlsx", "甲工会", 10, "b", State.WARNINGS),
            _result("丙.xlsx", "丙工会", 25, "c", State.ERRORS),
        ],
        roster=roster,
        due=datetime.date(2017, 1, 20),
    )
    p = progress(rnd)
    assert [(u.name, u.state) for u in p.units] == [
        ("甲工会", "有警告"),
        ("乙工会", "未报"),
        ("丙工会", "有错误"),
    ]
    assert p.units[0].replaced == ("甲.xlsx",) and p.units[0].files == ("甲（更正）.xlsx",)
    assert p.units[1].contact == "李" and p.units[1].phone == "2"
    assert p.units[2].late and p.late == 1
    assert p.listed == p.reported + len(p.missing) == 3


def test_the_workbook_keeps_hostile_text_as_text(tmp_path: Path) -> None:
    import openpyxl

    rnd = decide(
        [_result("=1+1.xlsx", '=HYPERLINK("http://x","y")', 10, "a"), _result("b.xlsx", "乙\x0b", 10, "b")]
    )
    path = write_progress_book(tmp_path / "进度.xlsx", *book_rows(progress(rnd)))
    wb = openpyxl.load_workbook(path)
    names = [row[1] for row in wb["报送进度"].iter_rows(min_row=3)]
    assert [c.value for c in names] == ['=HYPERLINK("http://x","y")', "乙\\x0b"]
    assert all(c.data_type == "s" for c in names)
    files = [row[1].value for row in wb["文件"].iter_rows(min_row=3)]
    assert files == ["=1+1.xlsx", "b.xlsx"]
    ws = wb["报送进度"]
    assert int(ws.page_setup.paperSize) == 9 and ws.print_title_rows == "$2:$2"  # A4
