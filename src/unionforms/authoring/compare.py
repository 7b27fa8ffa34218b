"""Year over year: last year's figures beside this year's, line by line across a cross-year mapping.

Each mapping entry is one compared line: the sum of its old codes in last year's return against the
sum of its new codes in this year's (``unionforms.authoring.mapping.total``). A line is *not comparable* when
it is new or dropped, or blank in either year (a blank is not a zero); an inexact entry is compared with its
reason shown. A change is an implausible jump — a warning (合理性审核), never an error — when the larger
figure is at least ``jump`` times the smaller, or one year is zero and the other is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from unionforms.authoring.mapping import FormMapping, MappingEntry, total
from unionforms.core.display import format_value
from unionforms.core.findings import Finding, finding
from unionforms.core.model import Form
from unionforms.core.values import Value

if TYPE_CHECKING:
    from unionforms.core.report import ReadResult
    from unionforms.plugins.registry import Registry

#: The default jump factor: a figure at least 3 times (or at most a third of) last year's is flagged.
DEFAULT_JUMP = Decimal(3)
_BOTH_BLANK = "两年都未填"


def check_jump(jump: Decimal) -> Decimal:
    """``jump`` if it is a usable factor (a finite Decimal above 1); ValueError otherwise."""
    if not isinstance(jump, Decimal) or not jump.is_finite() or jump <= 1:
        raise ValueError(f"the jump factor must be a number above 1, not {jump!r}")
    return jump


@attrs.frozen
class ComparedLine:
    """One mapped line in both years: the figures, their change, and why it is not comparable if so."""

    entry: MappingEntry
    label: str
    unit: str
    last: Value | None
    this: Value | None
    comparable: bool
    note: str = ""
    jump: bool = False

    @property
    def change(self) -> Decimal | None:
        """This year minus last year, for numbers compared."""
        if not self.comparable or isinstance(self.last, bool) or isinstance(self.this, bool):
            return None
        assert self.last is not None and self.this is not None
        return Decimal(self.this) - Decimal(self.last)

    @property
    def percent(self) -> Decimal | None:
        """The change as a percentage of last year, one decimal place; None when last year is 0."""
        change = self.change
        if change is None or not self.last:
            return None
        return (change * 100 / Decimal(self.last)).quantize(Decimal("0.1"))


@attrs.frozen
class YearComparison:
    """Every line of ``mapping`` compared between a return of ``last`` and one of ``this``."""

    last: Form
    this: Form
    jump: Decimal
    lines: tuple[ComparedLine, ...]
    files: tuple[str | None, str | None] = (None, None)

    @property
    def findings(self) -> list[Finding]:
        """A warning (CMP-001) for each implausible jump."""
        out = []
        for line in self.lines:
            if not line.jump:
                continue
            last, this = _shown(line.last), _shown(line.this)
            out.append(
                finding(
                    "CMP-001",
                    codes="+".join(line.entry.new),
                    label=line.label,
                    last=last,
                    this=this,
                    unit=line.unit,
                    jump=format_value(self.jump),
                    fields=line.entry.new,
                    values=(line.last, line.this),
                    file=self.files[1],
                )
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "last": {"form": self.last.id, "file": self.files[0]},
            "this": {"form": self.this.id, "file": self.files[1]},
            "jump": format(self.jump, "f"),
            "lines": [
                {
                    "kind": line.entry.kind.value,
                    "exact": line.entry.exact,
                    "last_codes": list(line.entry.old),
                    "this_codes": list(line.entry.new),
                    "label": line.label,
                    "unit": line.unit,
                    "last": _json(line.last),
                    "this": _json(line.this),
                    "change": _json(line.change),
                    "percent": _json(line.percent),
                    "comparable": line.comparable,
                    "jump": line.jump,
                    "note": line.note,
                }
                for line in self.lines
            ],
        }

    def text(self) -> str:
        """A table: codes, label, last year, this year, change; then what could not be compared."""
        out = [f"{self.last.title}（{self.last.id}）→ {self.this.title}（{self.this.id}）"]
        skipped = []
        blank = 0
        for line in self.lines:
            codes = f"{'+'.join(line.entry.old) or '—'} → {'+'.join(line.entry.new) or '—'}"
            if line.note == _BOTH_BLANK:
                blank += 1  # counted, not listed: a sparse return would drown the list
                continue
            if not line.comparable:
                skipped.append(f"  {codes} {line.label}：{line.note}")
                continue
            change = line.change
            shown = "" if change is None else f"{'+' if change > 0 else ''}{format_value(change)}"
            if line.percent is not None:
                shown += f"（{'+' if line.percent > 0 else ''}{format_value(line.percent)}%）"
            mark = "  ⚠ 变化异常" if line.jump else ""
            note = f"  注：{line.note}" if line.note else ""
            out.append(
                f"  {codes} {line.label}：{_shown(line.last)} → {_shown(line.this)} {line.unit} {shown}"
                f"{mark}{note}"
            )
        if skipped or blank:
            out.append("不能比较：")
            out += skipped
        if blank:
            out.append(f"  另有 {blank} 行两年都未填")
        compared = sum(line.comparable for line in self.lines)
        out.append(
            f"{compared} 行可比，{len(self.lines) - compared} 行不能比较，"
            f"{sum(line.jump for line in self.lines)} 处变化异常（阈值 {format_value(self.jump)} 倍）"
        )
        return "\n".join(out)


def _json(value: object) -> object:
    if value is None or isinstance(value, bool | int):
        return value
    assert isinstance(value, Decimal)
    return format(value, "f")


def _shown(value: Value | None) -> str:
    return "（空）" if value is None else format_value(value)


def compare(
    mapping: FormMapping,
    last: Form,
    last_values: Mapping[str, Value],
    this: Form,
    this_values: Mapping[str, Value],
    *,
    jump: Decimal = DEFAULT_JUMP,
    files: tuple[str | None, str | None] = (None, None),
) -> YearComparison:
    """Compare typed values of a ``last`` return with a ``this`` return across ``mapping``."""
    check_jump(jump)
    lines = []
    for entry in mapping.entries:
        fields = [this.fields[c] for c in entry.new] or [last.fields[c] for c in entry.old]
        label = "、".join(f.label for f in fields)
        unit = fields[0].unit
        a = total(entry.old, last_values) if entry.old else None
        b = total(entry.new, this_values) if entry.new else None
        note = ""
        if not entry.new:
            note = "本年不再填报"
        elif not entry.old:
            note = "新增栏目，上年没有"
        elif a is None and b is None:
            note = _BOTH_BLANK
        elif a is None:
            note = "上年未填（空白不是零）"
        elif b is None:
            note = "本年未填（空白不是零）"
        comparable = not note
        if comparable and not entry.exact:
            note = f"口径有变：{entry.why}"
        lines.append(
            ComparedLine(entry, label, unit, a, b, comparable, note, comparable and _is_jump(a, b, jump))
        )
    return YearComparison(last, this, jump, tuple(lines), files)


def compare_returns(
    last: ReadResult,
    this: ReadResult,
    registry: Registry,
    *,
    jump: Decimal = DEFAULT_JUMP,
    files: tuple[str | None, str | None] = (None, None),
) -> YearComparison:
    """Two returns as read, each typed as ``validate`` types it, compared across the mapping that the
    plugins declare between their forms (InputError IN-006 when none does): ``compare`` and the desk."""
    from unionforms.authoring.mapping import require_mapping
    from unionforms.core.validate import typed_values

    mapping = require_mapping(registry, last.form, this.form)
    last_values, _ = typed_values(last.form, last.report)  # values as read are typed already
    this_values, _ = typed_values(this.form, this.report)
    return compare(mapping, last.form, last_values, this.form, this_values, jump=jump, files=files)


def _is_jump(a: Value | None, b: Value | None, jump: Decimal) -> bool:
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return False
    low, high = sorted((Decimal(a), Decimal(b)))
    if low == 0:
        return high > 0
    return high >= low * jump
