"""Untrusted JSON is parsed within documented bounds: depth, number length, valid Unicode."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.core.errors import InputError
from unionforms.io import jsonsafe


def _code(text: str) -> str:
    with pytest.raises(InputError) as info:
        jsonsafe.loads(text, file="f.json")
    assert info.value.file == "f.json"
    return info.value.code


def test_numbers_are_int_or_decimal_never_float() -> None:
    data = jsonsafe.loads('{"a": 12, "b": 0.1, "c": 1e2, "d": [-3]}')
    assert data == {"a": 12, "b": Decimal("0.1"), "c": Decimal("1e2"), "d": [-3]}
    assert type(data["b"]) is Decimal


def test_deep_nesting_is_refused_before_parsing() -> None:
    assert _code("[" * 100_000 + "]" * 100_000) == "IN-095"
    assert _code("[" * (jsonsafe.MAX_JSON_DEPTH + 1) + "]" * (jsonsafe.MAX_JSON_DEPTH + 1)) == "IN-095"
    depth = jsonsafe.MAX_JSON_DEPTH
    assert jsonsafe.loads("[" * depth + "]" * depth) is not None


def test_brackets_inside_strings_do_not_count() -> None:
    assert jsonsafe.depth('{"a": "[[[[{{{{\\"]]"}') == 1
    assert jsonsafe.loads('{"a": "' + "[" * 1000 + '"}') == {"a": "[" * 1000}


def test_a_long_number_is_refused_before_conversion() -> None:
    assert _code('{"a": ' + "9" * 5000 + "}") == "IN-096"
    assert _code('{"a": 1.' + "9" * 5000 + "}") == "IN-096"
    limit = jsonsafe.MAX_NUMBER_CHARS
    assert jsonsafe.loads("[" + "9" * limit + "]") == [int("9" * limit)]


def test_nan_and_infinity_are_not_json() -> None:
    for text in ("NaN", "Infinity", "-Infinity"):
        assert _code(f'{{"a": {text}}}') == "IN-097"


def test_lone_surrogates_are_refused_in_values_and_keys() -> None:
    assert _code('{"a": "x\\ud800"}') == "IN-098"
    assert _code('{"\\udc00": 1}') == "IN-098"
    assert jsonsafe.loads('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is one character


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), lambda c: st.lists(c, max_size=3)))
def test_whatever_json_is_given_the_outcome_is_data_or_a_coded_error(value: object) -> None:
    import json

    text = json.dumps(value)
    try:
        jsonsafe.loads(text)
    except InputError as exc:
        assert exc.code in ("IN-095", "IN-096", "IN-098")


def test_a_key_given_twice_is_refused_naming_it() -> None:
    with pytest.raises(InputError) as info:
        jsonsafe.loads('{"form": "x", "values": {"01A": 100, "01B": 1, "01A": 5}}', file="r.json")
    assert info.value.code == "IN-099" and "01A" in str(info.value) and info.value.file == "r.json"
    assert jsonsafe.loads('{"a": {"b": 1}, "c": {"b": 2}}') == {
        "a": {"b": 1},
        "c": {"b": 2},
    }  # keys per object
