"""Every cell of every sheet of an xlsx, read safely: exact numbers, shared and inline strings, gaps."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from unionforms.core.errors import InputError
from unionforms.excel.cells import NO_CACHE
from unionforms.excel.rows import column_letters, column_number, read_sheets


def test_every_cell_of_every_sheet_with_exact_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "甲"
    ws.append(["unit", "01A", "05"])
    ws.append(["某县总工会", 12, 0.1])
    ws["E3"] = "隔开"  # a gap before it, and a row with no first cells
    other = wb.create_sheet("乙")
    other["AA1"] = "=1+1"
    wb.save(tmp_path / "t.xlsx")
    first, second = read_sheets(tmp_path / "t.xlsx")
    assert first.name == "甲" and second.name == "乙"
    assert first.rows[1] == {"A": "unit", "B": "01A", "C": "05"}
    assert first.rows[2] == {"A": "某县总工会", "B": Decimal(12), "C": Decimal("0.1")}
    assert first.rows[3] == {"E": "隔开"}
    assert second.rows[1] == {"AA": NO_CACHE}  # a formula whose file holds no result


def test_column_letters_and_numbers_are_inverse() -> None:
    for n in (1, 26, 27, 52, 702, 703, 16384):
        assert column_number(column_letters(n)) == n
    assert column_letters(28) == "AB"


def test_not_a_workbook_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError) as info:
        read_sheets(tmp_path / "x.xlsx")
    assert info.value.code == "IN-023"  # not a zip archive, as for a template
