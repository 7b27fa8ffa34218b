"""Simulated Windows for the tests (``tests/test_winsim.py``, ``tests/test_workers.py``): on PYTHONPATH, it
makes this Python lack what Windows' Python lacks. The first part does what ``../shared/notes/winsim/
sitecustomize.py`` (measured and shared) does; the second simulates files held open by another program.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

# What Windows lacks: fork, the resource module, POSIX signals, O_NONBLOCK.
for _name in ("fork", "O_NONBLOCK", "O_NOCTTY", "killpg", "setsid", "getuid"):
    if hasattr(os, _name):
        delattr(os, _name)
for _name in ("SIGALRM", "SIGKILL", "ITIMER_REAL", "setitimer", "alarm"):
    if hasattr(signal, _name):
        delattr(signal, _name)


class _Block:
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name in ("resource", "fcntl", "termios", "pwd", "grp"):
            raise ImportError(f"No module named {name!r} (simulated Windows)")


sys.meta_path.insert(0, _Block())

# Files held open by another program (Excel, WPS): UNIONFORMS_SIM_HELD lists their names (os.pathsep
# between). Opening one fails as Windows fails it (a sharing violation, winerror 32), and so does
# replacing one (MoveFileEx: access denied, winerror 5).
_HELD = {n for n in os.environ.get("UNIONFORMS_SIM_HELD", "").split(os.pathsep) if n}
_open, _replace = os.open, os.replace


def _is_held(path: Any) -> bool:
    try:
        return os.path.basename(os.fsdecode(path)) in _HELD
    except TypeError:
        return False


def _refuse(path: Any, winerror: int, text: str) -> None:
    exc = PermissionError(13, text, os.fsdecode(path))
    exc.winerror = winerror  # type: ignore[attr-defined]
    raise exc


def _held_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
    if _is_held(path):
        _refuse(path, 32, "The process cannot access the file because it is being used by another process")
    return _open(path, flags, *args, **kwargs)


def _held_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
    if _is_held(dst):
        _refuse(dst, 5, "Access is denied")
    _replace(src, dst, *args, **kwargs)


if _HELD:
    os.open, os.replace = _held_open, _held_replace
