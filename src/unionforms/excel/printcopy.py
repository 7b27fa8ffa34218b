"""The copy of a filled workbook that goes to print: the same file without any on-screen colour.

The red and yellow marks of the live checks are conditional formats, the input cells are tinted cream,
and a copy returned for correction has its findings' cells marked and a first sheet 审核结果 listing
them. They help on screen but must not reach the sealed paper copy (``specs/excel-template.md`` §8,
§11). Excel and WPS leave colours out because the template prints in black and white (``pageSetup
blackAndWhite``); LibreOffice ignores that setting, so ``unionforms pdf`` prints this copy instead: every
worksheet's conditional formats removed, every cell fill of the style sheet made empty, and the
审核结果 sheet of an annotated copy hidden (its findings are those of when it was made; the live checks
print the current verdicts). Nothing else changes: the other parts are copied byte for byte, and the
input file is never touched.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from unionforms.core.outputs import cannot_write
from unionforms.excel.contract import ANNOTATION_SHEET
from unionforms.excel.safety import SafeZip

# A <conditionalFormatting> element (any prefix, e.g. x14:) cannot nest or be empty, so it is matched whole.
_CF_RE = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?conditionalFormatting\b.*?</(?:[A-Za-z0-9_]+:)?conditionalFormatting>", re.S
)


_FILLS_RE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?fills\b.*?</(?:[A-Za-z0-9_]+:)?fills>", re.S)
# Inside <fills>: a pattern or gradient fill, empty or with its colours.
_FILL_RE = re.compile(
    rb"<(?P<p>(?:[A-Za-z0-9_]+:)?)(?P<kind>patternFill|gradientFill)\b[^>]*?(?:/>|>.*?</(?P=p)(?P=kind)>)",
    re.S,
)
_NO_FILL = b'patternFill patternType="none"/>'
_SHEET_RE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?sheet\b[^>]*?/?>")
_NAME_RE = re.compile(rb'\bname="([^"]*)"')


def strip_check_colours(xml: bytes) -> bytes:
    """A worksheet part without its conditional formats."""
    return _CF_RE.sub(b"", xml)


def strip_fills(styles: bytes) -> bytes:
    """The style sheet with every cell fill empty: no input tint and no finding's mark on paper."""

    def empty(block: re.Match[bytes]) -> bytes:
        return _FILL_RE.sub(lambda m: b"<" + m.group("p") + _NO_FILL, block.group(0))

    return _FILLS_RE.sub(empty, styles)


def hide_annotation(workbook: bytes) -> bytes:
    """workbook.xml with the 审核结果 sheet of an annotated copy hidden, and the first visible sheet
    active (LibreOffice shows, and prints, an active sheet even when it is hidden)."""
    visible: list[bool] = []
    hidden: list[bool] = []

    def hide(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        name = _NAME_RE.search(tag)
        state = re.search(rb'\sstate="([^"]*)"', tag)
        shown = state is None or state.group(1) == b"visible"
        if name is None or html.unescape(name.group(1).decode("utf-8", "replace")) != ANNOTATION_SHEET:
            visible.append(shown)
            return tag
        visible.append(False)
        hidden.append(True)
        tag = re.sub(rb'\s+state="[^"]*"', b"", tag)
        return re.sub(rb"\s*/?>$", lambda end: b' state="hidden"' + end.group(0).lstrip(), tag)

    out = _SHEET_RE.sub(hide, workbook)
    if hidden and True in visible:
        active = str(visible.index(True)).encode()
        view = re.search(rb"<(?:[A-Za-z0-9_]+:)?workbookView\b[^>]*>", out)
        if view is not None:
            tag = re.sub(rb'\s(?:activeTab|firstSheet)="[^"]*"', b"", view.group(0))
            tag = re.sub(rb"\s*/?>$", lambda end: b' activeTab="' + active + b'"' + end.group(0), tag)
            out = out[: view.start()] + tag + out[view.end() :]
    return out


def write_print_copy(source: str | Path, target: str | Path) -> Path:
    """Write to ``target`` the workbook ``source`` without screen colours; returns ``target``.

    ``source`` is read within the reader's bounds (:class:`~.safety.SafeZip`): IN-001, IN-002 or IN-005
    when it cannot be, and IN-001 when ``target`` cannot be written.
    """
    target = Path(target)
    with SafeZip(source) as z:
        names = z.names()
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
                for name in names:
                    data = z.read(name)
                    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                        data = strip_check_colours(data)
                    elif name == "xl/styles.xml":
                        data = strip_fills(data)
                    elif name == "xl/workbook.xml":
                        data = hide_annotation(data)
                    out.writestr(name, data)
        except OSError as exc:
            raise cannot_write(str(target), exc) from None
    return target
