"""Units printed after a blank, and the kind of value each one holds."""

from __future__ import annotations

import enum


class Kind(enum.Enum):
    """What a blank holds: a non-negative whole count, money in 万元, or 是/否."""

    COUNT = "count"
    MONEY = "money"
    FLAG = "flag"


class Combine(enum.Enum):
    """How a field's values add up when returns are aggregated (层层汇总).

    sum: counts and 万元 add up (the default for both). any / all: 是 when any / every non-blank
    return says 是. blank: the total leaves the field blank; a 是/否 field's answers are still tallied
    in the provenance (the default for 是/否: whether a 省 budgets its fund is not the answer of its
    cities, so no answer is invented).
    """

    SUM = "sum"
    ANY = "any"
    ALL = "all"
    BLANK = "blank"


#: The ways each kind of value may add up; the first is the default.
COMBINES: dict[Kind, tuple[Combine, ...]] = {
    Kind.COUNT: (Combine.SUM, Combine.BLANK),
    Kind.MONEY: (Combine.SUM, Combine.BLANK),
    Kind.FLAG: (Combine.BLANK, Combine.ANY, Combine.ALL),
}


#: Every unit a form may print after a blank, with the kind of value it takes.
UNITS: dict[str, Kind] = {
    "人": Kind.COUNT,
    "户": Kind.COUNT,
    "家": Kind.COUNT,
    "名": Kind.COUNT,
    "人次": Kind.COUNT,
    "场次": Kind.COUNT,
    "个": Kind.COUNT,
    "对": Kind.COUNT,
    "列": Kind.COUNT,
    "节": Kind.COUNT,
    "辆": Kind.COUNT,
    "艘": Kind.COUNT,
    "架": Kind.COUNT,
    "张": Kind.COUNT,
    "件": Kind.COUNT,
    "次": Kind.COUNT,
    "所": Kind.COUNT,
    "万元": Kind.MONEY,
    "是/否": Kind.FLAG,
}


def kind_of(unit: str) -> Kind:
    """The kind of value a blank with ``unit`` holds; KeyError for an unknown unit."""
    return UNITS[unit]


def printed_unit(unit: str) -> str:
    """The unit as the paper form prints it after the blank (是/否 in brackets)."""
    return "（是/否）" if UNITS.get(unit) is Kind.FLAG else unit


#: Units that count the same thing under another measure word: 名 and 人 both count persons.
_SAME_MEASURE: dict[str, str] = {"名": "人"}


def measure_of(unit: str) -> str:
    """What a unit counts, for comparing fields: 名 and 人 are both persons; 人次 is not 人."""
    return _SAME_MEASURE.get(unit, unit)
