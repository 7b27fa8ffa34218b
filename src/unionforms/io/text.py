"""Read a text file as a person saved it: UTF-8, UTF-16 (with or without a BOM) or GBK/GB18030.

Chinese Windows tools save text as GBK (Notepad before 2019, many exports) or UTF-16 ("Unicode" in
Notepad, LibreOffice's "Unicode" CSV); both are read. :func:`text_encoding` is the one detector, for a
report (:func:`decode`), a 名录 and a CSV table (:mod:`.tables`, streamed) alike: a byte-order mark, the
NUL bytes UTF-16 puts beside ASCII (a JSON text and a CSV header start with ASCII), else UTF-8 when every
byte decodes as UTF-8, else GB18030, of which GBK is a subset. A report in none of them is IN-012; the
codec's own words are kept as the error's ``detail``. The bytes come from
:func:`unionforms.core.inputs.read_input` or :func:`~unionforms.core.inputs.open_input`, which bound the file.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

from unionforms.core.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_of(data: bytes) -> str | None:
    """The encoding a BOM or UTF-16's NUL pattern at the start of ``data`` shows, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return "utf-16-le"
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be"
    return None


def text_encoding(chunks: Iterable[bytes]) -> str:
    """The encoding of a text that arrives in ``chunks`` (the whole of it, or a file read piece by piece):
    the one its first bytes show (:func:`encoding_of`), else UTF-8 when all of it decodes as UTF-8 (read
    only as far as the first byte that does not), else GB18030."""
    pieces = iter(chunks)
    first = b""
    for chunk in pieces:  # a BOM is up to 4 bytes, whatever the size of the first chunk
        first += chunk
        if len(first) >= 4:
            break
    found = encoding_of(first)
    if found is not None:
        return found
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(first)
        for chunk in pieces:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode(data: bytes, file: str) -> str:
    """``data`` as text in the encoding it was saved in; IN-012 when it is none that people use."""
    try:
        return data.decode(text_encoding((data,)))
    except UnicodeDecodeError as exc:
        detail = f"{exc.encoding}: {exc.reason} at byte {exc.start}"
        raise InputError("IN-012", detail=detail, file=file) from None
