"""Cross-year mappings: the shipped ones fit their forms; malformed ones are refused; exact totals carry."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Registry
from unionforms.authoring.compare import compare
from unionforms.authoring.mapping import (
    FormMapping,
    MappingEntry,
    MappingError,
    MappingKind,
    declared_mappings,
    find_mapping,
    normal_label,
    total,
)
from unionforms.core.validate import typed_values
from unionforms.core.values import Value
from unionforms.strategies import valid_reports

SHIPPED = [("songwennuan-2014", "songwennuan-2017"), ("bangfu-2013", "bangfu-2016")]


def carry(mapping: FormMapping, values: Mapping[str, Value]) -> dict[str, Value]:
    """Last year's figures in this year's codes, where an exact entry determines them.

    ``same``, ``renamed`` and ``merged`` entries carry the old figure (a sum for merged); a ``split`` entry
    cannot say how its total divides, so its parts stay blank. Inexact entries carry nothing.
    """
    out: dict[str, Value] = {}
    for entry in mapping.entries:
        if not entry.exact or len(entry.new) != 1 or not entry.old:
            continue
        figure = total(entry.old, values)
        if figure is not None:
            out[entry.new[0]] = figure
    return out


@pytest.mark.parametrize(("old", "new"), SHIPPED)
def test_shipped_mappings_fit_both_forms(registry: Registry, old: str, new: str) -> None:
    a, b = registry.get(old), registry.get(new)
    mapping = find_mapping(registry, a, b)
    assert mapping is not None
    assert mapping.problems(a, b) == []
    assert {c for e in mapping.entries for c in e.old} == set(a.fields)
    assert {c for e in mapping.entries for c in e.new} == set(b.fields)


@pytest.mark.parametrize(("old", "new"), SHIPPED)
def test_every_entry_quotes_the_printed_labels(registry: Registry, old: str, new: str) -> None:
    a, b = registry.get(old), registry.get(new)
    mapping = find_mapping(registry, a, b)
    assert mapping is not None
    for entry in mapping.entries:
        for form, codes in ((a, entry.old), (b, entry.new)):
            for code in codes:
                printed = form.fields[code].label.split("：")[-1]  # qualifiers aside: the row's own words
                assert printed.split("___")[0] in entry.why, (entry.label, code)


def test_the_2017_letter_shift_is_declared(registry: Registry) -> None:
    a, b = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    mapping = find_mapping(registry, a, b)
    assert mapping is not None
    by_old = {e.old: e for e in mapping.entries if e.old}
    assert by_old[("04C.2",)].new == ("04E",)  # 其中困难职工: (C) → (E)
    assert by_old[("05A",)].kind is MappingKind.SPLIT and by_old[("05A",)].new == ("05A", "05B")
    assert by_old[("08A.1",)].kind is MappingKind.DROPPED  # 名 → 人次: not comparable
    assert not by_old[("03D",)].exact


def test_the_same_form_maps_to_itself(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    mapping = find_mapping(registry, form, form)
    assert mapping is not None and mapping.problems(form, form) == []


def test_no_mapping_is_declared_backwards(registry: Registry) -> None:
    assert find_mapping(registry, registry.get("songwennuan-2017"), registry.get("songwennuan-2014")) is None
    assert len(declared_mappings(registry)) >= 2


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"kind": "moved", "from": "01A", "to": "01A", "why": "x"}, "MAP-005"),
        ({"kind": "same", "from": ["01A", "01B"], "to": "01A", "why": "x"}, "MAP-001"),
        ({"kind": "split", "from": "01A", "to": "01A", "why": "x"}, "MAP-001"),
        ({"kind": "same", "from": "01A", "to": "01A", "why": " "}, "MAP-003"),
        ({"kind": "same", "from": "01A", "to": "01A", "why": "x", "exact": "yes"}, "MAP-006"),
        ({"kind": "same", "from": "01A", "to": "01A", "why": "x", "because": 1}, "MAP-021"),
        ({"kind": "same", "from": "01A", "to": "01A", "wyh": "x"}, "MAP-020"),
        ({"kind": "same", "from": 1, "to": "01A", "why": "x"}, "MAP-007"),
    ],
)
def test_malformed_entries_are_refused(entry: dict[str, object], code: str) -> None:
    with pytest.raises(MappingError) as info:
        FormMapping.from_dict({"from": "a-1", "to": "a-2", "map": [entry]}, file="m.toml")
    assert info.value.code == code and info.value.file == "m.toml"


def test_a_mapping_that_does_not_fit_names_every_problem(registry: Registry) -> None:
    a, b = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    mapping = FormMapping(
        a.id,
        b.id,
        (
            MappingEntry(MappingKind.SAME, ("01A.1",), ("01B",), "x"),  # labels differ
            MappingEntry(MappingKind.RENAMED, ("08A.1",), ("08A",), "x"),  # 名 vs 人次
            MappingEntry(MappingKind.SAME, ("01A.1",), ("99Z",), "x"),  # twice, and an unknown code
        ),
    )
    messages = " | ".join(p.message_en for p in mapping.problems(a, b))
    assert "99Z" in messages
    assert "more than one entry: 01A.1" in messages
    assert "in no entry" in messages
    assert "different units (名、人次)" in messages
    assert "'same' but the labels differ" in messages
    with pytest.raises(MappingError) as info:
        mapping.checked(a, b)
    assert info.value.code == "MAP-014" and "99Z" in info.value.message


def test_labels_compare_without_years_or_spaces() -> None:
    assert normal_label("2014年元旦、春节期间 送温暖") == normal_label("2017年元旦、春节期间送温暖")
    assert normal_label("共包专列") != normal_label("共包机")


def test_total_keeps_a_blank_apart_from_zero() -> None:
    assert total(["05A", "05B"], {}) is None
    assert total(["05A", "05B"], {"05A": Decimal("1.50")}) == Decimal("1.50")
    assert total(["05A", "05B"], {"05A": Decimal("1.50"), "05B": 0}) == Decimal("1.50")
    assert total(["06B"], {"06B": True}) is True


@pytest.mark.parametrize(("old", "new"), SHIPPED)
@settings(max_examples=30)
@given(data=st.data())
def test_exact_totals_are_preserved_across_the_mapping(
    registry: Registry, old: str, new: str, data: st.DataObject
) -> None:
    """Carry a return across the mapping (splitting each split total at random): every exact line, and
    the grand total of each unit over the exact lines, is the same in both years."""
    a, b = registry.get(old), registry.get(new)
    mapping = find_mapping(registry, a, b)
    assert mapping is not None
    last, _ = typed_values(a, data.draw(valid_reports(a)))
    this = carry(mapping, last)
    for entry in mapping.entries:
        if entry.kind is MappingKind.SPLIT and entry.exact and entry.old[0] in last:
            whole = last[entry.old[0]]
            assert isinstance(whole, Decimal)
            cut = data.draw(st.decimals(0, whole, places=2))
            this[entry.new[0]], this[entry.new[1]] = cut, whole - cut
    result = compare(mapping, a, last, b, this)
    sums: dict[str, list[Decimal]] = {}
    for line in result.lines:
        if not (line.entry.exact and line.entry.comparable):
            continue
        assert (line.last is None) == (line.this is None), line.entry.label
        if line.last is None or isinstance(line.last, bool):
            assert line.last == line.this
            continue
        assert line.change == 0 and not line.jump, line.entry.label
        pair = sums.setdefault(line.unit, [Decimal(0), Decimal(0)])
        pair[0] += Decimal(line.last)
        pair[1] += Decimal(line.this)  # type: ignore[arg-type]
    assert all(x == y for x, y in sums.values())


def test_an_unknown_top_level_key_is_refused_with_the_closest_known_key() -> None:
    with pytest.raises(MappingError) as info:
        FormMapping.from_dict({"from": "a-1", "to": "a-2", "maps": []}, file="m.toml")
    assert info.value.code == "MAP-020" and info.value.params["guess"] == "map"
    assert info.value.params["table"] == "mapping.toml" and info.value.file == "m.toml"


def _registry_declaring(declared: object) -> Registry:
    """The shipped forms, and one more plugin whose ``unionforms_mappings`` gives ``declared`` (or raises
    it, when it is an exception)."""
    import types

    from unionforms import default_registry, hookimpl
    from unionforms.plugins.registry import Plugin

    module = types.ModuleType("uf_test_mappings_plugin")

    @hookimpl
    def unionforms_mappings() -> object:
        if isinstance(declared, Exception):
            raise declared
        return declared

    module.unionforms_mappings = unionforms_mappings  # type: ignore[attr-defined]
    shipped = default_registry()
    plugins = [Plugin(name, plugin) for name, plugin in shipped.manager.list_name_plugin() if name]
    return Registry.from_plugins([*plugins, Plugin("broken-mappings", module)])


@pytest.mark.parametrize(
    ("declared", "code", "shown"),
    [
        (KeyError("2019"), "PLUG-010", "KeyError"),
        ({"from": "a"}, "PLUG-014", "dict"),
        ([{"from": "a"}], "PLUG-014", "list[dict]"),
    ],
)
def test_a_mappings_hook_that_raises_or_returns_the_wrong_type_is_named(
    declared: object, code: str, shown: str
) -> None:
    """Loud, not silent: a broken hook used to be skipped, and `compare` then said no mapping was declared."""
    from unionforms.core.errors import PluginError

    registry = _registry_declaring(declared)
    old, new = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    with pytest.raises(PluginError) as caught:
        find_mapping(registry, old, new)
    assert caught.value.code == code and "broken-mappings" in str(caught.value)
    assert shown in str(caught.value)


def test_a_mappings_hook_that_returns_mappings_is_heard(registry: Registry) -> None:
    old, new = registry.get("songwennuan-2014"), registry.get("songwennuan-2017")
    declared = find_mapping(registry, old, new)
    assert declared is not None
    beside = _registry_declaring([])  # an empty list is a fine answer
    assert find_mapping(beside, old, new) == declared
