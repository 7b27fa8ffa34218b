"""Where everything stands on the template sheet: pure data computed from the form, no openpyxl.

Each printed row of the form becomes one sheet row per blank ("phrase"), so the input cell stands where
the blank stands in the sentence: C = words before the blank, D = the blank, E = its unit and the
punctuation after it. Column A is the line number, B the letter.
"""

from __future__ import annotations

import attrs

from ..model import Field, Form, LetterMark, Row, Text

_PUNCT = "，,；;。：:、"

COLUMNS = ("A", "B", "C", "D", "E")
WIDTHS = {"A": 6.5, "B": 6.5, "C": 56.0, "D": 15.0, "E": 14.0, "F": 30.0}
CHECK_COLUMN = "F"  # the live check summary, beside the form and outside the print area


@attrs.frozen
class Phrase:
    """One sheet row of the form: a letter that starts here (or None), words, and a blank (or none)."""

    letter: str | None
    before: str
    field: Field | None
    after: str


def phrases(row: Row) -> list[Phrase]:
    """Split one printed row into sheet rows, one per blank; a row with no blank is one text phrase."""
    out: list[Phrase] = []
    letter: str | None = None
    before = ""
    carry = ""  # words after a unit that read better before the next letter's blank
    segs = list(row.segments)
    i = 0
    while i < len(segs):
        seg = segs[i]
        if isinstance(seg, LetterMark):
            if before.strip() and out:
                out[-1] = attrs.evolve(out[-1], after=out[-1].after + before)
                before = ""
            elif before.strip():
                out.append(Phrase(letter, before, None, ""))
                before = ""
            letter = seg.letter
            before, carry = carry, ""
        elif isinstance(seg, Text):
            before += seg.text
        else:
            after = seg.printed_unit
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            if isinstance(nxt, Text):
                rest = segs[i + 2] if i + 2 < len(segs) else None
                if isinstance(rest, Field):
                    # words then another blank: keep leading punctuation here, the words go forward
                    cut = _lead_punct(nxt.text)
                    head = nxt.text[:cut]
                    m = max((nxt.text.rfind(p) for p in _PUNCT), default=-1)
                    if m >= cut:
                        head = nxt.text[: m + 1]
                    after += head
                    segs[i + 1] = Text(nxt.text[len(head) :])
                elif isinstance(rest, LetterMark) and _words(nxt.text) > _SHORT:
                    # "为___户困难职工家庭提供过冬取暖补贴（J）___万元": the words go with (J)'s blank
                    cut = _lead_punct(nxt.text)
                    after += nxt.text[:cut]
                    carry = nxt.text[cut:]
                    i += 1
                else:
                    after += nxt.text
                    i += 1
            out.append(Phrase(letter, before.strip(), seg, after))
            letter = None
            before = ""
        i += 1
    if before.strip() or letter is not None:
        if out and letter is None:
            out[-1] = attrs.evolve(out[-1], after=out[-1].after + before)
        else:
            out.append(Phrase(letter, before.strip(), None, ""))
    return out


_SHORT = 4  # words after a unit up to this length stay in the unit column ("个，其中")


def _lead_punct(text: str) -> int:
    """How many punctuation marks ``text`` starts with."""
    return len(text) - len(text.lstrip(_PUNCT))


def _words(text: str) -> int:
    return sum(ch not in _PUNCT and not ch.isspace() for ch in text)


@attrs.frozen
class SheetLayout:
    """Row numbers and cells of a generated template; passed to the adjust hook and used by the writer."""

    sheet: str
    title_row: int
    header_rows: tuple[int, int]
    table_header_row: int
    first_row: int
    last_row: int
    notes_rows: tuple[int, ...]
    lines: dict[str, tuple[int, int]]
    rows: tuple[tuple[int, str | None, Phrase], ...]
    fields: dict[str, str]
    meta: dict[str, str]
    check_rows: dict[str, int]
    summary_cell: str

    @property
    def print_area(self) -> str:
        last = max((self.last_row, *self.notes_rows))
        return f"A1:E{last}"


def sheet_name(form: Form) -> str:
    """The form title as a legal sheet name (≤ 31 characters, none of []:*?/\\)."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in form.title)
    return name[:31]


def plan(form: Form) -> SheetLayout:
    """Compute every row and cell of ``form``'s template."""
    r = 1
    title_row = r
    r += 1
    header = (r, r + 1)
    meta = {"unit": f"C{r}", "date": f"D{r}", "filled_by": f"C{r + 1}", "phone": f"E{r + 1}"}
    r += 2
    notes_rows: list[int] = []
    if form.notes.items and form.notes.position == "top":
        notes_rows = list(range(r, r + len(form.notes.items)))
        r += len(form.notes.items)
    table_header = r
    r += 1
    first = r
    lines: dict[str, tuple[int, int]] = {}
    rows: list[tuple[int, str | None, Phrase]] = []
    fields: dict[str, str] = {}
    for line in form.lines:
        start = r
        for prow in line.rows:
            for phrase in phrases(prow):
                rows.append((r, line.number if r == start else None, phrase))
                if phrase.field is not None:
                    fields[phrase.field.code] = f"D{r}"
                r += 1
        lines[line.number] = (start, r - 1)
    last = r - 1
    if form.notes.items and form.notes.position == "bottom":
        notes_rows = list(range(r, r + len(form.notes.items)))
        r += len(form.notes.items)
    r += 2
    check_rows = {}
    r += 1  # check area heading
    for rule in form.rules:
        check_rows[rule.id] = r
        r += 1
    return SheetLayout(
        sheet=sheet_name(form),
        title_row=title_row,
        header_rows=header,
        table_header_row=table_header,
        first_row=first,
        last_row=last,
        notes_rows=tuple(notes_rows),
        lines=lines,
        rows=tuple(rows),
        fields=fields,
        meta=meta,
        check_rows=check_rows,
        summary_cell=f"{CHECK_COLUMN}{title_row + 1}",
    )
