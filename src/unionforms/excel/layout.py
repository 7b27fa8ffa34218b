"""Where everything stands on the template sheet: pure data computed from the form, no openpyxl.

Each printed row of the form becomes one sheet row per blank ("phrase"), so the input cell stands where
the blank stands in the sentence: C = words before the blank, D = the blank, E = its unit and the
punctuation after it. Column A is the line number, B the letter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from unionforms.core.findings import Severity
from unionforms.core.model import Field, Form, FrozenMap, LetterMark, Row, Text, frozen_map

_PUNCT = "，,；;。：:、"

COLUMNS = ("A", "B", "C", "D", "E")
#: Column widths in characters (5.25 pt each in Excel and Gnumeric). They hold the longest entries without
#: shrink-to-fit, which Gnumeric ignores: D a 15-digit count or 13+2-digit money at 11 pt in the widest
#: fallback digits (DejaVu Sans, 7 pt); A "（10）" and B "（A）" on one line in CJK brackets; E the unit
#: and its punctuation, or the phone number wrapped at its spaces (no part of it wider than 12 digits).
WIDTHS = {"A": 8.0, "B": 8.0, "C": 44.0, "D": 22.0, "E": 17.0, "F": 30.0}
CHECK_COLUMN = "F"  # the live check summary, beside the form and outside the print area
EXPLAIN_COLUMN = "F"  # beside each warning's verdict: the filler's 合理性审核说明

#: The sheet prints at a fixed scale, never "fit to page": Excel ignores manual page breaks when fitting,
#: and a fixed scale makes the page breaks below hold in every program. A column character is 5.25 pt
#: wide in Excel and Gnumeric (Calibri 11), about 5.6 pt in LibreOffice with Carlito and 7 pt without it
#: (measured), so A:E (99 characters) is 693 pt wide at most; at 75 % that fits A4's 523 pt between
#: 0.5 in margins.
PRINT_SCALE = 75
#: A4 portrait height in points and the margins the writer sets (inches); the footer sits inside the bottom
#: margin, with room for its line.
PAGE_HEIGHT = 841.9
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM, MARGIN_HEADER, MARGIN_FOOTER = 0.5, 0.6, 0.8, 0.3, 0.3
#: Row heights (unscaled points) a page holds, less a reserve for rounding by the spreadsheet programs.
PAGE_BODY = (PAGE_HEIGHT - 72 * (MARGIN_TOP + MARGIN_BOTTOM)) * 100 / PRINT_SCALE - 24
TITLE_HEIGHT, TABLE_HEADER_HEIGHT, MIN_HEIGHT = 36.0, 22.0, 20.0
#: Lines of the header rows' input cells, which wrap (Gnumeric ignores shrink-to-fit): a 填报单位 of up to
#: 40 characters on two lines of C; a phone with an extension and a second number on three lines of E
#: ("010-68592114" / "转 8021," / "13800138000").
UNIT_LINES, PHONE_LINES = 2, 3
#: A line continued on the next page shows its number over two lines, "08" and "（续）".
CONTINUED = "（续）"
CONTINUED_HEIGHT = 38.0
#: The least share of :data:`PAGE_BODY` the last page of a form holds when sentences of the page before
#: can be moved onto it (a page holding one short line and the notes reads as a page left over).
LAST_PAGE_SHARE = 1 / 3
#: A lead-in closing a printed row, up to this many characters, stays with the unit: "万元；其中：".
SHORT = 4


@attrs.frozen
class Phrase:
    """One sheet row of the form: a letter that starts here (or None), words, and a blank (or none).

    ``before`` may hold a letter where the paper prints it inside the words: "…取暖补贴（J）".
    """

    letter: str | None
    before: str
    field: Field | None
    after: str


def phrases(row: Row) -> list[Phrase]:
    """Split one printed row into sheet rows, one per blank; a row with no blank is one text phrase.

    The unit column holds the blank's unit and the punctuation after it, nothing more — but for a short
    lead-in closing the printed row (``万元；其中：``). Other words after a blank start the next sheet row,
    and a letter met inside words stays there, printed in the sentence as on paper.
    """
    out: list[Phrase] = []
    letter: str | None = None
    before = ""
    segs = row.segments
    i = 0
    while i < len(segs):
        seg = segs[i]
        if isinstance(seg, LetterMark):
            if before.strip():
                before += f"（{seg.letter}）"
            else:
                letter = seg.letter
        elif isinstance(seg, Text):
            before += seg.text
        else:
            after = seg.printed_unit
            tail = ""
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            if isinstance(nxt, Text):
                cut = lead_punct(nxt.text)
                after += nxt.text[:cut]
                tail = nxt.text[cut:]
                if i + 2 >= len(segs) and lead_in(tail):
                    after, tail = after + tail, ""
                i += 1
            out.append(Phrase(letter, before.strip(), seg, after))
            letter = None
            before = tail
        i += 1
    if before.strip() or letter is not None:
        out.append(Phrase(letter, before.strip(), None, ""))
    return out


def lead_punct(text: str) -> int:
    """How many punctuation marks ``text`` starts with."""
    return len(text) - len(text.lstrip(_PUNCT))


def lead_in(text: str) -> bool:
    """Whether ``text`` is a short lead-in to the items below, such as "其中：", kept beside the unit."""
    return text.rstrip().endswith(("：", ":")) and words(text) <= SHORT


def words(text: str) -> int:
    """Characters of ``text`` that are neither punctuation nor space."""
    return sum(ch not in _PUNCT and not ch.isspace() for ch in text)


def row_height(text: str, width: float, size: float = 11) -> float:
    """Row height in points for ``text`` wrapped in a column ``width`` characters wide.

    A line holds as many half-em units (a CJK character is 2) as Excel's narrower column allows:
    ``width`` × 5.25 pt, less the cell's padding.
    """
    per_line = max(1, int((width * 5.25 - 0.25) / (size / 2)))
    lines = 0
    for part in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // per_line))
    return lines_height(lines, size)


def lines_height(lines: int, size: float = 11) -> float:
    """Row height in points for ``lines`` lines of text in ``size`` points, at least :data:`MIN_HEIGHT`."""
    return max(MIN_HEIGHT, lines * size * 1.45 + 5)


def _phrase_height(phrase: Phrase) -> float:
    if phrase.field is None:
        return row_height(phrase.before, WIDTHS["C"] + WIDTHS["D"] + WIDTHS["E"])
    return max(row_height(phrase.before, WIDTHS["C"]), row_height(phrase.after, WIDTHS["E"]))


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
    lines: Mapping[str, tuple[int, int]] = attrs.field(converter=frozen_map)
    rows: tuple[tuple[int, str | None, Phrase], ...]
    fields: Mapping[str, str] = attrs.field(converter=frozen_map)
    meta: Mapping[str, str] = attrs.field(converter=frozen_map)
    check_rows: Mapping[str, int] = attrs.field(converter=frozen_map)
    summary_cell: str
    #: (first row, last row) of each printed row of the form, whose phrases read as one sentence.
    sentences: tuple[tuple[int, int], ...] = ()
    #: Height in points of every printed row from the title to the last note.
    heights: Mapping[int, float] = attrs.field(factory=FrozenMap, converter=frozen_map)
    #: The last row of each page but the last: a page break follows each.
    breaks: tuple[int, ...] = ()
    #: (first row, last row, label) of the line-number cells in column A: a line split by a page break
    #: has a second cell, labelled "08" and "（续）" on two lines.
    line_cells: tuple[tuple[int, int, str], ...] = ()
    #: Rule id -> the explanation cell (合理性审核说明) beside a warning rule's verdict.
    explain_cells: Mapping[str, str] = attrs.field(factory=FrozenMap, converter=frozen_map)

    @property
    def print_area(self) -> str:
        last = max((self.last_row, *self.notes_rows))
        return f"A1:E{last}"


def sheet_name(form: Form) -> str:
    """The form title as a legal sheet name (≤ 31 characters, none of []:*?/\\)."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in form.title)
    return name[:31]


def plan(form: Form) -> SheetLayout:
    """Compute every row and cell of ``form``'s template, its row heights and its page breaks."""
    r = 1
    title_row = r
    heights: dict[int, float] = {r: TITLE_HEIGHT}
    r += 1
    header = (r, r + 1)
    heights[r], heights[r + 1] = lines_height(UNIT_LINES), lines_height(PHONE_LINES)
    meta = {"unit": f"C{r}", "date": f"D{r}", "filled_by": f"C{r + 1}", "phone": f"E{r + 1}"}
    r += 2
    notes_rows: list[int] = []
    if form.notes.items and form.notes.position == "top":
        notes_rows = list(range(r, r + len(form.notes.items)))
        r += len(form.notes.items)
    table_header = r
    heights[r] = TABLE_HEADER_HEIGHT
    r += 1
    first = r
    lines: dict[str, tuple[int, int]] = {}
    rows: list[tuple[int, str | None, Phrase]] = []
    fields: dict[str, str] = {}
    sentences: list[tuple[int, int]] = []
    for line in form.lines:
        start = r
        for prow in line.rows:
            begin = r
            for phrase in phrases(prow):
                rows.append((r, line.number if r == start else None, phrase))
                heights[r] = _phrase_height(phrase)
                if phrase.field is not None:
                    fields[phrase.field.code] = f"D{r}"
                r += 1
            sentences.append((begin, r - 1))
        lines[line.number] = (start, r - 1)
    last = r - 1
    if form.notes.items and form.notes.position == "bottom":
        notes_rows = list(range(r, r + len(form.notes.items)))
        r += len(form.notes.items)
    for row, text in zip(notes_rows, notes_text(form), strict=True):
        heights[row] = row_height(text, sum(WIDTHS[c] for c in COLUMNS), 10.5)
    r += 2
    check_rows = {}
    r += 1  # check area heading
    for rule in form.rules:
        check_rows[rule.id] = r
        r += 1
    breaks, line_cells = _paginate(form, heights, table_header, lines, sentences, notes_rows)
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
        sentences=tuple(sentences),
        heights=heights,
        breaks=breaks,
        line_cells=line_cells,
        explain_cells={
            rule.id: f"{EXPLAIN_COLUMN}{check_rows[rule.id]}"
            for rule in form.rules
            if rule.severity is Severity.WARNING
        },
    )


def notes_text(form: Form) -> list[str]:
    """The notes as printed, one a row: the first after ``{heading}：``, the others indented to match."""
    heading = f"{form.notes.heading}："
    return [
        (heading if i == 0 else "\u3000" * len(heading)) + item for i, item in enumerate(form.notes.items)
    ]


def _paginate(
    form: Form,
    heights: dict[int, float],
    table_header: int,
    lines: dict[str, tuple[int, int]],
    sentences: list[tuple[int, int]],
    notes_rows: list[int],
) -> tuple[tuple[int, ...], tuple[tuple[int, int, str], ...]]:
    """Page breaks between sentences, never leaving a line's first sentence alone at the foot of a page,
    and no last page under :data:`LAST_PAGE_SHARE` full when sentences can be moved onto it.

    Pages are filled from the row heights (the sheet prints at 100 %); each page after the first starts
    with the repeated table header. Returns the breaks and the line-number cells, split at the breaks.
    """
    line_of = {row: number for number, (a, b) in lines.items() for row in range(a, b + 1)}
    units = [(a, b) for a, b in sentences] + ([(notes_rows[0], notes_rows[-1])] if notes_rows else [])
    if notes_rows and notes_rows[0] < table_header:  # notes on top belong to the first page's head
        units = units[:-1]

    def height(a: int, b: int) -> float:
        return sum(heights[row] for row in range(a, b + 1))

    used = height(1, units[0][0] - 1)
    page_first = 0  # index of the first unit on the current page
    starts: list[int] = []  # index of the unit that starts each new page
    i = 0
    while i < len(units):
        a, b = units[i]
        if used + height(a, b) <= PAGE_BODY or i == page_first:
            used += height(a, b)
            i += 1
            continue
        k = i
        prev = units[i - 1][0]
        line = line_of.get(a)
        # A line's first sentence is not left alone at a page foot: it goes to the next page with the rest.
        if line is not None and line_of.get(prev) == line and lines[line][0] == prev and i - 1 > page_first:
            k = i - 1
        starts.append(k)
        page_first = k
        used = heights[table_header] + height(units[k][0], units[i][1])
        if line_of.get(units[k][0]) is not None and line_of.get(units[k][0]) == line_of.get(units[k - 1][1]):
            # the continued line's number cell may be lengthened to show "（续）" (below)
            used += max(0.0, CONTINUED_HEIGHT - height(*units[k]))
        i += 1
    if starts:
        starts[-1] = _balance(units, starts, heights[table_header], height, line_of, lines)
    breaks = tuple(units[k][0] - 1 for k in starts)
    cells: list[tuple[int, int, str]] = []
    for number, (a, b) in lines.items():
        cuts = [row + 1 for row in breaks if a <= row < b]
        edges = [a, *cuts, b + 1]
        for j in range(len(edges) - 1):
            label = form.line_label(number) + ("\n" + CONTINUED if j else "")
            cells.append((edges[j], edges[j + 1] - 1, label))
            if j and height(edges[j], edges[j + 1] - 1) < CONTINUED_HEIGHT:
                heights[edges[j + 1] - 1] += CONTINUED_HEIGHT - height(edges[j], edges[j + 1] - 1)
    return breaks, tuple(cells)


def _balance(
    units: list[tuple[int, int]],
    starts: list[int],
    header: float,
    height: Callable[[int, int], float],
    line_of: dict[int, str],
    lines: dict[str, tuple[int, int]],
) -> int:
    """The unit that starts the last page: moved earlier until that page holds :data:`LAST_PAGE_SHARE`
    of a page, whole lines first (a line is split only when no move between lines does it); unchanged
    when it already does or when no move keeps both pages within the rules."""
    last = starts[-1]
    low = (starts[-2] if len(starts) > 1 else 0) + 1

    def page(k: int) -> float:
        extra = 0.0
        if line_of.get(units[k][0]) is not None and line_of.get(units[k][0]) == line_of.get(units[k - 1][1]):
            extra = max(0.0, CONTINUED_HEIGHT - height(*units[k]))
        return header + height(units[k][0], units[-1][1]) + extra

    if page(last) >= PAGE_BODY * LAST_PAGE_SHARE:
        return last

    def allowed(k: int) -> bool:
        before = units[k - 1][0]
        line = line_of.get(before)
        stranded = line is not None and line_of.get(units[k][0]) == line and lines[line][0] == before
        return not stranded and page(k) <= PAGE_BODY

    for whole_lines in (True, False):
        for k in range(last - 1, low - 1, -1):
            if not allowed(k):
                if page(k) > PAGE_BODY:
                    break
                continue
            between = line_of.get(units[k][0]) != line_of.get(units[k - 1][1])
            if (between or not whole_lines) and page(k) >= PAGE_BODY * LAST_PAGE_SHARE:
                return k
    return last
