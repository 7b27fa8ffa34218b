"""The copy of a filled workbook that goes to print: the same file without the on-screen check colours.

The red and yellow marks of the live checks are conditional formats; they help the filler on screen but
must not reach the sealed paper copy. Excel and WPS leave them out because the template prints in black
and white (``pageSetup blackAndWhite``); LibreOffice ignores that setting, so ``unionforms pdf`` prints
this copy instead, in which every worksheet's conditional formats are removed. Nothing else changes: the
other parts are copied byte for byte, and the input file is never touched.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..outputs import cannot_write
from .safety import SafeZip

# A <conditionalFormatting> element (any prefix, e.g. x14:) cannot nest or be empty, so it is matched whole.
_CF_RE = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?conditionalFormatting\b.*?</(?:[A-Za-z0-9_]+:)?conditionalFormatting>", re.S
)


def strip_check_colours(xml: bytes) -> bytes:
    """A worksheet part without its conditional formats."""
    return _CF_RE.sub(b"", xml)


def write_print_copy(source: str | Path, target: str | Path) -> Path:
    """Write to ``target`` the workbook ``source`` without conditional formats; returns ``target``.

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
                    out.writestr(name, data)
        except OSError as exc:
            raise cannot_write(str(target), exc) from None
    return target
