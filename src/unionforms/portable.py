"""What differs between platforms in files: names valid everywhere, and a file held by another program.

A name the program makes (an output named after its input, a table's sheet, a folder found in a walk)
must be valid on Windows as well as on Linux and macOS: :func:`safe_name` turns the characters Windows
forbids (``<>:"/\\|?*``) into their full-width forms (``：`` reads as ``:`` to a Chinese user), control
characters and lone surrogates into ``_``, drops the trailing dots and spaces Windows would drop, puts
``_`` before a device name (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM0``–``COM9``, ``LPT0``–``LPT9``,
whatever its extension) and keeps a name within :data:`MAX_NAME_BYTES` of UTF-8 (ext4 counts bytes,
NTFS UTF-16 units: the byte bound is the tighter for Chinese), leaving room for `` (2)`` and the
temporary name of an atomic write. A name already valid is returned unchanged.

:func:`held` tells a file that another program keeps others out of (Excel or WPS on Windows: a sharing
or lock violation) from other refusals, so that the user is told to close it there.
"""

from __future__ import annotations

import re
from pathlib import PurePath

#: Longest name made, in UTF-8 bytes: 255 (ext4, NTFS) less room for " (99)" and ".~NAME.xxxxxxxx.tmp".
MAX_NAME_BYTES = 200

_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in '<>:"/\\|?*'}
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\ud800-\udfff]')
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
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    suffix = PurePath(name).suffix
    if len(suffix.encode("utf-8")) > 16:  # not an extension: a dot in a long name
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") or "_"
    return stem + suffix


def safe_relative(path: PurePath) -> PurePath:
    """A relative path with every part a :func:`safe_name` (``..`` and ``.`` parts kept)."""
    parts = [p if p in (".", "..") else safe_name(p) for p in path.parts]
    return type(path)(*parts) if parts else path


def held(exc: OSError) -> bool:
    """Whether ``exc`` says another program holds the file and keeps others out (Windows' sharing or lock
    violation; where there is no ``winerror``, never)."""
    return getattr(exc, "winerror", None) in _HELD
