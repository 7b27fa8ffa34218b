"""Text into a workbook people open, safely: one way for every sheet we write for people.

Text from files (a 填报单位, a file name, a reason quoting them) is written as a text cell, never as a
formula, whatever it starts with (``=HYPERLINK(…)`` stays text), and the characters XML cannot hold (a
vertical tab pasted from Word, a file name's undecodable bytes) are shown as escapes
(:func:`unionforms.core.textsafe.xml_text`) instead of stopping the write. The export's tables keep their own
reversible escapes (:mod:`unionforms.io.writers`), since they are read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from unionforms.core.textsafe import xml_text


def text_cell(ws: Any, text: str) -> Any:
    """A cell of ``ws`` (normal or write-only) holding ``text`` as text: never a formula, XML-safe."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, xml_text(text))
    cell.data_type = "s"  # text, never a formula, whatever it starts with
    return cell


def text_row(ws: Any, values: Iterable[object]) -> list[object]:
    """``values`` as a row for ``ws.append``: every text a :func:`text_cell`."""
    return [text_cell(ws, value) if isinstance(value, str) else value for value in values]
