"""Results of parsing small workbook parts, kept by the parts' exact bytes.

Returns of one form carry the same ``xl/workbook.xml``, relationships and identity sheet, byte for byte;
parsing them once per process instead of once per file is most of what reading a return costs beyond its
values. The key is the whole content, never a checksum or a size, so a hit is the very bytes parsed
before: the same result, and the same verdict of every check (a part that was refused never enters).
Every part is still read through :class:`.SafeZip` with its bounds. Small and bounded: a few entries of
small parts, the least recently used dropped first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

#: Parts larger than this are parsed every time (real workbook parts of a form are a few KiB).
MAX_CACHED_PART = 64 * 1024


class PartCache(Generic[T]):
    """A small LRU map from a key holding part bytes to what parsing them gave."""

    def __init__(self, entries: int = 16) -> None:
        self.entries = entries
        self._items: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: T) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.entries:
            self._items.popitem(last=False)


def cacheable(*parts: bytes) -> bool:
    """Whether parts this small are worth keeping (and cheap to keep)."""
    return sum(map(len, parts)) <= MAX_CACHED_PART
