"""Bound every input before it is read: only regular files, a size limit, a time and memory budget.

A path may name anything: a FIFO (reading it would wait forever), a device (``/dev/zero`` never ends),
a socket, a folder, or a symlink to any of these. :func:`open_input` opens the path without blocking
(``O_NONBLOCK``, so a FIFO with no writer does not hang the open), then asks the open descriptor what it
is (``fstat``, so a symlink swapped after a check cannot fool it): only a regular file no larger than the
limit is read. Everything else is an :class:`~unionforms.errors.InputError` naming the file: IN-001 (no
such file), IN-010 (cannot be read, a folder), IN-090 (a pipe, device or socket) or IN-091 (too large).

:func:`bounded` runs one read in a forked child process under a time and memory budget, so that a
file which defeats every other bound (a parser spinning, memory growing) costs at most the budget and
becomes IN-092 (time) or IN-093 (memory) for that file alone; bulk runs call it once per file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import resource
import select
import signal
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import attrs

from .errors import InputError, UnionformsError

#: Largest report JSON read (a real one is a few KiB: a hundred fields and a header).
MAX_JSON_BYTES = 1024 * 1024
#: Largest workbook file read (a filled template is about 20 KiB).
MAX_WORKBOOK_BYTES = 32 * 1024 * 1024
#: Seconds one file may take in a bulk run (a real file takes well under a second).
BUDGET_SECONDS = 30
#: Memory one file may take in a bulk run, above what the process already used.
BUDGET_MEMORY = 1024 * 1024 * 1024

T = TypeVar("T")

#: What a path that is not a regular file is, in both languages (the parameter of IN-090).
_KINDS = {
    stat.S_IFIFO: "命名管道 a named pipe (FIFO)",
    stat.S_IFCHR: "设备 a device",
    stat.S_IFBLK: "设备 a device",
    stat.S_IFSOCK: "套接字 a socket",
}


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def too_large(file: str, size: int, limit: int) -> InputError:
    """IN-091 for a file of ``size`` bytes over ``limit``."""
    return InputError("IN-091", size=size, limit=limit, file=file)


def open_input(path: str | Path, *, limit: int) -> BinaryIO:
    """The regular file at ``path``, opened for reading; IN-010/IN-090 if it is not one, IN-091 if too big."""
    file = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
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
    code = "IN-001" if exc.errno == errno.ENOENT else "IN-010"
    return InputError(code, detail=f"{type(exc).__name__}: {exc}", file=file)


# --- the per-file budget -------------------------------------------------------------------------


@attrs.frozen
class Budget:
    """How long (seconds, wall clock) and how much memory (bytes over the parent's) one file may take."""

    seconds: float = attrs.field(default=BUDGET_SECONDS, validator=attrs.validators.gt(0))
    memory: int = attrs.field(default=BUDGET_MEMORY, validator=attrs.validators.gt(0))


@attrs.frozen
class Usage:
    """What a bounded call cost: wall-clock seconds and the child's peak resident memory in bytes."""

    seconds: float
    peak_memory: int


def bounded(
    fn: Callable[[], T], *, file: str, budget: Budget | None = None, usage: list[Usage] | None = None
) -> T:
    """``fn()`` run in a forked child under ``budget``; its result (pickled back) or its UnionformsError.

    Past the time budget the child is killed (IN-092); past the memory budget its allocations fail
    (IN-093, as is a child that dies any other way). Any other exception of ``fn`` is IN-094 for
    ``file``: an input never ends a run. The result must be picklable. Where ``fork`` is unavailable,
    ``fn`` runs in this process without a budget. ``usage``, when given, receives what the call cost.
    """
    budget = budget or Budget()
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return cast(T, _settle(_outcome(fn), file, budget))
    read_end, write_end = os.pipe()
    started = time.monotonic()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(fn, write_end, budget)
    os.close(write_end)
    data, timed_out = _collect(read_end, started + budget.seconds)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status, rusage = os.wait4(pid, 0)
    if usage is not None:
        usage.append(Usage(time.monotonic() - started, int(rusage.ru_maxrss) * 1024))
    if timed_out:
        raise InputError("IN-092", seconds=f"{budget.seconds:g}", file=file)
    try:
        outcome = pickle.loads(data) if data else None
    except Exception:  # a child killed while writing
        outcome = None
    if not isinstance(outcome, tuple) or len(outcome) != 2:
        how = f"signal {-os.waitstatus_to_exitcode(status)}" if os.WIFSIGNALED(status) else "无结果 no result"
        raise InputError("IN-093", memory=_mib(budget.memory), how=how, file=file)
    return cast(T, _settle(outcome, file, budget))


def _child(fn: Callable[[], object], fd: int, budget: Budget) -> None:
    code = 0
    try:
        used = _address_space()
        if used:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_AS, (used + budget.memory, used + budget.memory))
        outcome = _outcome(fn)
        try:
            data = pickle.dumps(outcome)
        except Exception as exc:
            data = pickle.dumps(("internal", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _outcome(fn: Callable[[], T]) -> tuple[str, object]:
    try:
        return ("ok", fn())
    except UnionformsError as exc:
        return ("error", (type(exc), dict(vars(exc))))
    except MemoryError:
        return ("memory", None)
    except RecursionError:
        return ("memory", None)
    except Exception as exc:
        return ("internal", f"{type(exc).__name__}: {exc}")


def _settle(outcome: tuple[str, object], file: str, budget: Budget) -> Any:
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "error":
        cls, state = cast(tuple[type[UnionformsError], dict[str, object]], value)
        exc = cls.__new__(cls)
        exc.__dict__.update(state)
        Exception.__init__(exc, str(exc))
        raise exc
    if kind == "memory":
        raise InputError("IN-093", memory=_mib(budget.memory), how="MemoryError", file=file)
    raise InputError("IN-094", detail=str(value), file=file)


def _collect(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything written to ``fd`` until it closes, or (what came, True) at ``deadline``."""
    chunks: list[bytes] = []
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), True
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = pipe.read(1 << 16)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _address_space() -> int:
    """This process's virtual memory size in bytes (its RLIMIT_AS usage)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0
