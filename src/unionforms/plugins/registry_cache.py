"""The installed forms, kept on disk between runs, so that a command does not load every plugin each time.

Loading the registry finds the entry points, imports the plugins and parses every form definition and
rule: most of the start-up of a command that writes nothing. A cold load records every file it opens
and every folder it lists (through an audit hook, :func:`sys.addaudithook`: the installed distributions'
metadata, the plugins' modules, their definition files and whatever else they read), and the forms it
gave are pickled, each on its own, beside those paths' sizes and modification times (a command unpickles
only the forms it uses: :class:`unionforms.plugins.registry.Registry`). A later run uses the forms only if
every recorded path is unchanged, and the Python, the environment (``sys.prefix``) and ``sys.path`` are
the same; installing, upgrading or removing a distribution changes the folders it is in.

Only a load that met no problem is kept: a broken plugin is loaded, and reported, every run. A cache that
cannot be read, is stale, was written by another user or by another format is ignored and rewritten; it
is written atomically (a temporary file renamed over it), so that a reader never sees half a file. The
cache is a convenience and never a source of truth: deleting the folder is always safe.

Where: ``$UNIONFORMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/unionforms``, else ``~/.cache/unionforms``.
``UNIONFORMS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unionforms.core.model import Form

#: Bumped whenever what the cache file holds changes shape (2: each form pickled on its own; 3: marks;
#: 4: the modules moved into sub-packages, and pickled classes name them).
FORMAT = 4

#: A path's state: (size, modification time in ns) for a file, (-1, mtime) for a folder, None if absent.
Signature = tuple[int, int] | None


def directory() -> Path | None:
    """Where the cache lives, or None when ``UNIONFORMS_NO_CACHE`` is set (to anything but ``0`` or empty)."""
    if os.environ.get("UNIONFORMS_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("UNIONFORMS_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative (which the XDG specification says to ignore)
        home = os.path.expanduser("~")
        if not os.path.isabs(home):  # no home folder known: no cache, rather than one in the working folder
            return None
        base = os.path.join(home, ".cache")
    return Path(base, "unionforms")


#: Cache files kept in the folder: one per environment, group and ``sys.path``; the oldest go first.
KEEP = 16


def _context(group: str) -> tuple[object, ...]:
    """What must be equal for a cache to apply: its format, the Python, the environment and its path."""
    return (FORMAT, sys.version, sys.prefix, group, tuple(os.path.abspath(p) for p in sys.path))


def _file(folder: Path, group: str) -> Path:
    """One file per context, so that two environments (or a script and the command, whose ``sys.path``
    differ in its first entry) never overwrite each other's."""
    name = zlib.crc32(repr(_context(group)).encode())  # a clash costs a reload: the file holds its context
    return folder / f"registry-{name:08x}.pickle"


def signature(path: str) -> Signature:
    """The size and modification time of ``path`` (a file or a folder), None if it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (-1 if stat.S_ISDIR(st.st_mode) else st.st_size, st.st_mtime_ns)


def load_cached(group: str) -> dict[str, bytes] | None:
    """The cached forms of ``group``, each still pickled (by id), if the cache is there, ours, readable
    and up to date; else None. A command unpickles the forms it uses only."""
    folder = directory()
    if folder is None:
        return None
    try:
        with open(_file(folder, group), "rb") as fh:
            uid = getattr(os, "getuid", None)
            if uid is not None and os.fstat(fh.fileno()).st_uid != uid():  # never unpickle another's file
                return None
            context, paths = pickle.load(fh)
            if context != _context(group):
                return None
            if any(signature(path) != known for path, known in paths):
                return None
            forms = pickle.load(fh)
    except Exception:  # missing, unreadable, corrupt or from other code: load the plugins instead
        return None
    if not isinstance(forms, dict) or not all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in forms.items()
    ):
        return None
    return forms


def save(
    group: str,
    forms: Mapping[str, Form],
    touched: Mapping[str, Signature],
    also: Iterable[str] = (),
    marks: Iterable[str] = (),
) -> None:
    """Keep ``forms`` for ``group``, valid while the ``touched`` paths keep the signatures they had when
    the load met them, and the modules of unionforms and the files ``also`` (the plugins' modules) their
    present ones. ``marks`` are kept as keys beside the forms' ids (what the load found besides forms,
    such as a plugin that adjusts templates); :func:`load` gives them back among the ids. Nothing is
    kept if a touched path changed while the load ran (an edit, an install, or the load's own byte code
    written beside a module: the next load, which finds it, is kept), nor if the cache cannot be
    written."""
    folder = directory()
    if folder is None or any(signature(path) != known for path, known in touched.items()):
        return
    import tempfile

    paths = dict(touched)
    for path in (*also, *_module_files()):
        paths.setdefault(os.path.abspath(path), signature(path))
    header = (_context(group), sorted(paths.items()))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".registry-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickled = {k: pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL) for k, f in forms.items()}
                pickled.update(dict.fromkeys(marks, b""))
                pickle.dump(pickled, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, _file(folder, group))
        except BaseException:
            os.unlink(temp)
            raise
        _prune(folder)
    except Exception:  # a read-only home, a full disk, an unpicklable form: the cache is only a convenience
        return


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP` most recently written cache files."""
    files = sorted(folder.glob("registry-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


def _module_files() -> Iterator[str]:
    """The source of every module of unionforms loaded now: the code the pickled forms are made of."""
    for name, module in list(sys.modules.items()):
        if name == "unionforms" or name.startswith("unionforms."):
            path = getattr(module, "__file__", None)
            if path:
                yield path


# --- recording what a load touches ----------------------------------------------------------------


class Recording:
    """The files opened and folders listed within :func:`recording`, each with its signature when first
    met, before it was read, so that :func:`save` can tell one that changed while the load ran.
    ``complete`` is False if a path could not be told (the load is then not cached)."""

    def __init__(self) -> None:
        self.paths: dict[str, Signature] = {}
        self.complete = True


_recordings: list[Recording] = []
_hooked = False
_EVENTS = frozenset(("open", "os.listdir", "os.scandir"))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _recordings or event not in _EVENTS:
        return
    try:  # never fail what is audited, never import here (the hook runs inside imports)
        names = _names(args[0] if args else None)
    except Exception:
        names = None
    for active in _recordings:
        if names is None:
            active.complete = False
            continue
        for name in names:
            if name not in active.paths:
                active.paths[name] = signature(name)  # os.stat raises no audit event: no recursion


def _names(path: Any) -> list[str]:
    if path is None or isinstance(path, int):  # a file descriptor: its path was recorded when opened
        return []
    name = os.path.abspath(os.fsdecode(path))
    if not name.endswith(".pyc"):
        return [name]
    try:  # a module imported from its byte code: its source is what gets edited
        return [name, _source_from_cache(name)]
    except ValueError:  # a module without source: the .pyc is the module
        return [name]


def _source_from_cache(path: str) -> str:  # replaced by importlib.util's when recording starts
    raise ValueError(path)


@contextmanager
def recording() -> Iterator[Recording]:
    """Within the block, every file opened and every folder listed (in this process) is recorded."""
    global _hooked, _source_from_cache
    if not _hooked:  # an audit hook cannot be removed: one per process, idle outside a recording
        from importlib.util import source_from_cache

        _source_from_cache = source_from_cache
        sys.addaudithook(_audit)
        _hooked = True
    active = Recording()
    _recordings.append(active)
    try:
        yield active
    finally:
        _recordings.remove(active)
