"""How the workbooks we write for people go on paper: one page setup for the lists, one footer for all.

The form sheet prints at a fixed scale with planned page breaks (:mod:`.layout`); the lists beside it
(the report workbook's 报表汇总 and 问题清单, a total's 汇总来源) print on A4 fitted to the page
width, as many pages long as they need, their header row repeated on every page, so that no column
band is split off onto pages of its own. Every sheet has the same footer, the page number, written
so that every engine reads it: no size code (Gnumeric reads ``&10`` back as a literal "0") and no
empty header or footer element (which Gnumeric warns of).
"""

from __future__ import annotations

from typing import Any

from unionforms.excel.layout import MARGIN_BOTTOM, MARGIN_FOOTER, MARGIN_HEADER, MARGIN_SIDE, MARGIN_TOP

#: The font of every cell we write for people: a named CJK font, so that no digit falls back to a
#: Latin serif font because the cell's font has no name.
BODY_FONT = "宋体"
#: The footer margin of a landscape list (inches), room for Gnumeric's footer below it (:func:`fit_to_width`).
LANDSCAPE_FOOTER = 0.5


def page_footer(ws: Any) -> None:
    """The page number centred in the footer of ``ws``, and no other header or footer element."""
    hf = ws.HeaderFooter
    hf.oddHeader = hf.evenHeader = hf.evenFooter = hf.firstHeader = hf.firstFooter = None
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def fit_to_width(ws: Any, *, landscape: bool, header_rows: str | None = None) -> None:
    """Print ``ws`` (openpyxl, write-only or not) on A4 fitted to the width, ``header_rows`` repeated."""
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages long as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE  # the form sheet's margins
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP, MARGIN_BOTTOM
    ws.page_margins.header, ws.page_margins.footer = MARGIN_HEADER, MARGIN_FOOTER
    if landscape:
        # Gnumeric sets a landscape page's footer with its top, not its foot, at the footer margin:
        # 0.3 in would put its foot 0.1 in from the paper's edge, past what printers print.
        ws.page_margins.footer = LANDSCAPE_FOOTER
    if header_rows is not None:
        ws.print_title_rows = header_rows
    page_footer(ws)
