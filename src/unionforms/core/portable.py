"""What differs between platforms in files: names valid everywhere, and a file held by another program.

A name the program makes (an output named after its input, a table's sheet, a folder found in a walk)
must be valid on Windows as well as on Linux and macOS: :func:`safe_name` turns the characters Windows
forbids (``<>:"/\\|?*``) into their full-width forms (``：`` reads as ``:`` to a Chinese user), control
characters and lone surrogates (but a file name's undecodable bytes) into ``_``, drops the trailing dots
and spaces Windows would drop, puts ``_`` before a device name (``CON``, ``PRN``, ``AUX``, ``NUL``,
``COM0``–``COM9``, ``LPT0``–``LPT9``, whatever its extension) and keeps a name within
:data:`MAX_NAME_BYTES` of UTF-8 (ext4 counts bytes, NTFS UTF-16 units: the byte bound is the tighter for
Chinese), leaving room for `` (2)`` and the temporary name of an atomic write. A name already valid is
returned unchanged.

:func:`held` tells a file that another program keeps others out of (Excel or WPS on Windows: a sharing
or lock violation) from other refusals, so that the user is told to close it there.
"""

from __future__ import annotations

import re
from pathlib import PurePath

#: Longest name made, in UTF-8 bytes: 255 (ext4, NTFS) less room for " (99)" and ".~NAME.xxxxxxxx.tmp".
MAX_NAME_BYTES = 200

_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in '<>:"/\\|?*'}
#: Lone surrogates but those of bytes a file name's encoding could not decode (``surrogateescape``:
#: U+DC80–U+DCFF, kept, so that the name is written back as the bytes it came as).
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\ud800-\udc7f\udd00-\udfff]')
_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")]
)

#: Windows' codes for a file another program holds: a sharing violation, a lock violation.
_HELD = frozenset({32, 33})


def safe_name(name: str) -> str:
    """``name`` as a file name valid on Windows, Linux and macOS (unchanged when it already is)."""
    name = _BAD.sub(lambda m: _FULL_WIDTH.get(m.group(), "_"), name).rstrip(" .")
    if not name:
        return "_"
    if name.split(".")[0].rstrip(" ").upper() in _DEVICES:
        name = "_" + name
    if _size(name) <= MAX_NAME_BYTES:
        return name
    suffix = PurePath(name).suffix
    if _size(suffix) > 16:  # not an extension: a dot in a long name
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    room = MAX_NAME_BYTES - _size(suffix)
    while _size(stem) > room:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "_") + suffix


def _size(name: str) -> int:
    """The length of ``name`` in UTF-8 bytes (an undecodable byte kept as a surrogate counts one)."""
    return len(name.encode("utf-8", "surrogateescape"))


def safe_relative(path: PurePath) -> PurePath:
    """A relative path with every part a :func:`safe_name` (``..`` and ``.`` parts kept)."""
    parts = [p if p in (".", "..") else safe_name(p) for p in path.parts]
    return type(path)(*parts) if parts else path


def held(exc: OSError) -> bool:
    """Whether ``exc`` says another program holds the file and keeps others out (Windows' sharing or lock
    violation; where there is no ``winerror``, never)."""
    return getattr(exc, "winerror", None) in _HELD
