"""Shared strings: the fast path (tags found in the bytes, only the needed strings parsed) gives what the
full parse gives, for strings as Excel, WPS and LibreOffice write them, and refuses what it refuses."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.core.errors import InputError
from unionforms.excel.cells import _StringsTarget, read_strings
from unionforms.excel.safety import SafeZip

PART = "xl/sharedStrings.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)
#: one <si>: plain, rich-text runs (LibreOffice), a phonetic guide, or empty
_si = st.one_of(
    _text.map(lambda t: f'<si><t xml:space="preserve">{escape(t)}</t></si>'),
    st.lists(_text, min_size=1, max_size=3).map(
        lambda runs: (
            "<si>" + "".join(f'<r><rPr><sz val="10"/></rPr><t>{escape(t)}</t></r>' for t in runs) + "</si>"
        )
    ),
    _text.map(lambda t: f'<si><t>{escape(t)}</t><rPh sb="0" eb="1"><t>ピン</t></rPh></si>'),
    st.just("<si/>"),
)


def _book(tmp_path: Path, xml: str) -> Path:
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(PART, xml.encode("utf-8"))
    return path


def _reference(path: Path, needed: set[int]) -> dict[int, str]:
    with SafeZip(path) as zf:
        target = _StringsTarget(needed)
        zf.parse(PART, target)
        return target.strings


@given(st.lists(_si, min_size=1, max_size=12), st.data(), st.booleans())
def test_the_fast_path_reads_what_the_full_parse_reads(
    tmp_path_factory: pytest.TempPathFactory, items: list[str], data: st.DataObject, comment: bool
) -> None:
    needed = data.draw(st.sets(st.integers(0, len(items) + 1), min_size=1))
    body = "\n".join(items)
    if comment:  # a comment could hide markup from the tag search: the full parse takes over
        body = "<!-- <si><t>x</t></si> -->" + body
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    xml = f'{head}<sst xmlns="{NS}" count="{len(items)}">{body}</sst>'
    path = _book(tmp_path_factory.mktemp("s"), xml)
    with SafeZip(path) as zf:
        got = read_strings(zf, PART, set(needed))
    assert got == _reference(path, set(needed))


def test_malformed_xml_past_the_needed_strings_is_still_refused(tmp_path: Path) -> None:
    xml = f'<sst xmlns="{NS}"><si><t>a</t></si><si><t>b</t></si><si><t>c</t></sst>'  # the last si unclosed
    with SafeZip(_book(tmp_path, xml)) as zf, pytest.raises(InputError) as info:
        read_strings(zf, PART, {0, 2})
    assert info.value.code == "IN-028"
    dtd = '<!DOCTYPE x [<!ENTITY e "x">]><sst><si><t>&e;</t></si></sst>'
    with SafeZip(_book(tmp_path, dtd)) as zf, pytest.raises(InputError) as info:
        read_strings(zf, PART, {0})
    assert info.value.code == "IN-054"


def test_a_prefixed_root_is_read_by_the_full_parse(tmp_path: Path) -> None:
    xml = f'<x:sst xmlns:x="{NS}"><x:si><x:t>甲</x:t></x:si><x:si><x:t>乙</x:t></x:si></x:sst>'
    with SafeZip(_book(tmp_path, xml)) as zf:
        assert read_strings(zf, PART, {1}) == {1: "乙"}
