"""What changed between two form definitions: codes, labels, letters, units and rules.

Fields are paired by a declared mapping when there is one (``specs/mapping.md``); otherwise by the
similarity of their printed labels and rows, never by code, so a letter shift shows as a move rather
than as a change of label. Rules are paired by id and compared after carrying the old codes across the
pairing: a rule whose text is unchanged while its codes now name other fields is reported as such.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from unionforms.authoring.mapping import FormMapping, MappingKind, normal_label
from unionforms.core.model import Field, Form, Row
from unionforms.core.rules import Comparison, Const, Implication, Ref, Rule, Sum, Term, Tree, written

#: Least similarity (0–1) for two fields to be taken as the same question when no mapping is declared.
MATCH_THRESHOLD = 0.6
_LETTER_RE = re.compile(r"（[A-Z]）")


@attrs.frozen
class FieldChange:
    """One change to the fields: ``kind`` is added, removed, moved, relabelled, unit, split or merged."""

    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    old_label: str = ""
    new_label: str = ""
    detail: str = ""


@attrs.frozen
class RuleChange:
    """One change to the rules: ``kind`` is added, removed, changed or stale (same text, other fields)."""

    kind: str
    rule: str
    old_expr: str = ""
    new_expr: str = ""
    detail: str = ""


@attrs.frozen
class FormDiff:
    """The differences from ``old`` to ``new``, and whether fields were paired by mapping or by labels."""

    old: str
    new: str
    paired_by: str
    fields: tuple[FieldChange, ...]
    rules: tuple[RuleChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "paired_by": self.paired_by,
            "fields": [attrs.asdict(c, value_serializer=_listify) for c in self.fields],
            "rules": [attrs.asdict(c) for c in self.rules],
        }

    def text(self) -> str:
        """The differences as lines of text, fields first, then rules."""
        names = {
            "added": "新增",
            "removed": "删除",
            "moved": "移位",
            "relabelled": "改字",
            "unit": "改单位",
            "split": "拆分",
            "merged": "合并",
            "changed": "修改",
            "stale": "失效",
        }
        by = "声明的对应关系" if self.paired_by == "mapping" else "栏目文字相似度"
        out = [f"{self.old} → {self.new}（按{by}对应栏目）"]
        for c in self.fields:
            codes = f"{'+'.join(c.old) or '—'} → {'+'.join(c.new) or '—'}"
            labels = " / ".join(f"“{x}”" for x in (c.old_label, c.new_label) if x)
            extra = f"：{c.detail}" if c.detail else ""
            out.append(f"  栏目 {names[c.kind]} {codes} {labels}{extra}")
        for r in self.rules:
            exprs = " → ".join(f"`{x}`" for x in (r.old_expr, r.new_expr) if x)
            extra = f"：{r.detail}" if r.detail else ""
            out.append(f"  审核 {names[r.kind]} {r.rule} {exprs}{extra}")
        out.append(f"{len(self.fields)} 处栏目变化，{len(self.rules)} 处审核变化")
        return "\n".join(out)


def _listify(instance: object, attribute: object, value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _row_text(row: Row) -> str:
    return normal_label(_LETTER_RE.sub("", row.printed))


def _rows(form: Form) -> dict[str, str]:
    return {f.code: _row_text(row) for line in form.lines for row in line.rows for f in row.fields}


def similarity(a: Field, b: Field, row_a: str = "", row_b: str = "") -> float:
    """How alike two fields read: their labels mostly, their printed rows (letters removed) a little."""
    label = difflib.SequenceMatcher(None, normal_label(a.label), normal_label(b.label)).ratio()
    row = difflib.SequenceMatcher(None, row_a, row_b).ratio() if row_a and row_b else label
    return 0.7 * label + 0.3 * row + (0.05 if a.unit == b.unit else 0.0)


def pair_by_labels(old: Form, new: Form, threshold: float = MATCH_THRESHOLD) -> dict[str, str]:
    """Old code → new code for fields that read alike, most alike first, each field paired once."""
    rows_old, rows_new = _rows(old), _rows(new)
    scored = []
    for a in old.iter_fields():
        for b in new.iter_fields():
            if a.kind is not b.kind:
                continue
            score = similarity(a, b, rows_old[a.code], rows_new[b.code])
            if score >= threshold:
                scored.append((-score, a.code != b.code, a.code, b.code))
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, a_code, b_code in sorted(scored):
        if a_code not in pairs and b_code not in taken:
            pairs[a_code] = b_code
            taken.add(b_code)
    return pairs


def diff(old: Form, new: Form, mapping: FormMapping | None = None) -> FormDiff:
    """The differences from ``old`` to ``new``, pairing fields by ``mapping`` when given."""
    changes: list[FieldChange] = []
    if mapping is not None:
        one_to_one = (MappingKind.SAME, MappingKind.RENAMED)
        pairs = {e.old[0]: e.new[0] for e in mapping.entries if e.kind in one_to_one}
        for e in mapping.entries:
            if e.kind in (MappingKind.SPLIT, MappingKind.MERGED):
                changes.append(
                    FieldChange(
                        e.kind.value,
                        e.old,
                        e.new,
                        "、".join(old.fields[c].label for c in e.old),
                        "、".join(new.fields[c].label for c in e.new),
                        e.why,
                    )
                )
        joined = (MappingKind.SPLIT, MappingKind.MERGED)
        grouped = {c for e in mapping.entries if e.kind in joined for c in e.old + e.new}
    else:
        pairs = pair_by_labels(old, new)
        grouped = set()
    paired_new = set(pairs.values())
    for code, f in old.fields.items():
        if code not in pairs and code not in grouped:
            changes.append(FieldChange("removed", (code,), (), f.label))
    for code, f in new.fields.items():
        if code not in paired_new and code not in grouped:
            changes.append(FieldChange("added", (), (code,), "", f.label))
    for a_code, b_code in pairs.items():
        a, b = old.fields[a_code], new.fields[b_code]
        if a_code != b_code:
            changes.append(FieldChange("moved", (a_code,), (b_code,), a.label, b.label))
        if normal_label(a.label) != normal_label(b.label):
            changes.append(FieldChange("relabelled", (a_code,), (b_code,), a.label, b.label))
        if a.unit != b.unit:
            units = f"{a.unit} → {b.unit}"
            changes.append(FieldChange("unit", (a_code,), (b_code,), a.label, b.label, units))
    changes.sort(key=_order(old, new, pairs))
    paired_by = "mapping" if mapping is not None else "labels"
    return FormDiff(old.id, new.id, paired_by, tuple(changes), _rules(old, new, pairs))


def _order(old: Form, new: Form, pairs: dict[str, str]) -> Callable[[FieldChange], tuple[int, int]]:
    """Sort key: changes in the order of the old form; an added field after the field before it."""
    old_pos = {code: i for i, code in enumerate(old.fields)}
    back = {b: a for a, b in pairs.items()}
    new_pos: dict[str, int] = {}
    last = -1
    for code in new.fields:
        last = old_pos[back[code]] if code in back else last
        new_pos[code] = last

    def key(change: FieldChange) -> tuple[int, int]:
        if change.old:
            return (old_pos[change.old[0]], 0)
        return (new_pos[change.new[0]], 1)

    return key


def carry_expr(rule: Rule, pairs: Mapping[str, str]) -> str | None:
    """The rule's text with each old code replaced by its new code; None if a code has no single new code.

    Codes are found where the parsed rule says they stand, so this holds whatever the rule syntax."""
    text = rule.expr
    for ref in sorted(rule.tree.refs, key=lambda r: r.position, reverse=True):
        if ref.code not in pairs:
            return None
        at = ref.position  # where the code's token starts: ``05A``, or ``#05`` for a code without a letter
        length = len(ref.code) + (1 if text.startswith("#", at) else 0)
        text = text[:at] + written(pairs[ref.code]) + text[at + length :]
    return text


def shape(tree: Tree, codes: Mapping[str, str] | None = None) -> str | None:
    """A rule's meaning as a canonical string, its codes renamed by ``codes`` (None if one is missing)."""

    def term(t: Term) -> str | None:
        if isinstance(t, Ref):
            return t.code if codes is None else codes.get(t.code)
        if isinstance(t, Const):
            return f"={t.value.normalize()}"
        return "是" if t.value else "否"

    def side(s: Sum) -> str | None:
        parts = [term(t) for _, t in s.terms]
        if any(p is None for p in parts):
            return None
        return "".join(f"{'+' if sign > 0 else '-'}{p}" for (sign, _), p in zip(s.terms, parts, strict=True))

    def comparison(c: Comparison) -> str | None:
        left, right = side(c.left), side(c.right)
        return None if left is None or right is None else f"{left}{c.op}{right}"

    if isinstance(tree, Implication):
        premise, conclusion = comparison(tree.premise), comparison(tree.conclusion)
        return None if premise is None or conclusion is None else f"{premise}->{conclusion}"
    return comparison(tree)


def _rules(old: Form, new: Form, pairs: dict[str, str]) -> tuple[RuleChange, ...]:
    new_rules = {r.id: r for r in new.rules}
    old_rules = {r.id: r for r in old.rules}
    out: list[RuleChange] = []
    for rule in old.rules:
        if rule.id not in new_rules:
            out.append(RuleChange("removed", rule.id, rule.expr))
            continue
        change = rule_change(rule, new_rules[rule.id], pairs)
        if change is not None:
            out.append(change)
    out += [RuleChange("added", r.id, "", r.expr) for r in new.rules if r.id not in old_rules]
    return tuple(out)


def rule_change(old: Rule, new: Rule, pairs: Mapping[str, str]) -> RuleChange | None:
    """How a rule of the same id changed, its old codes carried across ``pairs``; None if it did not."""
    policy = [
        f"{name} {a} → {b}"
        for name, a, b in (
            ("severity", old.severity.value, new.severity.value),
            ("missing", old.missing.value, new.missing.value),
        )
        if a != b
    ]
    carried = carry_expr(old, pairs)
    same_text = shape(old.tree) == shape(new.tree)
    if shape(old.tree, pairs) == shape(new.tree):
        detail = [] if same_text else [f"随栏目移位改写（{old.expr} → {carried}）"]
        if not policy and not detail:
            return None
        return RuleChange("changed", new.id, old.expr, new.expr, "；".join([*policy, *detail]))
    if same_text:
        return RuleChange(
            "stale",
            new.id,
            old.expr,
            new.expr,
            f"文字未变，但栏目已移位：原意为 `{carried}`" if carried else "文字未变，但所涉栏目已无对应",
        )
    return RuleChange("changed", new.id, old.expr, new.expr, "；".join(policy))
