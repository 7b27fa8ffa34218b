"""Cross-year mappings: how the field codes of one form correspond to those of an earlier form.

A mapping (``specs/mapping.md``) lists entries, each of one kind, justified from the printed labels:

- ``same``: one code to one code, the printed label unchanged (years aside);
- ``renamed``: one code to one code, the wording changed but the figure is the same;
- ``split``: one old code into several new codes whose sum is the old figure;
- ``merged``: several old codes into one new code that is their sum;
- ``new``: codes with no earlier counterpart; ``dropped``: codes no longer asked for.

An entry is *exact* unless it says ``exact = false`` (the wording changed its scope); figures carried
across an exact entry keep their totals. Plugins declare mappings through the ``unionforms_mappings``
hook; :func:`find_mapping` checks a declared mapping against both forms before it is used.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from unionforms.core.errors import DefinitionError, InputError, PluginError
from unionforms.core.model import Form, read_definition
from unionforms.core.tablekeys import refuse_unknown
from unionforms.core.values import Value
from unionforms.plugins.registry import Registry


class MappingError(DefinitionError):
    """A mapping file is malformed or does not fit the two forms it joins."""


class MappingKind(enum.Enum):
    SAME = "same"
    RENAMED = "renamed"
    SPLIT = "split"
    MERGED = "merged"
    NEW = "new"
    DROPPED = "dropped"


#: How many codes each kind takes on the (old, new) side: "1" exactly one, "2+" two or more, "0" none.
_ARITY = {
    MappingKind.SAME: ("1", "1"),
    MappingKind.RENAMED: ("1", "1"),
    MappingKind.SPLIT: ("1", "2+"),
    MappingKind.MERGED: ("2+", "1"),
    MappingKind.NEW: ("0", "1+"),
    MappingKind.DROPPED: ("1+", "0"),
}
#: The keys of a mapping file and of each ``[[map]]`` entry (``specs/mapping.md``); any other is MAP-020/021.
MAPPING_KEYS = ("from", "to", "map")
ENTRY_KEYS = ("kind", "from", "to", "why", "exact")
_KEY_CODES = ("MAP-020", "MAP-021")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}(?=年)")


def normal_label(label: str) -> str:
    """A label with its year (2017年 → ____年) and white space removed, for comparing years' wordings."""
    return "".join(_YEAR_RE.sub("____", label).split())


def _fits(n: int, arity: str) -> bool:
    return {"0": n == 0, "1": n == 1, "2+": n >= 2, "1+": n >= 1}[arity]


@attrs.frozen
class MappingEntry:
    """One correspondence: old codes → new codes, of a kind, with the printed wording that justifies it."""

    kind: MappingKind
    old: tuple[str, ...]
    new: tuple[str, ...]
    why: str
    exact: bool = True

    def __attrs_post_init__(self) -> None:
        want_old, want_new = _ARITY[self.kind]
        if not (_fits(len(self.old), want_old) and _fits(len(self.new), want_new)):
            raise MappingError(
                "MAP-001",
                kind=self.kind.value,
                want_old=want_old,
                want_new=want_new,
                old=list(self.old),
                new=list(self.new),
            )
        if not self.why.strip():
            raise MappingError("MAP-003", entry=self.label)

    @property
    def comparable(self) -> bool:
        """Both sides exist, so last year's figure can stand beside this year's."""
        return bool(self.old and self.new)

    @property
    def label(self) -> str:
        return f"{'+'.join(self.old) or '—'} → {'+'.join(self.new) or '—'}"


@attrs.frozen
class FormMapping:
    """How the codes of form ``new`` correspond to those of the earlier form ``old``."""

    old: str
    new: str
    entries: tuple[MappingEntry, ...]
    file: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str | None = None) -> FormMapping:
        """Build a mapping from the tables of a mapping file (``specs/mapping.md``)."""
        try:
            refuse_unknown(data, MAPPING_KEYS, "mapping.toml", _KEY_CODES, MappingError, file=file)
            old, new = str(data["from"]), str(data["to"])
            entries = []
            for i, raw in enumerate(data.get("map", ()), start=1):
                refuse_unknown(raw, ENTRY_KEYS, f"[[map]] #{i}", _KEY_CODES, MappingError, index=i, file=file)
                try:
                    kind = MappingKind(raw["kind"])
                except ValueError:
                    raise MappingError(
                        "MAP-005",
                        index=i,
                        kind=repr(raw["kind"]),
                        kinds="、".join(k.value for k in MappingKind),
                        file=file,
                    ) from None
                exact = raw.get("exact", True)
                if not isinstance(exact, bool):
                    raise MappingError("MAP-006", index=i, file=file)
                why = str(raw.get("why", ""))
                entries.append(MappingEntry(kind, _codes(raw.get("from")), _codes(raw.get("to")), why, exact))
        except MappingError as exc:
            exc.file = exc.file or file
            raise
        except (KeyError, TypeError) as exc:
            raise MappingError("MAP-007", what=repr(exc), detail=repr(exc), file=file) from None
        return cls(old, new, tuple(entries), file)

    @classmethod
    def from_toml(cls, path: str | Path | Traversable) -> FormMapping:
        """Read a mapping file (a path, or a package resource from importlib.resources)."""
        try:
            data = tomllib.loads(read_definition(path).decode("utf-8"))
        except DefinitionError as exc:
            raise MappingError("MAP-008", detail=exc.detail or str(exc), file=str(path)) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise MappingError("MAP-008", detail=f"{type(exc).__name__}: {exc}", file=str(path)) from None
        return cls.from_dict(data, file=str(path))

    @classmethod
    def identity(cls, form: Form) -> FormMapping:
        """The same form in two years: every code maps to itself."""
        return cls(
            form.id,
            form.id,
            tuple(MappingEntry(MappingKind.SAME, (c,), (c,), f"同一表式 {form.id}") for c in form.fields),
        )

    def problems(self, old: Form, new: Form) -> list[MappingError]:
        """Every way this mapping does not fit ``old`` → ``new``; an empty list when it can be used."""
        out: list[MappingError] = []

        def fail(code: str, /, **params: Any) -> None:
            out.append(MappingError(code, file=self.file, form=new.id, **params))

        if (self.old, self.new) != (old.id, new.id):
            fail("MAP-002", old=self.old, new=self.new, want_old=old.id, want_new=new.id)
            return out
        out += self.side_problems(old, "old", new.id) + self.side_problems(new, "new", new.id)
        for entry in self.entries:
            fields = [old.fields[c] for c in entry.old if c in old.fields]
            fields += [new.fields[c] for c in entry.new if c in new.fields]
            if entry.comparable and len({f.unit for f in fields}) > 1:
                units = "、".join(dict.fromkeys(f.unit for f in fields))
                fail("MAP-012", entry=entry.label, units=units)
            if entry.kind is MappingKind.SAME and len(fields) == 2:
                a, b = (normal_label(f.label) for f in fields)
                if a != b:
                    fail("MAP-013", entry=entry.label, label_old=fields[0].label, label_new=fields[1].label)
        return out

    def side_problems(self, form: Form, side: str, about: str) -> list[MappingError]:
        """How the ``side`` (``"old"`` or ``"new"``) codes of the entries do not fit ``form``: codes it does
        not have (MAP-009), codes in two entries (MAP-010), its codes in none (MAP-011)."""
        out: list[MappingError] = []
        seen: dict[str, int] = {}
        for entry in self.entries:
            for code in getattr(entry, side):
                if code not in form.fields:
                    out.append(
                        MappingError(
                            "MAP-009",
                            entry=entry.label,
                            code=code,
                            form_id=form.id,
                            file=self.file,
                            form=about,
                        )
                    )
                seen[code] = seen.get(code, 0) + 1
        twice = sorted(c for c, n in seen.items() if n > 1)
        if twice:
            out.append(
                MappingError("MAP-010", form_id=form.id, codes=", ".join(twice), file=self.file, form=about)
            )
        missing = [c for c in form.fields if c not in seen]
        if missing:
            out.append(
                MappingError("MAP-011", form_id=form.id, codes=", ".join(missing), file=self.file, form=about)
            )
        return out

    def checked(self, old: Form, new: Form) -> FormMapping:
        """This mapping, or MappingError (MAP-002) naming every problem with it."""
        problems = self.problems(old, new)
        if problems:
            raise MappingError(
                "MAP-014", problems="；".join(p.message for p in problems), file=self.file, form=new.id
            )
        return self


def _codes(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(c, str) for c in raw):
        return tuple(raw)
    raise TypeError(f"codes are a string or a list of strings, not {raw!r}")


def declared_mappings(registry: Registry) -> list[FormMapping]:
    """Every mapping the registered plugins declare (``unionforms_mappings``), called one plugin at a time
    (:meth:`~unionforms.plugins.registry.Registry.call_each`). A hook that raises is PluginError PLUG-010, one
    that returns anything but a list of mappings PLUG-014, each naming the plugin: a mapping that went
    missing without a word would make `compare` and `diff` say "no mapping declared" instead."""
    out: list[FormMapping] = []
    for plugin, results in registry.call_each("unionforms_mappings"):
        for found in results:
            if not isinstance(found, list | tuple) or not all(isinstance(m, FormMapping) for m in found):
                raise PluginError("PLUG-014", plugin=plugin, type=_shown_type(found))
            out += found
    return out


def _shown_type(found: object) -> str:
    """What a hook returned, as its author would recognise it: ``list[dict]`` rather than ``list``."""
    if isinstance(found, list | tuple):
        inner = sorted({type(m).__name__ for m in found if not isinstance(m, FormMapping)})
        return f"{type(found).__name__}[{' | '.join(inner)}]"
    return type(found).__name__


def find_mapping(registry: Registry, old: Form, new: Form) -> FormMapping | None:
    """The mapping declared from ``old`` to ``new`` (checked against both), the identity for one form."""
    if old.id == new.id:
        return FormMapping.identity(old)
    for mapping in declared_mappings(registry):
        if (mapping.old, mapping.new) == (old.id, new.id):
            return mapping.checked(old, new)
    return None


def require_mapping(registry: Registry, old: Form, new: Form) -> FormMapping:
    """:func:`find_mapping`, or InputError (IN-006) when no plugin declares one."""
    mapping = find_mapping(registry, old, new)
    if mapping is None:
        raise InputError("IN-006", old=old.id, new=new.id)
    return mapping


def total(codes: Iterable[str], values: Mapping[str, Value]) -> Value | None:
    """The figure of one side of an entry: a flag as is, else the sum of the filled codes; None if blank."""
    present = [values[c] for c in codes if c in values]
    if not present:
        return None
    if len(present) == 1 and isinstance(present[0], bool):
        return present[0]
    return sum((Decimal(v) for v in present if not isinstance(v, bool)), Decimal(0))
