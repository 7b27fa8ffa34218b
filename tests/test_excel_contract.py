"""The layout fingerprint: what it covers and what it leaves out (``specs/excel-template.md`` §2.1)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from unionforms.excel.contract import fingerprint

_CELLS = st.dictionaries(
    st.from_regex(r"F_[0-9]{2}[A-Z]?", fullmatch=True),
    st.from_regex(r"[A-Z]{1,2}[1-9][0-9]{0,2}", fullmatch=True),
)


def test_the_fingerprint_is_the_documented_digest() -> None:
    text = "songwennuan-2017\n1\nF_01A=D6\nH_UNIT=C3"
    want = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    assert fingerprint("songwennuan-2017", "1", {"H_unit": "c3", "F_01A": "D6"}) == want


@given(
    cells=_CELLS,
    form=st.sampled_from(["songwennuan-2014", "songwennuan-2017"]),
    version=st.sampled_from("12"),
)
def test_it_changes_with_the_identity_and_with_any_cell(
    cells: dict[str, str], form: str, version: str
) -> None:
    base = fingerprint("songwennuan-2017", "1", cells)
    assert fingerprint("songwennuan-2017", "1", dict(reversed(list(cells.items())))) == base
    assert (fingerprint(form, version, cells) == base) == ((form, version) == ("songwennuan-2017", "1"))
    for name in cells:
        moved = {**cells, name: cells[name] + "0"}
        assert fingerprint("songwennuan-2017", "1", moved) != base
        assert fingerprint("songwennuan-2017", "1", {k: v for k, v in cells.items() if k != name}) != base
