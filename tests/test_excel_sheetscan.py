"""The fast path for sheet cells reads exactly what the streaming reader reads, or refuses the same way."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from unionforms import InputError
from unionforms.excel import knownrows, sheetscan
from unionforms.excel.cells import Cell, stream_cells
from unionforms.excel.safety import SafeZip

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PART = "xl/worksheets/sheet1.xml"
WANTED = frozenset({"A1", "B2", "C3", "D4", "D5", "B12"})

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=8)


def _escaped(text: str, style: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if style == "refs":  # as openpyxl writes CJK: character references
        return "".join(c if c.isascii() else f"&#{ord(c)};" for c in out)
    if style == "hex":
        return "".join(c if c.isascii() else f"&#x{ord(c):X};" for c in out)
    return out


@st.composite
def _body(draw: st.DrawFn) -> str:
    style = draw(st.sampled_from(["plain", "refs", "hex"]))
    kind = draw(st.sampled_from(["v", "fv", "f", "is", "rich", "phonetic", "empty", "vempty", "fshared"]))
    text = _escaped(draw(_text), style)
    if kind == "v":
        return f"<v>{text}</v>"
    if kind == "fv":
        return f"<f>SUM(A1:A2)</f><v>{text}</v>"
    if kind == "f":
        return "<f>A1&amp;B1</f>"
    if kind == "is":
        space = draw(st.sampled_from(["", ' xml:space="preserve"']))
        return f"<is><t{space}>{text}</t></is>"
    if kind == "rich":
        return f'<is><r><rPr><b/><sz val="11"/></rPr><t>{text}</t></r><r><t>x</t></r></is>'
    if kind == "phonetic":
        return f'<is><t>{text}</t><rPh sb="0" eb="1"><t>ふり</t></rPh><phoneticPr fontId="1"/></is>'
    if kind == "vempty":
        return "<v/>"
    if kind == "fshared":
        return '<f t="shared" si="0"/><v>1</v>'
    return ""


@st.composite
def _cell(draw: st.DrawFn, row: int) -> str:
    col = draw(st.sampled_from("ABCD"))
    ref = f"{col}{row}" if draw(st.integers(0, 9)) else f"{col}{row + 1}"
    typ = draw(st.sampled_from(["", ' t="n"', ' t="s"', ' t="str"', ' t="inlineStr"', ' t="b"', ' t="e"']))
    style = draw(st.sampled_from(["", ' s="3"']))
    body = draw(_body())
    start = f'<c r="{ref}"{style}{typ}'
    return f"{start}/>" if not body and draw(st.booleans()) else f"{start}>{body}</c>"


@st.composite
def sheets(draw: st.DrawFn) -> str:
    rows = []
    for row in range(1, draw(st.integers(1, 13)) + 1):
        cells = "".join(draw(st.lists(_cell(row), max_size=4)))
        rows.append(f'<row r="{row}" spans="1:4">{cells}</row>' if cells else f'<row r="{row}"/>')
    data = "".join(rows)
    extra = draw(
        st.sampled_from(["", "", "", "", "", "", "comment", "cdata", "pi", "prefix", "after", "mangled"])
        | st.sampled_from(["cr", "bom", "order", "quote", "implicit", "space"])
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    tail = '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><pageMargins left="0.7"/>'
    root = f'<worksheet xmlns="{NS}" xmlns:x="urn:x"><dimension ref="A1"/><sheetViews/>'
    if extra == "comment":
        data = data.replace("</row>", '<!-- <c r="A1"><v>9</v></c> --></row>', 1)
    elif extra == "cdata":
        data = data.replace("</row>", '<c r="B2"><v><![CDATA[</v></c><c r="A1"><v>7]]></v></c></row>', 1)
    elif extra == "pi":
        data = data.replace("</row>", "<?x y?></row>", 1)
    elif extra == "prefix":
        data = data.replace("<c ", "<x:c ", 1).replace("</c>", "</x:c>", 1)
    elif extra == "after":
        tail = "<extLst/>" + tail
    elif extra == "mangled":
        data = data.replace("</row>", "</rowx>", 1)
    elif extra == "cr":
        data = data.replace("<v>", "<v>1\r\n", 1)
    elif extra == "bom":
        head = "\ufeff" + head
    elif extra == "order":  # r not the first attribute
        data = data.replace('<c r="', '<c s="9" r="', 1)
    elif extra == "quote":
        data = re.sub(r'<c r="(\w+)"', r"<c r='\1'", data, count=1)
    elif extra == "implicit":  # the next column of the row
        data = re.sub(r'<c r="\w+"', "<c", data, count=1)
    elif extra == "space":
        data = data.replace('<c r="', '<c  r="', 1)
    return f"{head}{root}<sheetData>{data}</sheetData>{tail}</worksheet>"


def _read(path: Path, how: str) -> dict[str, Cell] | str:
    try:
        with SafeZip(path) as zf:
            if how == "fast":
                return sheetscan.read_cells(zf, PART, WANTED)
            return stream_cells(zf, PART, WANTED)
    except InputError as exc:
        return exc.code


def _hiding(markup: str) -> str:
    row = f'<row r="1"><c r="B2"><v>1</v></c>{markup}</row>'
    return f'<worksheet xmlns="{NS}"><sheetData>{row}</sheetData><pageMargins/></worksheet>'


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(sheets(), st.booleans())
@example(_hiding('<c r="C3"><v><![CDATA[</v></c><c r="A1"><v>7]]></v></c>'), False)
@example(_hiding('<!-- <c r="A1"><v>9</v></c> -->'), False)
@example(_hiding('<?pi <c r="A1"><v>9</v></c> ?>'), False)
def test_the_fast_path_reads_what_the_streaming_reader_reads(xml: str, big: bool) -> None:
    """On plain sheets and odd ones (comments, prefixes, implicit refs, malformed XML): the same cells,
    or the same refusal. ``big`` pads the sheet past the size read whole, so both fast ways run."""
    if big:
        xml = xml.replace("<sheetViews/>", "<sheetViews/>" + '<cols><col min="1" max="1"/></cols>' * 3000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(PART, xml.encode("utf-8"))
        assert _read(path, "fast") == _read(path, "stream")
        assert _read(path, "fast") == _read(path, "stream")  # again: its rows are known now


def test_rows_known_are_left_out_and_a_change_in_one_is_still_refused(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>标签{r}</t></is></c></row>' for r in range(1, 40)
    )
    good = f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData><pageMargins left="1"/></worksheet>'
    path = tmp_path / "s.xlsx"
    for xml, expect in (
        (good, "ok"),
        (good, "ok"),
        (good.replace("<t>标签7</t>", "<t>标签7</tt>"), "IN-028"),
        (good.replace("<t>标签7</t>", "<t>标签7&bad;</t>"), "IN-028"),
    ):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(PART, xml.encode("utf-8"))
        got = _read(path, "fast")
        assert (got if isinstance(got, str) else "ok") == expect
    assert knownrows._known  # the rows of the good sheet were remembered


def test_a_new_row_beside_known_ones_is_held_to_the_whole_shape(tmp_path: Path) -> None:
    """Only the rows not known are looked at for the shape: a new row that declares a namespace or holds
    another row element still sends the whole sheet to the reference, with the same result."""
    known = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 30))
    odd_rows = (
        '<row r="1" xmlns:x="urn:x"><x:c r="A1"><x:v>5</x:v></x:c></row>',
        '<row r="1"><c r="A1"><v>5</v></c><rowx/></row>',
        '<row r="1"><c r="A1"><v>5</v></c></row >',
    )
    path = tmp_path / "s.xlsx"
    for first in ('<row r="1"><c r="A1"><v>1</v></c></row>', *odd_rows):
        for _ in range(2):  # the second time, the rows of the first are known
            xml = f'<worksheet xmlns="{NS}"><sheetData>{first}{known}</sheetData><pageMargins/></worksheet>'
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(PART, xml.encode("utf-8"))
            assert _read(path, "fast") == _read(path, "stream"), first


def test_a_ref_in_a_remembered_row_and_a_new_one_is_a_cell_given_twice(tmp_path: Path) -> None:
    """Rows seen twice are remembered; a new row before them with the same ref is still a cell given
    twice, refused by both readers alike (IN-066), never the later one read silently."""

    def sheet(first: str) -> str:
        rows = f'<row r="1"><c r="A1"><v>{first}</v></c></row><row r="2"><c r="A1"><v>2</v></c></row>'
        pad = '<row r="3"><c r="Z3" t="inlineStr"><is><t>x</t></is></c></row>' * 3000  # read in chunks
        return f'<worksheet xmlns="{NS}"><sheetData>{rows}{pad}</sheetData><pageMargins/></worksheet>'

    path = tmp_path / "s.xlsx"
    for first in ("1", "1", "1", "5"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(PART, sheet(first).encode())
        fast, stream = _read(path, "fast"), _read(path, "stream")
        assert fast == stream == "IN-066"
