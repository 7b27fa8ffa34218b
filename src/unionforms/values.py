"""Turn what a filler typed into a typed value: count -> int, 万元 -> Decimal, 是/否 -> bool.

One function serves every reader (JSON, Excel). It accepts what fillers really type: numbers stored as
text, full-width digits (１２３), thousands separators, spaces, a trailing unit ("12人", "3.5万元"),
是/否/√/×. A blank (None, "", spaces) stays blank and is never turned into 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import attrs

from .evaluate import Value
from .model import Field
from .units import Kind

_TRUE = {"是", "√", "✓", "✔", "☑", "y", "yes", "true"}
_FALSE = {"否", "×", "✗", "✘", "x", "n", "no", "false"}
_MAX_DIGITS = 15  # no real figure has 16 integer digits, and Excel keeps only 15 significant digits
_PLAIN_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@attrs.frozen
class Problem:
    """Why a raw value could not be typed: a catalogue code and a Chinese message."""

    code: str
    message: str


Coerced = Value | None | Problem


def coerce(field: Field, raw: object) -> Coerced:
    """The typed value of ``raw`` for ``field``; None for a blank; a Problem when it cannot be typed."""
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
    if isinstance(number, Problem):
        return number
    if number.is_zero():
        number = number.copy_abs()  # "-0" is zero, written without its sign
    if number.adjusted() >= _MAX_DIGITS or len(number.as_tuple().digits) > _MAX_DIGITS:
        return Problem(
            "VAL-008", f"数值过大（填写的是 {_show(raw)[:40]}），不是实际的统计数。请核对单位和位数。"
        )
    if kind is Kind.MONEY:
        if number < 0:
            return Problem("VAL-006", f"金额不能为负数（填写的是 {_show(raw)}）。请填写 0 或正数。")
        return number
    if number != number.to_integral_value():
        return Problem(
            "VAL-002", f"应填写整数{field.unit}数，不能有小数（填写的是 {_show(raw)}）。请填写整数。"
        )
    if number < 0:
        return Problem("VAL-001", f"{field.unit}数不能为负数（填写的是 {_show(raw)}）。请填写 0 或正整数。")
    return int(number)


def _flag(field: Field, raw: object, text: str) -> Coerced:
    if isinstance(raw, bool):
        return raw
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return Problem("VAL-004", f"只能填写“是”或“否”（填写的是 {_show(raw)}）。请从下拉列表中选择。")


def _number(field: Field, raw: object, text: str) -> Decimal | Problem:
    not_number = Problem(
        "VAL-003", f"应填写数字（{field.printed_unit}），填写的是 {_show(raw)}。请只填写数字，如 12 或 3.5。"
    )
    if isinstance(raw, bool):
        return not_number
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else not_number
    if isinstance(raw, float):
        # A spreadsheet stores numbers as doubles; the shortest repr is the number the filler typed.
        return Decimal(repr(raw)) if math.isfinite(raw) else not_number
    if not isinstance(raw, str):
        return not_number
    for suffix in sorted({field.unit, "万元", "万"} if field.kind is Kind.MONEY else {field.unit}, key=len)[
        ::-1
    ]:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if _GROUPED_RE.match(text):
        text = text.replace(",", "")
    if not _PLAIN_RE.match(text):
        return not_number
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return not_number


def _show(raw: object) -> str:
    return f"“{raw}”" if isinstance(raw, str) else str(raw)


def format_value(value: object) -> str:
    """A value as a filler reads it: 是/否 for flags, plain digits for numbers (no exponent)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return str(value)
