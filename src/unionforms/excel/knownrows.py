"""Prove a worksheet well-formed without parsing again the rows this process has proven before.

Returns of one form differ in their values only: two thirds of a filled template's ``sheetData`` are
rows byte for byte the same in every return (labels, rules, live checks). Well-formedness is made of
parts: element content that is a run of balanced, well-formed elements stays well-formed whatever run
of such elements stands beside it, in the same namespace context. So the rows are cut at their
``<row `` starts; a row proven before, under the same root element (which holds the namespace
declarations), is left out; the rest of the sheet, with the new rows, goes through the same defused
expat parser as ever. If that fails, the whole sheet is parsed again, so that the error is the very one
(and at the very place) the whole sheet gives.

Why a row left out is sound: every piece starts with the only ``<row`` start tag in it and ends with
``</row>`` (or is one self-closing ``<row …/>``). In a well-formed document whose pieces all have that
shape, the first piece starts at the content level of sheetData, so its final ``</row>`` can only close
its own row: it is balanced, and so (by induction) is every later one. A piece is remembered only when
every piece of the document parsed had that shape, no comment, CDATA section or processing instruction
was met, and no namespace is declared inside sheetData. Bounded: past :data:`MAX_KNOWN_BYTES` the
memory is cleared.
"""

from __future__ import annotations

import re
from typing import Protocol

from unionforms.core.errors import InputError
from unionforms.excel.safety import SafeZip, Target

#: Bytes of rows remembered, at most (a form's rows are some 100 KiB).
MAX_KNOWN_BYTES = 8 * 1024 * 1024

_ROOT_RE = re.compile(rb"""<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*>""")
_ROW = b"<row "

_known: dict[bytes, set[bytes]] = {}  # root start tag -> rows proven under it
_NONE: frozenset[bytes] = frozenset()
_known_bytes = 0


class Noting(Target, Protocol):
    """A parse target that notes comments, processing instructions and CDATA sections."""

    seen: bool


def check_sheet(
    zf: SafeZip, part: str, data: bytes, body: int, start: int, end: int, checked: int, target: Noting
) -> list[bytes] | None:
    """Parse ``data[:checked]`` for well-formedness (IN-028, IN-054 as ever), leaving out rows known.

    ``body``: where the root element starts; ``start``, ``end``: sheetData's content. Events go to
    ``target``; only rare ones may be handled (it sees the rows parsed now, not the rows left out, which
    had none). Returns the rows (each without its leading ``<row ``) when every one has the shape
    above, so each is a whole row whose cells lie within it; else None.
    """
    global _known_bytes
    root = _ROOT_RE.match(data, body)
    pieces = data[start:end].split(_ROW)
    new: list[bytes] | None = None
    if root is not None and not pieces[0].strip():
        known = _known.get(root[0], _NONE)
        new = [piece for piece in pieces[1:] if piece not in known]
    # The shape, piece by piece: each is one row (no other "<row" in it, so the pieces are exactly the
    # rows) that declares no namespace. A piece known has passed these checks already, so only the new
    # ones are looked at: the same verdict as over the whole of sheetData.
    if (
        root is None
        or new is None
        or not all(b"<row" not in piece and b"xmlns" not in piece and _shaped(piece) for piece in new)
    ):
        zf.parse(part, target, chunks=(data[:checked],), final=False)
        return None
    document = data[:start] + b"".join(_ROW + piece for piece in new) + data[end:checked]
    try:
        zf.parse(part, target, chunks=(document,), final=False)
    except InputError:
        zf.parse(part, target, chunks=(data[:checked],), final=False)  # the error as the sheet gives it
        raise  # pragma: no cover - the whole sheet fails where a part of it does
    if target.seen:
        return None
    if _known_bytes > MAX_KNOWN_BYTES:
        _known.clear()
        _known_bytes = 0
    _known.setdefault(root[0], set()).update(new)
    _known_bytes += sum(map(len, new))
    return pieces[1:]


def _shaped(piece: bytes) -> bool:
    """Whether a piece (after its ``<row ``) ends its row: ``…</row>``, or is one ``<row …/>``."""
    if piece.endswith(b"</row>"):
        return True
    tail = piece.rstrip()
    return tail.endswith(b"</row>") or (tail.endswith(b"/>") and b"<" not in tail)
