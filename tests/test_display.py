"""How values, rule text and findings read to a person."""

from __future__ import annotations

from decimal import Decimal

from unionforms import Finding, Severity
from unionforms.core.display import finding_line, format_value, pretty


def test_format_value_never_uses_exponents() -> None:
    assert format_value(Decimal("1E+3")) == "1000"
    assert format_value(Decimal("0.50")) == "0.50"  # the places as typed are kept
    assert format_value(True) == "是" and format_value(False) == "否"
    assert format_value(7) == "7"


def test_rule_text_uses_mathematical_signs() -> None:
    assert pretty("05 >= 05A + 05B") == "05 ≥ 05A + 05B"
    assert pretty("06 != 0") == "06 ≠ 0"
    assert pretty("07A > 0 -> 07B <= 07A") == "07A > 0 时，07B ≤ 07A"


def test_a_finding_line_says_where_level_code_rule_and_message() -> None:
    error = Finding(
        "CHK-001",
        Severity.ERROR,
        "01B 大于 01A",
        fields=("01B", "01A"),
        rule="01B-part",
        file="a.xlsx",
        sheet="表",
        cells=("D6", "D5"),
    )
    assert finding_line(error) == "a.xlsx 表 D6,D5: 错误 [CHK-001 01B-part] 01B 大于 01A"
    warning = Finding("VAL-003", Severity.WARNING, "不是数字")
    assert finding_line(warning, "b.json") == "b.json: 警告 [VAL-003] 不是数字"
