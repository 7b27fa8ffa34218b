"""Text into a workbook people open, safely: one way for every sheet we write for people.

Text from files (a 填报单位, a file name, a reason quoting them) is written as a text cell, never as a
formula, whatever it starts with (``=HYPERLINK(…)`` stays text), and the characters XML cannot hold (a
vertical tab pasted from Word, a file name's undecodable bytes) are shown as escapes
(:func:`unionforms.textsafe.xml_text`) instead of stopping the write. The export's tables keep their own
reversible escapes (:mod:`unionforms.io.export`), since they are read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..textsafe import xml_text


def text_row(ws: Any, values: Iterable[object]) -> list[object]:
    """``values`` as a row for ``ws.append`` (normal or write-only sheet): every text a text cell."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, xml_text(value))
            cell.data_type = "s"  # text, never a formula
            row.append(cell)
        else:
            row.append(value)
    return row
