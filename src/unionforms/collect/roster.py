"""The list of units a level collects from (下级单位名录), and telling which listed unit a return is from.

A 名录 is what a statistician already keeps in Excel: an ``.xlsx`` or ``.csv`` whose header row has a
column 单位名称 (required) and, optionally, 单位代码, 上级单位, 联系人, 联系电话 and 别名 (several aliases
separated by 、 , ; or ；). ``specs/roster.md`` is the format.

A 填报单位 matches a listed unit when the two are equal after :func:`unit_key` (full and half width,
white space, invisible characters), or equal to one of its aliases; nothing looser is decided silently.
A near miss (a small edit distance, or a name that only lacks or adds 总工会/工会) is offered as
"did you mean" (:meth:`Roster.suggest`), never taken.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from unionforms.core.errors import InputError
from unionforms.core.report import unit_key

#: The columns of a 名录, by the header a statistician writes; 单位名称 is required.
COLUMNS = {
    "单位名称": "name",
    "单位代码": "code",
    "上级单位": "parent",
    "联系人": "contact",
    "联系电话": "phone",
    "别名": "aliases",
}
_ALIAS_SEPARATORS = ("、", ",", "，", ";", "；", "\n")
#: Suffixes whose presence or absence alone makes a near miss (乐山市 for 乐山市总工会).
_SUFFIXES = ("总工会", "工会")
#: The largest 名录 read (a national list of every county is some 3,000 rows).
MAX_ROSTER_BYTES = 16 << 20


def _aliases(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    for sep in _ALIAS_SEPARATORS[1:]:
        text = text.replace(sep, _ALIAS_SEPARATORS[0])
    return tuple(a.strip() for a in text.split(_ALIAS_SEPARATORS[0]) if a.strip())


def _name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not unit_key(value):
        raise ValueError("a listed unit needs a name (单位名称)")


@attrs.frozen
class ListedUnit:
    """One unit of the 名录: its name as listed and what else the statistician keeps about it."""

    name: str = attrs.field(validator=_name)
    code: str | None = None
    parent: str | None = None
    contact: str | None = None
    phone: str | None = None
    aliases: tuple[str, ...] = ()
    row: int | None = None  # where it is in its file, for messages

    @property
    def key(self) -> str:
        return unit_key(self.name)


def _index(units: tuple[ListedUnit, ...]) -> Mapping[str, ListedUnit]:
    index: dict[str, ListedUnit] = {}
    for unit in units:
        for name in (unit.name, *unit.aliases):
            key = unit_key(name)
            other = index.get(key)
            if other is not None and other is not unit:
                raise ValueError(f"{name} names both {other.name} and {unit.name}")
            index[key] = unit
    return types.MappingProxyType(index)


@attrs.frozen
class Roster:
    """The units a level collects from, in the order listed; no two share a name or an alias."""

    units: tuple[ListedUnit, ...]
    file: str | None = None
    _by_key: Mapping[str, ListedUnit] = attrs.field(init=False, repr=False, eq=False)
    _near_index: Mapping[tuple[str, str], tuple[int, ...]] | None = attrs.field(
        init=False, default=None, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_key", _index(self.units))

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[ListedUnit]:
        return iter(self.units)

    def match(self, name: str | None) -> ListedUnit | None:
        """The listed unit ``name`` is (by name or alias, after :func:`unit_key`), or None."""
        return self._by_key.get(unit_key(name))

    def suggest(self, name: str | None, limit: int = 3) -> tuple[str, ...]:
        """Listed names that ``name`` nearly is: the same but for 总工会/工会, or within a small edit
        distance (one edit for short names, two for names of eight characters or more).

        Candidates come from an index of every listed name with up to two characters deleted (two
        names within two edits share such a variant), built on first use: a 名录 of thousands of
        units is not compared name by name for every return that is not on it."""
        key = unit_key(name)
        if not key:
            return ()
        near = self._near()
        found: dict[int, int] = {i: 0 for i in near.get(("bare", _bare(key)), ())}
        for variant in _deletions(key):
            for i in near.get(("del", variant), ()):
                if i in found:
                    continue
                best: int | None = None
                for candidate in (self.units[i].name, *self.units[i].aliases):
                    other = unit_key(candidate)
                    allowed = 2 if min(len(key), len(other)) >= 8 else 1
                    d = _distance(key, other, allowed)
                    if d <= allowed and (best is None or d < best):
                        best = d
                if best is not None:
                    found[i] = best
        ranked = sorted((d, i) for i, d in found.items())
        return tuple(self.units[i].name for _, i in ranked[:limit])

    def _near(self) -> Mapping[tuple[str, str], tuple[int, ...]]:
        index = self._near_index
        if index is None:
            built: dict[tuple[str, str], list[int]] = {}
            for i, unit in enumerate(self.units):
                for label in (unit.name, *unit.aliases):
                    key = unit_key(label)
                    for entry in (("bare", _bare(key)), *(("del", v) for v in _deletions(key))):
                        kept = built.setdefault(entry, [])
                        if not kept or kept[-1] != i:
                            kept.append(i)
            index = types.MappingProxyType({k: tuple(v) for k, v in built.items()})
            object.__setattr__(self, "_near_index", index)  # a cache of the frozen units, made once
        return index


def _deletions(key: str) -> set[str]:
    """``key`` and every string made from it by deleting one or two characters."""
    once = {key[:i] + key[i + 1 :] for i in range(len(key))}
    twice = {v[:i] + v[i + 1 :] for v in once for i in range(len(v))}
    return {key} | once | twice


def _bare(key: str) -> str:
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``cap + 1`` once it is sure to exceed ``cap``."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


# --- reading a 名录 ----------------------------------------------------------------------------------


def load_roster(path: str | Path) -> Roster:
    """The 名录 at ``path`` (.xlsx or .csv). InputError ROS-001 … ROS-004 naming the file, row and
    column; every problem of the file is named in one error, not the first only."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(file)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(file)
    else:
        raise InputError("ROS-001", suffix=suffix or "（无）", file=file)
    return roster_from_rows(rows, file)


def _csv_rows(file: str) -> list[tuple[int, list[object]]]:
    import csv
    import io

    from unionforms.core.inputs import read_input
    from unionforms.io.text import decode

    text = decode(read_input(file, limit=MAX_ROSTER_BYTES), file)
    try:
        return [(n, list(row)) for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)]
    except csv.Error as exc:
        raise InputError("IN-083", detail=f"csv.Error: {exc}", file=file) from None


def _xlsx_rows(file: str) -> list[tuple[int, list[object]]]:
    from unionforms.excel.rows import column_letters, column_number, read_sheets

    sheets = [s for s in read_sheets(file) if s.rows]
    if not sheets:
        raise InputError("ROS-002", file=file, problems="（空）")
    sheet = next(
        (s for s in sheets if any(_cell(v) == "单位名称" for v in s.rows[min(s.rows)].values())), sheets[0]
    )
    width = max(column_number(c) for cells in sheet.rows.values() for c in cells)
    return [
        (number, [cells.get(column_letters(i)) for i in range(1, width + 1)])
        for number, cells in sheet.rows.items()
    ]


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def roster_from_rows(rows: Sequence[tuple[int, Sequence[object]]], file: str) -> Roster:
    """A 名录 from its rows (numbered, the first non-empty one the header); ROS-002 listing every problem."""
    rows = [(n, cells) for n, cells in rows if any(_cell(c) for c in cells)]
    if not rows:
        raise InputError("ROS-002", file=file, problems="名录为空")
    header_no, header = rows[0]
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = COLUMNS.get((_cell(cell) or "").replace(" ", ""))
        if key is not None and key not in columns:
            columns[key] = i
    if "name" not in columns:
        found = "、".join(t for t in (_cell(c) for c in header) if t) or "（无）"
        raise InputError("ROS-003", found=found, row=header_no, file=file)
    problems: list[str] = []
    units: list[ListedUnit] = []
    seen: dict[str, tuple[int, str]] = {}
    for number, cells in rows[1:]:
        entry = {k: _cell(cells[i]) if i < len(cells) else None for k, i in columns.items()}
        name = entry.get("name")
        if not name or not unit_key(name):
            problems.append(f"第 {number} 行单位名称为空")
            continue
        aliases = _aliases(entry.get("aliases"))
        clash = False
        for label in (name, *aliases):
            key = unit_key(label)
            if key in seen and seen[key][1] != name:
                problems.append(f"第 {number} 行“{label}”与第 {seen[key][0]} 行“{seen[key][1]}”重复")
                clash = True
            elif key in seen:
                problems.append(f"第 {number} 行“{label}”重复列出")
                clash = True
        if clash:
            continue
        for label in (name, *aliases):
            seen[unit_key(label)] = (number, name)
        units.append(
            ListedUnit(
                name,
                entry.get("code"),
                entry.get("parent"),
                entry.get("contact"),
                entry.get("phone"),
                aliases,
                number,
            )
        )
    if problems:
        raise InputError("ROS-002", file=file, problems="；".join(problems))
    if not units:
        raise InputError("ROS-002", file=file, problems="除表头外没有单位")
    return Roster(tuple(units), file)
