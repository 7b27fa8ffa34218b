"""JSON written piece by piece, so that a result with an entry per input never exists whole in memory.

A :class:`Rows` is an array whose items are built one at a time, as they are written: a provenance of
20,000 inputs is 20,000 small objects made and written in turn, not one list of dicts and one string.
:func:`chunks` writes objects one key a line (as ``indent=2`` would), a :class:`Rows` one item a line,
and everything else compactly on its line (by the C encoder, several times faster than indenting).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Rows(Sequence[Any], Generic[T]):
    """The array ``[row(item) for item in items]``, each row made only when it is read."""

    def __init__(self, items: Sequence[T], row: Callable[[T], object]) -> None:
        self.items = items
        self.row = row

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self.row(item) for item in self.items[index]]
        return self.row(self.items[index])

    def __iter__(self) -> Iterator[Any]:
        return map(self.row, self.items)


def _rows_as_list(value: object) -> object:
    if isinstance(value, Rows):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_rows_as_list)


def compact(value: object) -> str:
    """``value`` as JSON on one line (a :class:`Rows` inside it as a plain array)."""
    return _ENCODER.encode(value)


def chunks(value: object, pad: str = "") -> Iterator[str]:
    """The JSON text of ``value`` in pieces: objects one key a line, a :class:`Rows` one item a line."""
    if isinstance(value, Mapping) and value:
        inner = pad + "  "
        sep = "{"
        for key, item in value.items():
            yield f"{sep}\n{inner}{compact(str(key))}: "
            yield from chunks(item, inner)
            sep = ","
        yield f"\n{pad}}}"
    elif isinstance(value, Rows) and len(value):
        inner = pad + "  "
        sep = "["
        for item in value:
            yield f"{sep}\n{inner}{compact(item)}"
            sep = ","
        yield f"\n{pad}]"
    else:
        yield compact(value)
