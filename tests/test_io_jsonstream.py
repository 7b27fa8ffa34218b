"""JSON written piece by piece reads back as the value it was made from, whatever the value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from unionforms.io.jsonstream import Rows, chunks, compact

_leaves = st.none() | st.booleans() | st.integers() | st.text()


def _with_rows(value: Any, draw_rows: bool) -> Any:
    """``value`` with every list turned into Rows of its items (made by a function, as provenance is)."""
    if isinstance(value, dict):
        return {k: _with_rows(v, draw_rows) for k, v in value.items()}
    if isinstance(value, list):
        items = [_with_rows(v, draw_rows) for v in value]
        return Rows(list(range(len(items))), items.__getitem__) if draw_rows else items
    return value


_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@given(value=_values, rows=st.booleans())
def test_the_pieces_read_back_as_the_value(value: Any, rows: bool) -> None:
    text = "".join(chunks(_with_rows(value, rows)))
    assert json.loads(text) == value
    assert json.loads(compact(_with_rows(value, rows))) == value


def test_rows_are_one_line_each_and_made_as_they_are_written() -> None:
    made: list[int] = []

    def row(i: int) -> dict[str, object]:
        made.append(i)
        return {"file": f"{i}.xlsx", "unit": "甲县总工会"}

    pieces = chunks({"inputs": 3, "included": Rows([0, 1, 2], row)})
    assert made == []
    text = "".join(pieces)
    assert made == [0, 1, 2]
    lines = text.splitlines()
    assert lines[3] == '    {"file": "0.xlsx", "unit": "甲县总工会"},'  # Chinese kept readable
    assert len(lines) == 8
