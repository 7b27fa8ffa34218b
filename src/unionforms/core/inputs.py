"""Bound every input before it is read: only regular files, and a size limit.

A path may name anything: a FIFO (reading it would wait forever), a device (``/dev/zero`` never ends,
``NUL`` or ``CON`` on Windows), a socket, a folder, or a symlink to any of these. :func:`open_input` opens
the path without blocking (``O_NONBLOCK``, so a FIFO with no writer does not hang the open), then asks the
open descriptor what it is (``fstat``, so a symlink swapped after a check cannot fool it): only a regular
file no larger than the limit is read. Where ``O_NONBLOCK`` is missing (Windows, where a FIFO cannot be
a file) the path is asked first (``stat``), so that nothing but a regular file is ever opened; the file
is opened in binary mode (``O_BINARY``, else Windows would turn CR LF into LF). A file another program
holds locked (Excel or WPS on Windows) is IN-017, saying to close it there.

Everything else is an :class:`~unionforms.core.errors.InputError` naming the file: IN-001 (no such file),
IN-010 (cannot be read, a folder), IN-090 (a pipe, device or socket) or IN-091 (too large).

A file which defeats every other bound (a parser spinning, memory growing) is stopped by the time and
memory budget each input of a bulk run gets in its worker process (:mod:`unionforms.collect.workers`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from unionforms.core.errors import InputError
from unionforms.core.portable import held

#: Largest report JSON read. A return is a few KiB, but a total carries its provenance, one entry of
#: about 150 bytes for every return below it at every level: 32 MiB holds some 200,000 (a national total
#: of every county's returns is about 100,000), and parses well within a worker's memory budget.
MAX_JSON_BYTES = 32 * 1024 * 1024
#: Largest workbook file read (a filled template is about 20 KiB).
MAX_WORKBOOK_BYTES = 32 * 1024 * 1024

#: What a path that is not a regular file is, in both languages (the parameter of IN-090).
_KINDS = {
    stat.S_IFIFO: "命名管道 a named pipe (FIFO)",
    stat.S_IFCHR: "设备 a device",
    stat.S_IFBLK: "设备 a device",
    stat.S_IFSOCK: "套接字 a socket",
}


#: Flags every input is opened with beside O_RDONLY, where the platform has them.
_FLAGS = getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _refuse_special(path: str | Path, file: str) -> None:
    """IN-010/IN-090 before opening a path that is not a regular file (a folder is left to ``open``)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # opening it says why
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    raise InputError("IN-090", kind=_KINDS.get(stat.S_IFMT(mode), "特殊文件 a special file"), file=file)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def too_large(file: str, size: int, limit: int) -> InputError:
    """IN-091 for a file of ``size`` bytes over ``limit``."""
    return InputError("IN-091", size=size, limit=limit, file=file)


def open_input(path: str | Path, *, limit: int) -> BinaryIO:
    """The regular file at ``path``, opened for reading; IN-010/IN-090 if it is not one, IN-091 if too big."""
    file = str(path)
    nonblock = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblock | _FLAGS
    try:
        if not nonblock:  # nothing that could block the open is opened (a FIFO where it can exist)
            _refuse_special(path, file)
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket (or a device with no driver) cannot even be opened
            with contextlib.suppress(OSError):
                kind = _KINDS.get(stat.S_IFMT(os.stat(path).st_mode))
                if kind:
                    raise InputError("IN-090", kind=kind, detail=str(exc), file=file) from None
        raise unreadable(file, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise unreadable(file, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), file))
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "特殊文件 a special file")
            raise InputError("IN-090", kind=kind, file=file)
        if st.st_size > limit:
            raise too_large(file, st.st_size, limit)
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, *, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them (the file may grow meanwhile)."""
    file = str(path)
    with open_input(path, limit=limit) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise unreadable(file, exc) from None
    if len(data) > limit:
        raise too_large(file, len(data), limit)
    return data


def unreadable(file: str, exc: OSError) -> InputError:
    """IN-001 for a file that does not exist, IN-010 for one that cannot be read; the OS's words as detail."""
    if held(exc):
        return InputError("IN-017", detail=f"{type(exc).__name__}: {exc}", file=file)
    code = "IN-001" if exc.errno == errno.ENOENT else "IN-010"
    return InputError(code, detail=f"{type(exc).__name__}: {exc}", file=file)


def real_path(path: str | Path) -> str:
    """``os.path.realpath``, or the absolute path where a link cannot be read (``/proc/1/cwd``)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)
