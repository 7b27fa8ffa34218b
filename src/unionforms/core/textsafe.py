"""Untrusted text (file names, 填报单位, explanations) made safe for where people read it.

A file name is data: it may hold any byte (Python shows bytes that are not UTF-8 as lone surrogates,
``\\udc80`` … ``\\udcff``), control characters, a newline, an escape sequence. Each function here shows
what cannot travel as a visible escape, so that nothing is lost and nothing breaks or forges output:

- :func:`one_line`: a name inside a line of text (control characters, newlines and tabs included);
- :func:`unicode_text`: text for a format that escapes its own control characters (JSON, CSV): only
  what is not Unicode (lone surrogates) is escaped, so the output is valid UTF-8;
- :func:`xml_text`: text for a workbook cell: also the characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import re

_SURROGATE = "\ud800-\udfff"
_LINE_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_SURROGATE}]")
_UNICODE_RE = re.compile(f"[{_SURROGATE}]")
_XML_RE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff{_SURROGATE}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` with control characters, line breaks, tabs and non-Unicode shown as escapes."""
    return _LINE_RE.sub(_shown, text)


def unicode_text(text: str) -> str:
    """``text`` as valid Unicode: lone surrogates shown as escapes (``\\x80`` for an undecodable byte)."""
    return _UNICODE_RE.sub(_shown, text)


def xml_text(text: str) -> str:
    """``text`` as a workbook cell can hold it: characters XML cannot hold shown as escapes."""
    return _XML_RE.sub(_shown, text)


def json_text(dumped: str) -> str:
    """A JSON document (``json.dumps(..., ensure_ascii=False)``) as valid UTF-8: a lone surrogate in one
    of its strings shown as an escape, itself escaped for JSON (the string then reads ``\\x80``)."""
    return _UNICODE_RE.sub(lambda m: _shown(m).replace("\\", "\\\\"), dumped)
