"""Write output files so that nothing is ever lost: all or nothing, never over an input or unasked.

:func:`check_output` refuses, before any work is done, an output whose extension is not its format's
(OUT-003), one that is an input of the same command (OUT-001, checked first: compared by resolved path and by
device and inode, so a symlink or hard link to the input counts too) and one that exists already
unless ``force`` (OUT-002). :func:`atomic_write` then writes into a temporary file in the output's own
folder, flushes it to disk (``fsync``) and renames it over the output in one step (``os.replace``;
without ``force``, ``os.link``, which refuses to replace a file that appeared meanwhile). A run killed
at any point leaves the old file or the complete new one, and at worst a hidden ``.~NAME.…tmp`` file;
a full disk or any other write failure is OUT-004 and leaves no partial output. A missing folder is
created.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from unionforms.core.errors import InputError
from unionforms.core.inputs import real_path
from unionforms.core.portable import held

#: The extensions each output format may be written with.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx",),
    "pdf": (".pdf",),
    "json": (".json",),
    "jsonl": (".jsonl",),
    "csv": (".csv",),
}

_TEMP_PREFIX = ".~"
_TEMP_SUFFIX = ".tmp"
_NOT_A_FILE = "输出路径是文件夹或设备 the output is a folder or a device"
_APPEARED = "the output appeared while it was being written"


def check_output(
    path: str | Path, *, kind: str, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Path:
    """``path`` as an output of format ``kind``, or InputError (OUT-001/002/003/004) saying why not."""
    target = Path(path)
    file = str(path)
    source = _among(target, inputs)
    if source is not None:
        raise InputError("OUT-001", input=str(source), file=file)
    allowed = SUFFIXES[kind]
    if target.suffix.lower() not in allowed:
        raise InputError("OUT-003", kind=kind, suffix=target.suffix or "—", expected=allowed[0], file=file)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise cannot_write(file, exc) from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                "OUT-004", reason="输出路径是文件夹或设备 the output is a folder or device", file=file
            )
        if not force:
            raise InputError("OUT-002", file=file)
    return target


def _among(target: Path, inputs: Iterable[str | Path]) -> str | Path | None:
    """The input that is the file ``target`` (by any path, link or hard link), if any.

    One ``stat`` an input (a bulk run has thousands): when the target exists, an input is it when it
    has the same device and inode; when it does not, only an input that does not exist either (a
    dangling link) can name it, by its real path.
    """
    try:
        st = os.stat(target)
    except (OSError, ValueError):
        st = None
    real: str | None = None
    for source in inputs:
        try:
            other = os.stat(source)
        except (OSError, ValueError):
            if st is None:
                real = real or real_path(target)
                if real_path(source) == real:
                    return source
            continue
        if st is not None and (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return source
    return None


@contextlib.contextmanager
def atomic_write(
    path: str | Path, *, kind: str, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` into; it becomes ``path`` only when the ``with`` block completes.

    The checks of :func:`check_output` apply. An exception in the block (or a failed write) removes the
    temporary file and leaves ``path`` as it was; a write failure (a full disk) is OUT-004.
    """
    target = check_output(path, kind=kind, force=force, inputs=inputs)
    file = str(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(
            dir=target.parent, prefix=f"{_TEMP_PREFIX}{_short(target.name)}.", suffix=_TEMP_SUFFIX
        )
    except OSError as exc:
        raise cannot_write(file, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, _mode(target))
        _commit(temp, target, force, file)
        _sync_folder(target.parent)
    except OSError as exc:
        raise cannot_write(file, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _short(name: str, limit: int = 160) -> str:
    """``name`` cut to ``limit`` bytes for the temporary file's name, which adds about 20 more: a long
    output name (81 Chinese characters is 243 bytes) never makes a name the file system refuses."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def write_bytes(
    path: str | Path, data: bytes, *, kind: str, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path, kind=kind, force=force, inputs=inputs) as fh:
        fh.write(data)
    return Path(path)


def _commit(temp: str, target: Path, force: bool, file: str) -> None:
    if force:
        try:
            os.replace(temp, target)
        except PermissionError as exc:
            if getattr(exc, "winerror", None) is not None and target.exists():  # Windows: open elsewhere
                raise InputError("OUT-006", detail=f"{type(exc).__name__}: {exc}", file=file) from None
            raise
        return
    try:
        os.link(temp, target)  # fails if the output appeared since it was checked: never clobber unasked
    except FileExistsError:
        raise InputError(
            "OUT-002", detail="it appeared while the output was being written", file=file
        ) from None
    except OSError as exc:
        no_links = exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)
        if not no_links and getattr(exc, "winerror", None) not in _NO_LINKS_WINDOWS:
            raise
        if target.exists():  # a file system without hard links (FAT on a USB stick)
            raise InputError("OUT-002", detail=_APPEARED, file=file) from None
        os.replace(temp, target)


#: Windows' codes for a volume that has no hard links (FAT, exFAT, a network share): invalid function,
#: not supported, access denied (a share that refuses the call).
_NO_LINKS_WINDOWS = frozenset({1, 5, 50})


def _mode(target: Path) -> int:
    """The mode the output gets: the replaced file's, else what a new file would get under the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk (where folders can be opened; not on every platform)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def cannot_write(file: str, exc: OSError) -> InputError:
    """OUT-004 for ``file``, saying in words (not errno text) why the system refused; OUT-006 when another
    program holds it open (Windows: Excel or WPS)."""
    detail = f"{type(exc).__name__}: {exc}"
    if held(exc):
        return InputError("OUT-006", detail=detail, file=file)
    return InputError("OUT-004", reason=_reason(exc), detail=detail, file=file)


def stdout_refused(exc: OSError) -> InputError:
    """OUT-005: the command's result could not be written to standard output, said as for a file."""
    return InputError("OUT-005", reason=_reason(exc), detail=f"{type(exc).__name__}: {exc}")


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, "系统拒绝写入 the system refused")


#: errno -> why a write failed, in both languages (the parameter of OUT-004; the OS's own words are detail).
_REASONS = {
    errno.ENOSPC: "磁盘已满 the disk is full",
    errno.EDQUOT: "磁盘配额已满 the disk quota is used up",
    errno.EFBIG: "文件超过系统允许的大小 the file is larger than this system allows",
    errno.EACCES: "没有写入权限 permission denied",
    errno.EPERM: "没有写入权限 permission denied",
    errno.EROFS: "磁盘只读 the disk is read-only",
    errno.ENOENT: "文件夹不存在 the folder does not exist",
}
