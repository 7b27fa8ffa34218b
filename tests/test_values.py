"""What fillers type becomes exact typed values; a blank stays blank."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from unionforms import Field
from unionforms.core.findings import finding
from unionforms.core.units import Kind
from unionforms.core.values import ValueProblem, coerce, coerce_header, typed_number
from unionforms.excel.cells import _decimal

COUNT = Field("01A", "01", "A", "当地职工总数", "人")
MONEY = Field("05", "05", None, "筹集款物总额", "万元")
FLAG = Field("05B", "05", "B", "资金是否纳入财政预算", "是/否")

FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@given(st.integers(0, 10**12))
def test_counts_typed_many_ways_read_the_same(n: int) -> None:
    grouped = f"{n:,}"
    for raw in (n, str(n), f" {n} ", f"{n}人", grouped, str(n).translate(FULLWIDTH), float(n), Decimal(n)):
        if isinstance(raw, float) and n > 2**53:
            continue
        assert coerce(COUNT, raw) == n, raw


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_is_exact_decimal(d: Decimal) -> None:
    text = format(d, "f")
    for raw in (text, f"{text}万元", f"{text}万", text.translate(FULLWIDTH), d):
        value = coerce(MONEY, raw)
        assert isinstance(value, Decimal) and value == d, raw
    assert coerce(MONEY, float(text)) == Decimal(repr(float(text)))


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_is_not_zero(raw: object) -> None:
    assert coerce(COUNT, raw) is None
    assert coerce(MONEY, raw) is None
    assert coerce(FLAG, raw) is None


@pytest.mark.parametrize(
    ("raw", "value"), [("是", True), ("否", False), ("√", True), ("×", False), (True, True)]
)
def test_flags(raw: object, value: bool) -> None:
    assert coerce(FLAG, raw) is value


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        (COUNT, -1, "VAL-001"),
        (COUNT, "-3", "VAL-001"),
        (COUNT, 1.5, "VAL-002"),
        (COUNT, "2.5人", "VAL-002"),
        (COUNT, "abc", "VAL-003"),
        (COUNT, True, "VAL-003"),
        (COUNT, "12户", "VAL-003"),
        (COUNT, "1,23", "VAL-003"),
        (MONEY, "-0.5", "VAL-006"),
        (MONEY, "一百", "VAL-003"),
        (MONEY, float("nan"), "VAL-003"),
        (FLAG, "可能", "VAL-004"),
        (FLAG, 1, "VAL-004"),
    ],
)
def test_problems_have_codes_and_chinese_messages(field: Field, raw: object, code: str) -> None:
    problem = coerce(field, raw)
    assert isinstance(problem, ValueProblem)
    assert problem.code == code
    message = finding(problem.code, place=field.code, **problem.params).message
    assert message.startswith(field.code) and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_negative_zero_is_zero_and_absurd_figures_are_refused() -> None:
    value = coerce(MONEY, "-0.00")
    assert value == 0 and str(value) == "0.00"
    for raw in ("1" * 16, "9" * 5000, Decimal("1E+400")):
        problem = coerce(COUNT, raw)
        assert isinstance(problem, ValueProblem) and problem.code == "VAL-008"


def test_more_digits_than_excel_keeps_are_refused() -> None:
    problem = coerce(MONEY, "99999999999999.99")
    assert isinstance(problem, ValueProblem) and problem.code == "VAL-008"
    assert coerce(MONEY, "9999999999999.99") == Decimal("9999999999999.99")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0b", "\ud800", "\udfff", "\ufffe", "\uffff"])
def test_header_text_a_workbook_cannot_hold_is_meta005(char: str) -> None:
    from unionforms.core.model import Header

    problem = coerce_header(Header(), "unit", f"乐山{char}市")
    assert isinstance(problem, ValueProblem) and problem.code == "META-005"
    assert problem.params == {"char": f"U+{ord(char):04X}"}


def test_tabs_and_line_breaks_stay_in_header_text() -> None:
    from unionforms.core.model import Header

    assert coerce_header(Header(), "unit", "乐山市\n总工会\t") == "乐山市\n总工会"


# --- a stored number typed in one step -------------------------------------------------------------

_STORED = st.one_of(
    st.from_regex(r"\A[0-9]{1,17}(\.[0-9]{1,17})?\Z"),
    st.sampled_from(["0", "0.00", "00012", "0.10", "3.7", "1E+2", "-5", " 5", "5.", "１２", "1e3", "0.005"]),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)


@given(_STORED, st.sampled_from([Kind.COUNT, Kind.MONEY, Kind.FLAG]), st.sampled_from([None, 0, 2, 4]))
@example("0.00", Kind.MONEY, None)
@example("0.000", Kind.MONEY, 2)
@example("3.7", Kind.MONEY, 2)
@example("1234567890123456", Kind.COUNT, None)
def test_a_stored_number_typed_in_one_step_is_typed_as_the_general_way_types_it(
    text: str, kind: Kind, places: int | None
) -> None:
    """typed_number (the reader's fast way) equals cell text -> Decimal -> coerce -> declared places."""
    fast = typed_number(kind, places, text)
    if fast is None:
        return  # the general way decides
    raw = _decimal(text)
    general = coerce({Kind.COUNT: COUNT, Kind.MONEY: MONEY, Kind.FLAG: FLAG}[kind], raw)
    if places is not None and isinstance(general, Decimal):
        exponent = general.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -places:
            general = general.quantize(Decimal(1).scaleb(-places))
    assert (type(fast), fast, str(fast)) == (type(general), general, str(general))


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("/", "count", None),
        ("／", "money", None),
        ("—", "count", None),
        ("－", "count", None),
        ("——", "money", None),
        (" 不适用 ", "count", None),
        ("N/A", "money", None),
        ("无", "count", 0),
        ("无", "money", Decimal(0)),
        ("无", "flag", False),
        ("-", "flag", None),
        ("12", "count", "no mark"),
        ("无人", "count", "no mark"),
    ],
)
def test_not_applicable_marks_read_as_blank_and_none_as_zero(raw: str, kind: str, value: object) -> None:
    from unionforms.core.values import mark

    field = {"count": COUNT, "money": MONEY, "flag": FLAG}[kind]
    found = mark(field, raw)
    if value == "no mark":
        assert found is None
    else:
        assert found is not None and found.value == value and type(found.value) is type(value)
