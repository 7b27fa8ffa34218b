"""Where the form stands on the sheet: phrases that read as printed, row heights and planned page breaks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms import Form, Registry
from unionforms.core.errors import DefinitionError
from unionforms.core.model import Line, Row
from unionforms.excel.layout import (
    CONTINUED,
    LAST_PAGE_SHARE,
    PAGE_BODY,
    Phrase,
    lead_in,
    lead_punct,
    phrases,
    plan,
)


def _got(row: Row) -> list[tuple[str | None, str, str | None, str]]:
    return [(p.letter, p.before, p.field.code if p.field else None, p.after) for p in phrases(row)]


def _row(form: Form, line: str, letter: str) -> Row:
    return next(r for ln in form.lines if ln.number == line for r in ln.rows if letter in r.letters)


def test_a_letter_inside_the_words_stands_where_the_paper_prints_it(registry: Registry) -> None:
    """2017 07: 为___户困难职工家庭提供过冬取暖补贴（J）___万元 — (J) just before the money blank."""
    got = _got(_row(registry.get("songwennuan-2017"), "07", "J"))
    assert got == [("I", "为", "07I", "户"), (None, "困难职工家庭提供过冬取暖补贴（J）", "07J", "万元；")]


def test_words_after_a_blank_stay_in_the_sentence_not_the_unit_column(registry: Registry) -> None:
    got = _got(_row(registry.get("songwennuan-2017"), "08", "A"))
    assert got == [("A", "为", "08A", "人次"), (None, "权益受损的职工开展维权工作；", None, "")]
    got = _got(_row(registry.get("songwennuan-2014"), "08", "A"))
    assert got == [
        ("A", "为", "08A.1", "名"),
        (None, "权益受损的职工开展维权工作，其中涉及新生代农民工", "08A.2", "人；"),
    ]


def test_a_sentence_with_four_blanks_keeps_its_clauses_in_order(registry: Registry) -> None:
    """2014 08(C): 共协助政府有关部门帮助___名职工追讨欠薪___万元；其中帮助___名农民工追讨欠薪___万元。"""
    got = _got(_row(registry.get("songwennuan-2014"), "08", "C"))
    assert got == [
        ("C", "共协助政府有关部门帮助", "08C.1", "名"),
        (None, "职工追讨欠薪", "08C.2", "万元；"),
        (None, "其中帮助", "08C.3", "名"),
        (None, "农民工追讨欠薪", "08C.4", "万元。"),
    ]
    layout = plan(registry.get("songwennuan-2014"))
    rows = [r for r, _, p in layout.rows if p.field and p.field.code.startswith("08C")]
    assert (rows[0], rows[-1]) in layout.sentences  # one printed row, boxed as one sentence


def test_a_short_lead_in_closing_a_row_stays_with_the_unit(registry: Registry) -> None:
    row = registry.get("songwennuan-2017").lines[4].rows[0]
    assert _got(row) == [(None, "2017年元旦、春节期间送温暖活动中筹集款物总额", "05", "万元；其中：")]
    got = _got(_row(registry.get("songwennuan-2017"), "08", "C"))
    assert got == [("C", "协助政府有关部门共帮助", "08C", "人次"), (None, "职工；", None, "")]
    got = _got(_row(registry.get("bangfu-2016"), "04", "E"))
    assert got == [
        ("D", "企业帮扶站点", "04D", "个，"),
        (None, "其中（E）规模以上企业帮扶站点", "04E", "个；"),
    ]


def _reassembled(parts: list[Phrase]) -> str:
    return "".join(
        (f"（{p.letter}）" if p.letter else "") + p.before + ("___" if p.field else "") + p.after
        for p in parts
    )


def _check_phrases(row: Row) -> None:
    parts = phrases(row)
    # every printed character, letter and blank, in the printed order
    assert re.sub(r"\s+", "", _reassembled(parts)) == re.sub(r"\s+", "", row.printed), row.printed
    assert [p.field for p in parts if p.field] == list(row.fields)
    for i, p in enumerate(parts):
        if p.field is None:
            assert p.after == ""
            continue
        rest = p.after[len(p.field.printed_unit) :]
        assert p.after.startswith(p.field.printed_unit)
        tail = rest[lead_punct(rest) :]
        # the unit column: the unit, its punctuation, and at most a lead-in ("其中：") closing the row
        assert not tail or (lead_in(tail) and i == len(parts) - 1), (row.printed, p)


def test_phrases_reassemble_every_printed_row(form: Form) -> None:
    for line in form.lines:
        for row in line.rows:
            _check_phrases(row)


_WORDS = st.text(alphabet="职工家庭帮扶中心其中，；。：、（）0123", min_size=1, max_size=12)
_PIECE = st.one_of(
    _WORDS,
    st.sampled_from(["{人}", "{万元}", "{户}", "{是/否}", "{人次}"]),
)


@given(st.lists(_PIECE, min_size=1, max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
def test_phrases_reassemble_any_row(pieces: list[str], marks: list[bool]) -> None:
    """Property: any row of words, blanks and letters reads back whole, and the unit column stays clean."""
    markup = ""
    letters = iter("ABCDEFGH")
    for piece, mark in zip(pieces, marks, strict=False):
        markup += (f"[{next(letters)}]" if mark else "") + piece
    if "{" not in markup:
        markup += "{人}"
    try:
        line = Line.from_markup("01", [markup + "。"])
    except DefinitionError:  # a blank with no words to label it is refused by the model
        return
    _check_phrases(line.rows[0])


def test_pages_are_filled_within_a4_and_never_strand_a_lines_first_sentence(form: Form) -> None:
    layout = plan(form)
    h = layout.heights
    end = max((layout.last_row, *layout.notes_rows))
    starts = [1, *(b + 1 for b in layout.breaks)]
    ends = [*layout.breaks, end]
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        body = sum(h[r] for r in range(a, b + 1)) + (h[layout.table_header_row] if i else 0)
        assert body <= PAGE_BODY, (i, body)
    sentence_ends = {b for _, b in layout.sentences} | {layout.last_row}
    for brk in layout.breaks:
        assert brk in sentence_ends, brk  # a sentence is never cut by a page
        for number, (a, b) in layout.lines.items():
            first_sentence = next(s for s in layout.sentences if s[0] == a)
            assert not (brk == first_sentence[1] and b > brk), f"line {number} stranded at row {brk}"


def test_the_last_page_of_a_shipped_form_is_at_least_a_third_full(form: Form) -> None:
    layout = plan(form)
    if not layout.breaks:
        return
    h = layout.heights
    end = max((layout.last_row, *layout.notes_rows))
    last = sum(h[r] for r in range(layout.breaks[-1] + 1, end + 1)) + h[layout.table_header_row]
    assert last >= PAGE_BODY * LAST_PAGE_SHARE, (form.id, last)


def test_a_line_continued_on_the_next_page_repeats_its_number(form: Form) -> None:
    layout = plan(form)
    for number, (a, b) in layout.lines.items():
        cells = [c for c in layout.line_cells if a <= c[0] <= b]
        assert cells[0][0] == a and cells[-1][1] == b
        assert [c[2] for c in cells] == [form.line_label(number)] + [
            f"{form.line_label(number)}\n{CONTINUED}"
        ] * (len(cells) - 1)
        cuts = [c[0] - 1 for c in cells[1:]]
        assert all(cut in layout.breaks for cut in cuts)
    assert any("续" in c[2] for c in layout.line_cells)  # every shipped form spans pages mid-line


_TEXT = st.text(alphabet="职工家庭帮扶中心困难农民工救助", min_size=1, max_size=90)


@st.composite
def _forms(draw: st.DrawFn) -> Form:
    lines = []
    for n in range(1, draw(st.integers(1, 14)) + 1):
        rows = [f"[{chr(65 + i)}]{draw(_TEXT)}{{人}}；" for i in range(draw(st.integers(1, 12)))]
        if draw(st.booleans()):
            rows.insert(0, draw(_TEXT))  # a lead sentence without a blank, as "2017年元旦、春节期间…中"
        lines.append({"number": f"{n:02d}", "rows": rows})
    notes = {"items": [draw(_TEXT)], "position": draw(st.sampled_from(["top", "bottom"]))}
    data = {
        "id": "x-2020",
        "family": "x",
        "year": 2020,
        "version": "1",
        "title": "表",
        "lines": lines,
        "notes": notes,
    }
    return Form.from_dict(data)


@given(_forms())
def test_any_form_is_paginated_within_a4_without_stranding(form: Form) -> None:
    """Property: for forms of any shape, every page fits and no line's first sentence ends a page."""
    test_pages_are_filled_within_a4_and_never_strand_a_lines_first_sentence(form)
    layout = plan(form)
    for number, (a, b) in layout.lines.items():
        cells = [c for c in layout.line_cells if a <= c[0] <= b]
        assert [c[2].endswith(CONTINUED) for c in cells] == [False] + [True] * (len(cells) - 1), number


def test_a_layout_handed_to_plugins_cannot_be_changed(registry: Registry) -> None:
    """A plugin's hook gets the layout: it must not move a field by editing the layout's tables."""
    layout = plan(registry.get("songwennuan-2017"))
    for table in (layout.fields, layout.meta, layout.lines, layout.check_rows, layout.heights):
        key = next(iter(table))
        with pytest.raises(TypeError):
            table[key] = table[key]  # type: ignore[index]
