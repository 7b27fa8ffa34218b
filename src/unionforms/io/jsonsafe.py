"""Parse untrusted JSON text within documented bounds (``specs/report-json.md`` §5.1).

Python's :func:`json.loads` has none of its own: nesting 100,000 deep exhausts the stack, a
5,000-digit integer stops ``int()`` (``ValueError`` since Python 3.11), ``NaN`` and ``Infinity`` become
floats, and ``"\\ud800"`` gives a string that cannot be written out again. Here the depth is measured
before parsing, number literals are measured before they are converted, and every string is checked
after: each failure is an :class:`~unionforms.core.errors.InputError` naming the file (IN-095 too deep, IN-096
a number too long, IN-097 NaN or Infinity, IN-098 a lone surrogate, IN-011 not JSON at all).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from itertools import accumulate
from typing import Any

from unionforms.core.errors import InputError

#: Deepest nesting of arrays and objects. A report nests two deep (the document, then meta or values);
#: a total's provenance three more for every level below it: 64 holds 20 levels of 层层汇总.
MAX_JSON_DEPTH = 64
#: Longest number literal, in characters (a real figure has at most 15 digits; 16 to 100 are VAL-008).
MAX_NUMBER_CHARS = 100

_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class _Refused(Exception):
    """A literal past a bound, raised from inside the parser's hooks: builds the error for a file."""

    def __init__(self, error: Callable[[str | None], InputError]) -> None:
        super().__init__()
        self.error = error


def _number(text: str) -> None:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(lambda file: InputError("IN-096", chars=len(text), limit=MAX_NUMBER_CHARS, file=file))


def _int(text: str) -> int:
    _number(text)
    return int(text)


def _decimal(text: str) -> Decimal:
    _number(text)
    return Decimal(text)


def _constant(text: str) -> object:
    raise _Refused(lambda file: InputError("IN-097", text=text, file=file))


def _twice(key: str, file: str | None) -> InputError:
    return InputError("IN-099", key=key, file=file)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, refusing a key given twice (``{"01A": 100, "01A": 5}``): never the last one silently."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(functools.partial(_twice, key))
            seen.add(key)
    return out


def depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (strings, which may hold brackets, left out)."""
    brackets = _NOT_BRACKET_RE.sub("", _STRING_RE.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)


def loads(text: str, *, file: str | None = None) -> Any:
    """The JSON document in ``text``: numbers as int or Decimal, every bound of this module enforced."""
    deepest = depth(text)
    if deepest > MAX_JSON_DEPTH:
        raise InputError("IN-095", depth=deepest, limit=MAX_JSON_DEPTH, file=file)
    try:
        data = json.loads(
            text, parse_int=_int, parse_float=_decimal, parse_constant=_constant, object_pairs_hook=_object
        )
    except _Refused as exc:
        raise exc.error(file) from None
    except json.JSONDecodeError as exc:
        raise InputError("IN-011", line_no=exc.lineno, column=exc.colno, detail=exc.msg, file=file) from None
    except RecursionError:  # pragma: no cover - the depth bound comes first
        raise InputError("IN-095", depth=deepest, limit=MAX_JSON_DEPTH, file=file) from None
    _check_strings(data, "", file)
    return data


def _check_strings(value: object, where: str, file: str | None) -> None:
    """IN-098 for a string (or key) with a lone surrogate: it is not Unicode text and cannot be written."""
    if isinstance(value, str):
        if _SURROGATE_RE.search(value):
            raise InputError("IN-098", where=where or "(顶层 top level)", file=file)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, where, file)
            _check_strings(item, f"{where}.{key}" if where else key, file)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_strings(item, f"{where}[{i}]", file)
