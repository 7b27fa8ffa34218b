"""The definition of a numbered line-item form: lines, rows of printed text, blanks (fields) and rules.

A form is a frozen value, checked when it is built: an invalid form cannot exist. Rows are written in a
small markup that keeps the printed sentence whole (see ``specs/form-definition.md``)::

    [A]当地职工总数{人}，其中农民工总数{人}。

``[A]`` prints ``（A）`` and starts sub-item A; ``{人}`` is a blank with its unit printed after it;
``{万元|label}`` gives the blank's label where the printed wording around it cannot, or where it
repeats within the form: ``{万元|帮扶农民工：生活救助：帮扶款物}`` (qualifiers quote the same line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from unionforms.core.errors import DefinitionError, InputError
from unionforms.core.rules import Rule, check_kinds
from unionforms.core.tablekeys import refuse_unknown
from unionforms.core.units import COMBINES, UNITS, Combine, Kind, kind_of, printed_unit

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_BOUNDARY = "，,；;。：:"
# Patterns are compiled on first use (``re`` keeps them): compiling at import costs every command start-up.
_LINE = r"^\d{2}$"
_ID = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
_TOML_AT = r"at line (?P<line>\d+), column (?P<column>\d+)"
BLANK = "___"
QUALIFIER = "："
_MAX_DECIMALS = 6  # 0.000001 万元 is 1 分: no figure is written finer


K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable mapping: what a frozen value class holds where it would hold a dict, so that
    the value stays hashable and nothing can change it after its checks (``form.decimals["05"] = 9`` is a
    TypeError). Lookups go straight to the dict inside: ``form.fields`` is read for every value typed."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | T, /) -> V | T: ...
    def get(self, key: K, default: object = None, /) -> object:
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self._data == (other._data if isinstance(other, FrozenMap) else other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (FrozenMap, (self._data,))


def frozen_map(value: Mapping[Any, Any]) -> FrozenMap[Any, Any]:
    """``value`` as a :class:`FrozenMap`: the attrs converter of every mapping a frozen value class holds."""
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


#: The keys of each table of a definition (``specs/form-definition.md`` §2–§5); any other is DEF-040/041.
FORM_KEYS = (
    "id",
    "family",
    "year",
    "version",
    "title",
    "copied_from",
    "line_style",
    "money_decimals",
    "decimals",
    "header",
    "notes",
    "lines",
    "rules",
    "aggregate",
)
HEADER_KEYS = ("unit_label", "filler_label", "phone_label")
NOTES_KEYS = ("heading", "items", "position")
LINE_KEYS = ("number", "rows")

#: Largest definition or mapping file read (the biggest shipped form.toml is about 40 KiB).
MAX_DEFINITION_BYTES = 4 * 1024 * 1024


def read_definition(path: str | Path | Traversable) -> bytes:
    """The bytes of a definition or mapping file: a path is read only if it is a regular file of bounded
    size (a FIFO or /dev/zero named as form.toml must not hang ``check``); DEF-006 says why not."""
    # only when a file is read: a registry from the cache reads none
    from unionforms.core.inputs import read_input

    try:
        if isinstance(path, (str, Path)):
            return read_input(path, limit=MAX_DEFINITION_BYTES)
        with path.open("rb") as fh:
            return fh.read()
    except InputError as exc:
        detail = exc.detail or f"{exc.code} {exc.message}"
        raise DefinitionError("DEF-006", detail=detail, file=str(path)) from None
    except OSError as exc:
        raise DefinitionError("DEF-006", detail=f"{type(exc).__name__}: {exc}", file=str(path)) from None


@attrs.frozen
class Text:
    """Printed words between blanks."""

    text: str


@attrs.frozen
class LetterMark:
    """Where a sub-item starts; printed as （A）."""

    letter: str


@attrs.frozen
class Field:
    """One printed blank: the unit of data. ``code`` is the public key other systems use."""

    code: str
    line: str
    letter: str | None
    label: str
    unit: str = attrs.field(validator=attrs.validators.in_(UNITS))

    @property
    def kind(self) -> Kind:
        return kind_of(self.unit)

    @property
    def printed_unit(self) -> str:
        return printed_unit(self.unit)


Segment = Text | LetterMark | Field


@attrs.frozen
class Row:
    """One printed row of a line: text, letter marks and blanks in reading order."""

    segments: tuple[Segment, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(s for s in self.segments if isinstance(s, Field))

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(s.letter for s in self.segments if isinstance(s, LetterMark))

    @property
    def printed(self) -> str:
        """The row as the paper form prints it, blanks as ___ followed by their unit."""
        out = []
        for seg in self.segments:
            if isinstance(seg, Text):
                out.append(seg.text)
            elif isinstance(seg, LetterMark):
                out.append(f"（{seg.letter}）")
            else:
                out.append(f"{BLANK}{seg.printed_unit}")
        return "".join(out)


@attrs.frozen
class Line:
    """A numbered line (01, 02 …) and its printed rows."""

    number: str
    rows: tuple[Row, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for row in self.rows for f in row.fields)

    @classmethod
    def from_markup(cls, number: str, rows: Sequence[str], *, form: str = "?") -> Line:
        """Parse a line's rows of markup, giving every blank its code (05, 05A, 01A.2 …)."""
        if not re.match(_LINE, number):
            raise DefinitionError("DEF-013", number=repr(number), form=form)
        parsed = [_parse_row(text, form=form, line=number) for text in rows]
        letter: str | None = None
        keyed: list[list[tuple[str | None, _RawBlank] | Segment]] = []
        counts: dict[str | None, int] = {}
        used: set[str] = set()
        for row in parsed:
            out: list[tuple[str | None, _RawBlank] | Segment] = []
            for seg in row:
                if isinstance(seg, LetterMark):
                    if seg.letter in used:
                        raise DefinitionError("DEF-019", letter=seg.letter, form=form, line=number)
                    used.add(seg.letter)
                    letter = seg.letter
                    out.append(seg)
                elif isinstance(seg, _RawBlank):
                    counts[letter] = counts.get(letter, 0) + 1
                    out.append((letter, seg))
                else:
                    out.append(seg)
            keyed.append(out)
        seen: dict[str | None, int] = {}
        built: list[Row] = []
        for out in keyed:
            segments: list[Segment] = []
            for i, item in enumerate(out):
                if isinstance(item, tuple):
                    key, raw = item
                    seen[key] = seen.get(key, 0) + 1
                    code = number + (key or "") + (f".{seen[key]}" if counts[key] > 1 else "")
                    label = raw.label or _auto_label(out, i)
                    if not label:
                        raise DefinitionError("DEF-004", form=form, line=number, field=code)
                    segments.append(Field(code, number, key, label, raw.unit))
                else:
                    segments.append(item)
            built.append(Row(tuple(segments)))
        for row_obj in built:
            for f in row_obj.fields:
                _check_label(f, row_obj, built, form=form)
        return cls(number, tuple(built))


def _line(table: Mapping[str, Any], form: str) -> Line:
    """One ``[[lines]]`` table: only ``number`` and ``rows``."""
    refuse_unknown(
        table, LINE_KEYS, f"[[lines]] {table.get('number', '?')}", line=str(table.get("number", "?"))
    )
    return Line.from_markup(str(table["number"]), tuple(table["rows"]), form=form)


def _check_label(field: Field, row: Row, rows: Sequence[Row], *, form: str) -> None:
    """A label quotes its row; ``qualifier：words`` qualifiers quote any row of the same line.

    The qualifiers name what repeated wording is about (``帮扶农民工：生活救助：帮扶款物``), so that a
    label identifies its blank without the code.
    """
    *qualifiers, words = field.label.split(QUALIFIER)
    line_text = "\n".join(r.printed for r in rows)
    unprinted = [p for p in words.split(BLANK) if p and p not in row.printed]
    unprinted += [p for q in qualifiers for p in q.split(BLANK) if not p or p not in line_text]
    if unprinted:
        raise DefinitionError(
            "DEF-020",
            label=repr(field.label),
            printed=repr(row.printed),
            form=form,
            line=field.line,
            field=field.code,
        )


@attrs.frozen
class _RawBlank:
    unit: str
    label: str | None


def _parse_row(text: str, *, form: str, line: str) -> list[Text | LetterMark | _RawBlank]:
    out: list[Text | LetterMark | _RawBlank] = []
    buf: list[str] = []
    i = 0

    def fail(code: str, **params: Any) -> DefinitionError:
        return DefinitionError(code, row=repr(text), position=i, form=form, line=line, **params)

    def flush() -> None:
        if buf:
            out.append(Text("".join(buf)))
            buf.clear()

    while i < len(text):
        ch = text[i]
        if ch == "[":
            m = re.match(r"\[([A-Z])\]", text[i:])
            if not m:
                raise fail("DEF-003")
            flush()
            out.append(LetterMark(m.group(1)))
            i += m.end()
        elif ch == "{":
            end = text.find("}", i)
            if end < 0:
                raise fail("DEF-016")
            unit, _, label = text[i + 1 : end].partition("|")
            if unit not in UNITS:
                raise fail("DEF-017", unit=repr(unit), units=" ".join(UNITS))
            flush()
            out.append(_RawBlank(unit, label.strip() or None))
            i = end + 1
        elif ch in "]}":
            raise fail("DEF-018", char=repr(ch))
        else:
            buf.append(ch)
            i += 1
    flush()
    return out


def _auto_label(row: Sequence[object], i: int) -> str:
    """The printed clause around blank ``i``: words back to the last boundary, plus words up to the next."""
    before: list[str] = []
    for item in reversed(row[:i]):
        if not isinstance(item, Text):
            break
        before.insert(0, item.text)
    head = "".join(before)
    for ch in _BOUNDARY:
        head = head.rpartition(ch)[2]
    head = head.strip()
    tail = ""
    after = row[i + 1] if i + 1 < len(row) else None
    if isinstance(after, Text):
        tail = after.text
        cut = min((tail.find(ch) for ch in _BOUNDARY if ch in tail), default=len(tail))
        tail = tail[:cut].strip()
    if tail:
        unit = row[i][1].unit  # type: ignore[index]
        return f"{head}{BLANK}{printed_unit(unit)}{tail}"
    return head


def _aggregate(data: object, form: str) -> dict[str, Combine]:
    """The ``[aggregate]`` table: field code -> how it adds up (sum, blank, any, all)."""
    if not isinstance(data, Mapping):
        raise DefinitionError("DEF-030", form=form)
    out: dict[str, Combine] = {}
    for code, way in data.items():
        try:
            out[str(code)] = Combine(way)
        except ValueError:
            raise DefinitionError("DEF-031", form=form, field=str(code), way=repr(way)) from None
    return out


@attrs.frozen
class Header:
    """The printed header's labels; the date is always 年 月 日."""

    unit_label: str = "填报单位"
    filler_label: str = "填报人"
    phone_label: str = "联系电话"

    def label(self, entry: str) -> str:
        """The printed label of a header entry (``unit``, ``filled_by``, ``phone`` or ``date``)."""
        return {
            "unit": self.unit_label,
            "filled_by": self.filler_label,
            "phone": self.phone_label,
            "date": "填报日期",
        }[entry]


@attrs.frozen
class Notes:
    """注 / 说明: printed verbatim, above the lines or below them."""

    heading: str = "注"
    items: tuple[str, ...] = ()
    position: str = attrs.field(default="bottom", validator=attrs.validators.in_(("top", "bottom")))


def _check_decimals(instance: object, attribute: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_DECIMALS:
        key = "decimals" if attribute is None else "money_decimals"  # for `unionforms check` to locate
        raise DefinitionError("DEF-024", places=repr(value), most=_MAX_DECIMALS, key=key)


def _check_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not re.match(_ID, value):
        raise DefinitionError("DEF-012", id=repr(value))


@attrs.frozen(cache_hash=True)  # hashed once: forms key caches (excel/fill.py), looked up per return
class Form:
    """A complete form definition: identity, printed header and notes, lines, and rules."""

    id: str = attrs.field(validator=_check_id)
    family: str
    year: int
    version: str
    title: str
    lines: tuple[Line, ...]
    rules: tuple[Rule, ...] = ()
    header: Header = Header()
    notes: Notes = Notes()
    line_style: str = attrs.field(default="plain", validator=attrs.validators.in_(("plain", "paren")))
    money_decimals: int = attrs.field(default=2, validator=_check_decimals)
    decimals: FrozenMap[str, int] = attrs.field(factory=FrozenMap, converter=frozen_map)
    aggregate: FrozenMap[str, Combine] = attrs.field(factory=FrozenMap, converter=frozen_map)
    fields: FrozenMap[str, Field] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        fields: dict[str, Field] = {}
        numbers: set[str] = set()
        for line in self.lines:
            if line.number in numbers:
                raise DefinitionError("DEF-002", form=self.id, line=line.number)
            numbers.add(line.number)
            for f in line.fields:
                if f.code in fields:
                    raise DefinitionError("DEF-015", form=self.id, field=f.code)
                fields[f.code] = f
        if not fields:
            raise DefinitionError("DEF-014", form=self.id)
        want = f"{self.family}-{self.year}"
        if self.id != want:
            raise DefinitionError(
                "DEF-042", form=self.id, id=self.id, family=self.family, year=self.year, want=want
            )
        object.__setattr__(self, "fields", FrozenMap(fields))
        for code, places in self.decimals.items():
            if code not in fields or fields[code].kind is not Kind.MONEY:
                raise DefinitionError("DEF-025", form=self.id, field=code, key="decimals")
            _check_decimals(self, None, places)
        units = {code: f.unit for code, f in fields.items()}
        for code, way in self.aggregate.items():
            if code not in fields:
                raise DefinitionError("DEF-032", form=self.id, field=code)
            allowed = COMBINES[fields[code].kind]
            if way not in allowed:
                raise DefinitionError(
                    "DEF-033",
                    form=self.id,
                    field=code,
                    way=way.value,
                    unit=fields[code].unit,
                    allowed="、".join(c.value for c in allowed),
                )
        ids: set[str] = set()
        for rule in self.rules:
            if rule.id in ids:
                raise DefinitionError("DEF-005", form=self.id, rule=rule.id)
            ids.add(rule.id)
            check_kinds(rule, units, form=self.id)

    def line_label(self, number: str) -> str:
        """The line number as printed: 01 or （01）."""
        return f"（{number}）" if self.line_style == "paren" else number

    def declared_decimals(self, code: str) -> int | None:
        """Decimal places a 万元 blank is written to (form default or its override); None for others.

        A figure typed without its precision (a number stored in a workbook) is read at this precision.
        """
        if self.fields[code].kind is not Kind.MONEY:
            return None
        return self.decimals.get(code, self.money_decimals)

    def combine(self, code: str) -> Combine:
        """How field ``code`` adds up: as declared in ``[aggregate]``, else the default of its kind."""
        return self.aggregate.get(code) or COMBINES[self.fields[code].kind][0]

    def iter_fields(self) -> Iterator[Field]:
        return iter(self.fields.values())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Form:
        """Build a form from the tables of a definition file (see ``specs/form-definition.md``)."""
        form_id = str(data.get("id", "?"))
        try:
            refuse_unknown(data, FORM_KEYS, "form.toml")
            header_data = dict(data.get("header", {}))
            refuse_unknown(header_data, HEADER_KEYS, "[header]")
            header = Header(**header_data)
            notes_data = dict(data.get("notes", {}))
            refuse_unknown(notes_data, NOTES_KEYS, "[notes]")
            notes = Notes(
                heading=notes_data.get("heading", "注"),
                items=tuple(notes_data.get("items", ())),
                position=notes_data.get("position", "bottom"),
            )
            lines = tuple(_line(line, form_id) for line in data["lines"])
            rules = tuple(Rule.from_dict(dict(r)) for r in data.get("rules", ()))
            aggregate = _aggregate(data.get("aggregate", {}), form_id)
            return cls(
                id=data["id"],
                family=data["family"],
                year=int(data["year"]),
                version=str(data["version"]),
                title=data["title"],
                lines=lines,
                rules=rules,
                header=header,
                notes=notes,
                line_style=data.get("line_style", "plain"),
                money_decimals=data.get("money_decimals", 2),
                decimals=dict(data.get("decimals", {})),
                aggregate=aggregate,
            )
        except DefinitionError as exc:
            if exc.form in (None, "?"):
                exc.form = form_id
            raise
        except KeyError as exc:
            raise DefinitionError(
                "DEF-001", key=repr(exc.args[0] if exc.args else ""), form=form_id
            ) from None
        except (TypeError, ValueError) as exc:
            raise DefinitionError("DEF-011", detail=f"{type(exc).__name__}: {exc}", form=form_id) from None

    @classmethod
    def from_toml(cls, path: str | Path | Traversable) -> Form:
        """Read a TOML definition file (a path, or a package resource from importlib.resources)."""
        import tomllib  # only when definitions are parsed: a registry from the cache needs none

        raw = read_definition(path)
        try:
            text = raw.decode("utf-8")
            data = tomllib.loads(text)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            at = re.search(_TOML_AT, str(exc))
            if at is not None:
                line_no, column = at["line"], at["column"]
            else:  # "at end of document", or not UTF-8 at all
                lines = raw.decode("utf-8", "replace").split("\n")
                line_no, column = str(len(lines)), str(len(lines[-1]) + 1)
            raise DefinitionError(
                "DEF-021", line_no=line_no, column=column, detail=str(exc), file=str(path)
            ) from None
        return cls.from_dict(data)
