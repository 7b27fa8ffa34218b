"""Turn what a filler typed into typed values: count -> int, 万元 -> Decimal, 是/否 -> bool; header entries.

One function serves every reader (JSON, Excel) for field values, and one for header entries. It accepts
what fillers really type: numbers stored as text, full-width digits (１２３), thousands separators, spaces,
a trailing unit ("12人", "3.5万元"), 是/否/√/×. A blank (None, "", spaces) stays blank and is never turned
into 0.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from unionforms.core.model import Field, FrozenMap, Header, frozen_map
from unionforms.core.units import Kind

#: A typed value: a count, an amount in 万元, or 是/否.
Value = int | Decimal | bool

_TRUE = {"是", "√", "✓", "✔", "☑", "y", "yes", "true"}
_FALSE = {"否", "×", "✗", "✘", "x", "n", "no", "false"}
_MAX_DIGITS = 15  # no real figure has 16 integer digits, and Excel keeps only 15 significant digits
_PLAIN_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
# Characters XML 1.0 (so an .xlsx) cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE/F.
_UNWRITABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_STORED_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ZERO = Decimal(0)


@attrs.frozen
class ValueProblem:
    """Why a raw value could not be typed: a catalogue code and the parameters of its message.

    The caller adds where (``place``) and builds the finding from the catalogue.
    """

    code: str
    params: Mapping[str, Any] = attrs.field(factory=FrozenMap, converter=frozen_map)


Coerced = Value | None | ValueProblem


def coerce(field: Field, raw: object) -> Coerced:
    """The typed value of ``raw`` for ``field``; None for a blank; a ValueProblem when it cannot be typed."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        if not text:
            return None
    else:
        text = ""
    kind = field.kind
    if kind is Kind.FLAG:
        return _flag(field, raw, text)
    number = _number(field, raw, text)
    if isinstance(number, ValueProblem):
        return number
    if number.is_zero():
        number = number.copy_abs()  # "-0" is zero, written without its sign
    if number.adjusted() >= _MAX_DIGITS or len(number.as_tuple().digits) > _MAX_DIGITS:
        return ValueProblem("VAL-008", {"value": _show(raw)[:40]})
    if kind is Kind.MONEY:
        if number < 0:
            return ValueProblem("VAL-006", {"value": _show(raw)})
        return number
    if number != number.to_integral_value():
        return ValueProblem("VAL-002", {"unit": field.unit, "value": _show(raw)})
    if number < 0:
        return ValueProblem("VAL-001", {"unit": field.unit, "value": _show(raw)})
    return int(number)


#: What fillers type for "not applicable": a dash or 不适用 reads as blank, 无 as none (0, or 否 for a
#: 是/否 blank). Compared after NFKC and with spaces removed, so full-width ／ and － are covered.
_BLANK_MARKS = frozenset({"/", "-", "--", "—", "——", "–", "―", "不适用", "n/a", "na"})
_NONE_MARKS = frozenset({"无"})


@attrs.frozen
class Mark:
    """A 不适用 mark typed in a blank, and the value it is read as (None: blank)."""

    text: str
    value: Value | None


def mark(field: Field, raw: object) -> Mark | None:
    """The 不适用 mark ``raw`` is, if it is one: a dash or 不适用 reads as blank, 无 as 0 (否 for a 是/否
    blank); None for anything else (``specs/report-json.md`` §3.1)."""
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if text.lower() in _BLANK_MARKS:
        return Mark(text, None)
    if text in _NONE_MARKS:
        if field.kind is Kind.FLAG:
            return Mark(text, False)
        return Mark(text, 0 if field.kind is Kind.COUNT else _ZERO)
    return None


def at_declared_places(value: Decimal, places: int) -> Decimal:
    """A 万元 figure read to at least its field's declared places: 1865 and 3.7 stand for 1865.00 and 3.70
    where the form asks for two places, never coarser than the digits written (3.695 stays 3.695).

    One precision rule for every format (``specs/rules.md`` §4.1): a workbook cell does not keep the
    places typed, so JSON "1865", a table's 1865 and a cell holding 1865 must all mean the same figure,
    the amount to the places the printed form asks for.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -places:
        return value.quantize(Decimal(1).scaleb(-places))
    return value


def typed_number(kind: Kind, places: int | None, text: str) -> int | Decimal | None:
    """The typed value of a number cell's stored text, for a field of ``kind`` whose 万元 figures are
    read at ``places``, when the text is a plain non-negative number of at most 15 digits (what every
    filled number is); None otherwise, and the general way (:func:`coerce`) decides.

    One step from the file's text to the value, the same value the general way gives (a property test
    holds them to it): a count is an int, an amount a Decimal at its declared places, 0 written 0.
    """
    point = "." in text
    if len(text) - point > _MAX_DIGITS or not _STORED_RE.fullmatch(text):
        return None
    if kind is Kind.COUNT:
        return None if point else int(text)
    if kind is not Kind.MONEY:
        return None
    number = Decimal(text) or _ZERO  # a zero is 0, however written
    if places is not None:
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -places:
            number = number.quantize(Decimal(1).scaleb(-places))
    return number


def _flag(field: Field, raw: object, text: str) -> Coerced:
    if isinstance(raw, bool):
        return raw
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return ValueProblem("VAL-004", {"value": _show(raw)})


def _number(field: Field, raw: object, text: str) -> Decimal | ValueProblem:
    if isinstance(raw, Decimal):  # first: what every reader of numbers gives
        return raw if raw.is_finite() else _not_number(field, raw)
    if isinstance(raw, bool):
        return _not_number(field, raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # A spreadsheet stores numbers as doubles; the shortest repr is the number the filler typed.
        return Decimal(repr(raw)) if math.isfinite(raw) else _not_number(field, raw)
    if not isinstance(raw, str):
        return _not_number(field, raw)
    for suffix in sorted({field.unit, "万元", "万"} if field.kind is Kind.MONEY else {field.unit}, key=len)[
        ::-1
    ]:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if _GROUPED_RE.match(text):
        text = text.replace(",", "")
    if not _PLAIN_RE.match(text):
        return _not_number(field, raw)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return _not_number(field, raw)


def _not_number(field: Field, raw: object) -> ValueProblem:
    return ValueProblem("VAL-003", {"unit": field.printed_unit, "value": _show(raw)})


def _show(raw: object) -> str:
    return f"“{raw}”" if isinstance(raw, str) else str(raw)


def coerce_header(header: Header, entry: str, raw: object, *, date1904: bool = False) -> object:
    """The typed header ``entry`` (text, or a date for ``date``); None when blank; a ValueProblem otherwise.

    ``header`` gives the form's printed labels; the caller puts the label in front of a ValueProblem.

    Text entries accept text and numbers (a phone typed as a number). The date accepts a date, an Excel
    serial number (``date1904`` for workbooks counting from 1904) or text such as 2017-01-15,
    2017/1/15, 2017年1月15日 and 20170115; the printed 年 月 日 alone is no date.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if entry == "date":
        if isinstance(raw, datetime.date):
            return raw
        if isinstance(raw, str) and not raw.strip(" 年月日\u3000"):
            return None  # the template's printed 年 月 日 (contract.DATE_PLACEHOLDER) with nothing typed in
        date = _date(raw, date1904)
        if date is None:
            return ValueProblem("META-001", {"value": _show(raw)})
        return date
    if isinstance(raw, str):
        bad = _UNWRITABLE_RE.search(raw)
        if bad:
            return ValueProblem("META-005", {"char": f"U+{ord(bad.group()):04X}"})
        return raw.strip()
    if isinstance(raw, Decimal) and raw.is_finite():
        return format(raw.to_integral_value() if raw == raw.to_integral_value() else raw, "f")
    return ValueProblem("META-002", {"value": _show(raw)})


def header_date(text: str) -> datetime.date | None:
    """A date typed as text (2017-01-15, 2017/1/15, 2017年1月15日, 20170115), as the header's; None if not."""
    return _date(text, False)


def _date(value: object, date1904: bool) -> datetime.date | None:
    """A header date: an Excel serial number, or text such as 2017-01-15, 2017/1/15, 2017年1月15日."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and 19000101 <= value <= 99991231:
            return _compact_date(str(int(value)))
        return _serial_date(value, date1904)
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).replace(" ", "").strip()
    m = _DATE_RE.match(text)
    if m:
        try:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return _compact_date(text)


def _compact_date(text: str) -> datetime.date | None:
    m = _COMPACT_DATE_RE.match(text)
    if m is None:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _serial_date(serial: Decimal, date1904: bool) -> datetime.date | None:
    if serial < 0 or serial > 2958465:  # 9999-12-31
        return None
    days = int(serial)  # the fraction is the time of day
    try:
        if date1904:
            return datetime.date(1904, 1, 1) + datetime.timedelta(days=days)
        if days == 0 or days == 60:  # 1900-01-00 and Lotus's 1900-02-29 are no dates
            return None
        base = datetime.date(1899, 12, 31) if days < 60 else datetime.date(1899, 12, 30)
        return base + datetime.timedelta(days=days)
    except OverflowError:
        return None
