"""Every kind of workbook we write, printed by LibreOffice and drawn by Gnumeric, read back page by page
from the PDF.

Blank and filled templates of the four forms (filled with the longest entries: a 31-character 填报单位, a
phone with an extension and a second number, 15-digit figures), an annotated copy of a return with 3
errors, the report workbook of a bulk check, the 报送进度 of a round and a total. Each page is read with
``pdftotext -bbox``: the page count is the planned one, no ``###``, no word past the paper's printable
edge, a form's last page at least a quarter full, and each long entry whole inside its own cell in both
engines. On CI (CI set) LibreOffice, Gnumeric and poppler-utils must be there.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from tests.returns import check_paths
from unionforms import Kind, Meta, Registry, Report
from unionforms.collect.aggregate import aggregate
from unionforms.collect.annotate import annotate
from unionforms.collect.totals import collect, write_xlsx
from unionforms.core.validate import check_rules
from unionforms.excel.fill import fill
from unionforms.excel.findings_book import FindingsBook
from unionforms.excel.layout import WIDTHS
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.excel.paper import fit_to_width
from unionforms.excel.printcopy import write_print_copy
from unionforms.excel.writer import write_template
from unionforms.io.reading import read_report

#: Pages of each form, as planned (specs/excel-template.md §8).
FORM_PAGES = {"songwennuan-2014": 2, "songwennuan-2017": 2, "bangfu-2013": 3, "bangfu-2016": 3}
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_EDGE = 0.25 * 72  # no printer prints nearer the edge than this


@attrs.frozen
class Page:
    width: float
    height: float
    words: tuple[tuple[float, float, float, float, str], ...]

    @property
    def text(self) -> str:
        return " ".join(w[4] for w in self.words)

    @property
    def fill(self) -> float:
        """How far down the page's body (between the 0.6 in and 0.8 in margins) its last word stands."""
        body = [w for w in self.words if w[1] < self.height - 0.8 * 72]  # not the footer
        low = max((w[3] for w in body), default=0.6 * 72)
        return (low - 0.6 * 72) / (self.height - 1.4 * 72)

    def outside(self) -> list[str]:
        """Words drawn past the printable edge (text that ran off the paper)."""
        return [
            w[4]
            for w in self.words
            if w[0] < _EDGE or w[2] > self.width - _EDGE or w[1] < _EDGE or w[3] > self.height - _EDGE
        ]


def pages(pdf: Path) -> list[Page]:
    """The pages of ``pdf`` with their words and where they stand (poppler's pdftotext)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [
        Page(
            float(m.group(1)),
            float(m.group(2)),
            tuple((float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(m.group(3))),
        )
        for m in _PAGE.finditer(out.stdout)
    ]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> dict[str, Path]:
    """Every kind of workbook, as ``unionforms pdf`` prints it (the letter and the report as they print
    from the spreadsheet program: their own sheets only), by name."""
    if find_soffice() is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            raise RuntimeError("LibreOffice and poppler-utils are required on CI: .ci/run installs them")
        pytest.skip("LibreOffice or pdftotext is not installed")
    tmp = tmp_path_factory.mktemp("paper")
    (tmp / "print").mkdir()
    books: dict[str, Path] = {}
    meta = Meta(
        unit="中华全国总工会四川省乐山市市中区某某街道办事处联合工会委员会",
        filled_by="欧阳某某某某",
        phone="010-68592114 转 8021, 13800138000",
        date=datetime.date(2017, 1, 15),
    )
    for form_id in FORM_PAGES:
        form = registry.get(form_id)
        write_template(form, tmp / f"blank-{form_id}.xlsx")
        largest = {
            f.code: True
            if f.kind is Kind.FLAG
            else (10**15 - 1 if f.kind is Kind.COUNT else Decimal("9999999999999.99"))
            for f in form.iter_fields()
        }
        fill(form, Report(form_id, meta, largest), tmp / f"filled-{form_id}.xlsx")
        for kind in ("blank", "filled"):
            books[f"{kind}-{form_id}"] = write_print_copy(
                tmp / f"{kind}-{form_id}.xlsx", tmp / "print" / f"{kind}-{form_id}.xlsx"
            )
    # an annotated copy of a return with 3 errors: its letter as it prints alone
    form = registry.get("songwennuan-2017")
    broken = {"01A": 10, "01B": 50, "03A": 5, "03B": 9, "05": 10, "05A": 4, "05B": 4, "05C": 4}
    source = tmp / "returns" / "甲.xlsx"
    fill(form, Report(form.id, Meta(unit="甲县总工会"), {k: Decimal(v) for k, v in broken.items()}), source)
    read = read_report(source, registry)
    findings = (*read.findings, *check_rules(read.form, read.report, read.source))
    assert sum(f.is_error for f in findings) == 3
    annotated = annotate(source, findings, tmp / "annotated.xlsx")
    books["letter"] = _alone(annotated, "审核结果", tmp / "letter.xlsx")
    books["annotated"] = write_print_copy(annotated, tmp / "print" / "annotated.xlsx")  # `unionforms pdf`
    # the report workbook of a bulk check over those returns and a clean one
    fill(form, Report(form.id, Meta(unit="乙县总工会"), {"01A": 10, "01B": 5}), tmp / "returns" / "乙.xlsx")
    with FindingsBook(tmp / "report.xlsx") as book:
        for result in check_paths([str(tmp / "returns")], registry=registry):
            book.add(result)
    books["report"] = tmp / "report.xlsx"
    # a total, with its header and 汇总来源
    total = aggregate(
        collect([str(tmp / "returns")], registry=registry), registry, unit="乐山市总工会", header=meta
    )
    books["total"] = write_print_copy(write_xlsx(total, tmp / "total.xlsx"), tmp / "print" / "total.xlsx")
    # the 报送进度 of a round of 60 listed units (a long name, a long phone), as `status -o` writes it
    from unionforms.collect.current import decide
    from unionforms.collect.progress import book_rows, progress
    from unionforms.collect.roster import ListedUnit, Roster
    from unionforms.excel.progress_book import write_progress_book

    listed = [ListedUnit("甲县总工会", phone=meta.phone), ListedUnit("乙县总工会", contact="欧阳某某某某")]
    listed += [ListedUnit(f"{meta.unit}第{i}分会", code=f"5111{i:02d}") for i in range(58)]
    rnd = decide(check_paths([str(tmp / "returns")], registry=registry), roster=Roster(tuple(listed)))
    books["status"] = write_progress_book(tmp / "status.xlsx", *book_rows(progress(rnd)))
    return books


@pytest.fixture(scope="module")
def printed(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """Every kind of workbook printed by LibreOffice, page by page."""
    pdfs = convert(list(books.values()), "pdf", tmp_path_factory.mktemp("pdf"))
    return {name: pages(pdf) for name, pdf in zip(books, pdfs, strict=True)}


def _alone(path: Path, sheet: str, target: Path) -> Path:
    """A copy of the workbook with only ``sheet``, as a spreadsheet program prints that sheet alone."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if ws.title != sheet:
            del wb[ws.title]
    wb.save(target)
    return target


def test_every_page_of_every_kind_prints_whole(printed: dict[str, list[Page]]) -> None:
    for name, book in printed.items():
        for number, page in enumerate(book, start=1):
            assert (round(page.width), round(page.height)) in ((595, 842), (842, 595)), (name, number)
            assert "###" not in page.text, (name, number)
            assert page.outside() == [], (name, number)
            assert f"第 {number} 页，共 {len(book)} 页" in page.text, (name, number)  # the footer, whole


def test_forms_print_on_their_planned_pages_none_near_empty(printed: dict[str, list[Page]]) -> None:
    for form_id, count in FORM_PAGES.items():
        for kind in ("blank", "filled"):
            book = printed[f"{kind}-{form_id}"]
            assert len(book) == count, (kind, form_id)
            assert all(page.fill >= 0.25 for page in book), (kind, form_id, [p.fill for p in book])
        filled = "".join(page.text for page in printed[f"filled-{form_id}"]).replace(" ", "")
        assert "999999999999999" in filled and "13800138000" in filled
        assert "中华全国总工会四川省乐山市市中区某某街道办事处联合工会委员会" in filled  # on two lines


def test_the_letter_of_a_return_with_3_errors_is_one_page_to_act_on(printed: dict[str, list[Page]]) -> None:
    (page,) = printed["letter"]
    assert page.width < page.height  # A4 portrait
    text = page.text.replace(" ", "")
    assert "3个错误" in text
    for rule in ("01B-part", "03B-part", "05-sum"):
        assert rule in text
    assert "请核对并修改有关数字" in text  # what to do, for each error
    # `unionforms pdf` of the annotated copy prints the form with its current verdicts, not the letter
    annotated = printed["annotated"]
    assert len(annotated) == FORM_PAGES["songwennuan-2017"]
    assert "2017年工会送温暖活动统计表" in annotated[0].text and "审核结果（" not in annotated[0].text


def test_the_status_workbook_prints_landscape_with_its_header_on_every_page(
    printed: dict[str, list[Page]],
) -> None:
    status = printed["status"]
    assert len(status) >= 3 and all(p.width > p.height for p in status)  # the units over 2+ pages, files
    units = [p for p in status if "单位名称" in p.text]
    assert len(units) >= 2 and all("联系电话" in p.text for p in units)  # the header repeated
    text = " ".join(p.text for p in status).replace(" ", "")
    assert "13800138000" in text and "未报" in text and "欧阳某某某某" in text


def test_the_report_and_the_total_print_fitted_to_the_page(printed: dict[str, list[Page]]) -> None:
    report = printed["report"]
    assert len(report) == 2 and all(p.width > p.height for p in report)  # a landscape page a sheet
    assert "序号" in report[0].text and "序号" in report[1].text
    total = printed["total"]
    assert len(total) == FORM_PAGES["songwennuan-2017"] + 1
    assert "乐山市总工会" in total[0].text and "欧阳某某某某" in total[0].text
    assert (
        total[-1].width < total[-1].height
        and "汇总来源" in total[-1].text
        and "计入的填报单位" in total[-1].text
    )


@pytest.fixture(scope="module")
def gnumeric(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """Every kind of workbook drawn by the second engine (Gnumeric's own PDF export, which ignores the
    print area and shrink-to-fit: not a print path, but what a Gnumeric user sees), page by page."""
    ssconvert = shutil.which("ssconvert")
    if ssconvert is None:
        if os.environ.get("CI"):
            raise RuntimeError("Gnumeric is required on CI: .ci/run installs gnumeric")
        pytest.skip("Gnumeric is not installed")
    tmp = tmp_path_factory.mktemp("gnumeric")
    rendered = {}
    for name, book in books.items():
        pdf = tmp / f"{name}.pdf"
        subprocess.run(
            [ssconvert, "-T", "Gnumeric_pdf:pdf_assistant", str(book), str(pdf)],
            capture_output=True,
            timeout=120,
            check=True,
        )
        rendered[name] = pages(pdf)
    return rendered


def test_gnumeric_renders_every_kind_whole_and_forms_on_their_planned_pages(
    gnumeric: dict[str, list[Page]], printed: dict[str, list[Page]]
) -> None:
    """No ``###`` and nothing past the paper's edge in anything Gnumeric draws; a form's lines fall on
    the same pages as in LibreOffice (Gnumeric follows the planned breaks; it then goes on with the
    check area, which its export prints)."""
    for name, book in gnumeric.items():
        assert book and all("###" not in page.text for page in book), name
        assert all(page.outside() == [] for page in book), name
    for form_id, count in FORM_PAGES.items():
        for engine in (gnumeric, printed):
            figures = [len(_FIGURE.findall(page.text)) for page in engine[f"filled-{form_id}"][:count]]
            assert all(figures), (form_id, figures)
        assert [len(_FIGURE.findall(p.text)) for p in gnumeric[f"filled-{form_id}"][:count]] == [
            len(_FIGURE.findall(p.text)) for p in printed[f"filled-{form_id}"]
        ], form_id


class Columns:
    """Where the form's columns A:E stand on a printed page, found from the table header's words
    (填报数 is centred in D, 单位 in E) and the widths the writer sets."""

    def __init__(self, page: Page) -> None:
        centre = {w[4]: (w[0] + w[2]) / 2 for w in page.words if w[4] in ("填报数", "单位")}
        self.pt = 2 * (centre["单位"] - centre["填报数"]) / (WIDTHS["D"] + WIDTHS["E"])  # per character
        right = centre["填报数"] - WIDTHS["D"] * self.pt / 2  # C's right edge
        self.edges = {}
        for col in "CBA":
            self.edges[col] = (right - WIDTHS[col] * self.pt, right)
            right -= WIDTHS[col] * self.pt
        left = centre["填报数"] - WIDTHS["D"] * self.pt / 2
        for col in "DE":
            self.edges[col] = (left, left + WIDTHS[col] * self.pt)
            left += WIDTHS[col] * self.pt

    def holds(self, col: str, word: tuple[float, float, float, float, str]) -> bool:
        """Whether ``word`` is drawn inside column ``col`` (half a point of rounding allowed)."""
        a, b = self.edges[col]
        return a - 0.5 <= word[0] and word[2] <= b + 0.5


_FIGURE = re.compile(r"9{15}|9{13}\\.99")
_BROKEN_LETTER = re.compile(r"（[A-Z](?!）)|^[A-Z]?）")
_UNIT = "中华全国总工会四川省乐山市市中区某某街道办事处联合工会委员会"
_PHONE = "010-68592114 转 8021, 13800138000"


def reading(words: list[tuple[float, float, float, float, str]]) -> str:
    """The words' text in reading order: line by line (a line's words centred within 3 pt of each other,
    CJK and digits standing a little apart), left to right."""
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for w in sorted(words, key=lambda w: w[1] + w[3]):
        if lines and abs((w[1] + w[3]) - (lines[-1][0][1] + lines[-1][0][3])) <= 6:
            lines[-1].append(w)
        else:
            lines.append([w])
    return "".join(w[4] for line in lines for w in sorted(line))


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_long_entries_print_whole_inside_their_cells(engine: str, request: pytest.FixtureRequest) -> None:
    """A filled form's longest entries print whole and inside their own cells, in both engines: the
    31-character 填报单位 (C, on two lines), the phone with an extension and a second number (E, on
    three), 15-digit counts and 13+2-digit money (D), the letters （A） (B). A cell's text cut at its
    border is still in the PDF's text, so each word's place is checked against the cell's edges."""
    rendered: dict[str, list[Page]] = request.getfixturevalue(
        "printed" if engine == "libreoffice" else engine
    )
    for form_id, count in FORM_PAGES.items():
        book = rendered[f"filled-{form_id}"]
        columns = Columns(book[0])  # the same on every page (Gnumeric repeats no table header)
        top = min(w[1] for w in book[0].words if w[4] == "填报数")
        header = [w for w in book[0].words if w[3] < top]
        unit = [w for w in header if len(w[4]) > 1 and w[4] in _UNIT]
        phone = [w for w in header if w[4] in _PHONE and (len(w[4]) > 1 or w[4] == "转")]
        assert reading(unit) == _UNIT, (form_id, unit)
        assert all(columns.holds("C", w) for w in unit), (form_id, columns.edges["C"], unit)
        assert reading(phone) == _PHONE.replace(" ", ""), (form_id, phone)
        assert all(columns.holds("E", w) for w in phone), (form_id, columns.edges["E"], phone)
        for number, page in enumerate(book[:count], start=1):
            figures = [w for w in page.words if _FIGURE.fullmatch(w[4])]
            assert figures, (form_id, number)
            assert all(columns.holds("D", w) for w in figures), (form_id, number, columns.edges["D"], figures)
            broken = [w[4] for w in page.words if _BROKEN_LETTER.search(w[4])]
            assert broken == [], (form_id, number)
            letters = [w for w in page.words if re.fullmatch(r"（[A-Z]）", w[4])]
            assert letters and all(columns.holds("B", w) for w in letters), (form_id, number)


def test_fit_to_width_prints_a4_with_the_header_repeated(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    fit_to_width(ws, landscape=False, header_rows="1:1")
    wb.save(tmp_path / "w.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    assert ws is not None
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == ("9", "portrait") or (
        int(ws.page_setup.paperSize),
        ws.page_setup.orientation,
    ) == (9, "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
