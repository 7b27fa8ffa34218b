"""Read a text file as a person saved it: UTF-8, UTF-16 (with or without a BOM) or GBK/GB18030.

Chinese Windows tools save text as GBK (Notepad before 2019, many exports) or UTF-16 ("Unicode" in
Notepad); both are read. The encoding is found from a byte-order mark, from the NUL bytes UTF-16 puts
beside ASCII (a JSON text starts with ASCII), else by trying UTF-8 and then GB18030, of which GBK is a
subset. Anything else is IN-012; the codec's own words are kept as the error's ``detail``. The bytes
come from :func:`unionforms.inputs.read_input`, which bounds the file before reading it.
"""

from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_of(data: bytes) -> str | None:
    """The encoding a BOM or UTF-16's NUL pattern shows, or None (try UTF-8, then GB18030)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return "utf-16-le"
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be"
    return None


def decode(data: bytes, file: str) -> str:
    """``data`` as text in the encoding it was saved in; IN-012 when it is none that people use."""
    found = encoding_of(data)
    tried = (found,) if found else ("utf-8", "gb18030")
    for name in tried:
        try:
            return data.decode(name)
        except UnicodeDecodeError as exc:
            last = exc
    raise InputError("IN-012", detail=f"{last.encoding}: {last.reason} at byte {last.start}", file=file)
