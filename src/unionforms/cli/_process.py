"""The ``unionforms`` console script as a process of its own: started and ended without needless work.

A command's start-up makes tens of thousands of objects that live as long as the process: modules,
classes, the forms of the registry. Python's cyclic collector, left on, walks them again and again while
they are made, and at the end the interpreter takes every module and object apart one by one; for a
command on one file the two cost more than reading and checking it. So the console script
(:func:`._app.run`):

- turns the collector off while it starts (:func:`defer_collection`);
- once the forms are loaded (:func:`collect_from_now`, called by ``Context.registry``), freezes what was
  made so far out of every later collection and turns the collector back on. The long part of a bulk
  run is collected as usual, and workers forked from then on share those objects' pages instead of
  copying them (what :func:`gc.freeze` is for);
- when the command has returned (its files written, closed and renamed into place), flushes its output
  and ends the process at once (:func:`end`), without the teardown.

It also makes the console safe (:func:`console_safe`): a character the console cannot encode (an emoji in
a 填报单位 on a cp936 console, any Chinese under an ASCII locale) is written as a ``\\uXXXX`` escape instead
of ending the command with UnicodeEncodeError; inside JSON that escape is the character itself.

:func:`..main` called from other code (tests, an embedding program) is untouched by all of this: the
collector is that program's, and so is its exit.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Any, NoReturn

_deferred = False


#: The codec error handler of the console streams (registered by :func:`console_safe`).
ESCAPE = "unionforms-escape"


def _escape(exc: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for each character that cannot be encoded (two, a surrogate pair, past U+FFFF): what
    JSON reads back as the character, and a reader of text can still look up."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start : exc.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), exc.end


def console_safe() -> None:
    """Have stdout and stderr escape what their encoding cannot hold, never raise on it."""
    import codecs
    import io

    codecs.register_error(ESCAPE, _escape)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=ESCAPE)


def quiet_unraisable() -> None:
    """No "Exception ignored … Traceback" beside a clear error: a workbook whose write failed (a full
    disk: OUT-004, said once) leaves openpyxl's ZipFile to be closed by the collector on a file already
    closed. Other unraisable exceptions are shown as Python shows them."""
    shown = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        where = getattr(unraisable.object, "__qualname__", "")
        if where == "ZipFile.__del__" and isinstance(unraisable.exc_value, (ValueError, OSError)):
            return
        shown(unraisable)

    sys.unraisablehook = hook


def defer_collection() -> None:
    """Turn the cyclic collector off for start-up (the console script only)."""
    global _deferred
    if gc.isenabled():
        gc.disable()
        _deferred = True


def collect_from_now() -> None:
    """Start-up is over: what it made is frozen out of later collections, and the collector is on again.
    Does nothing unless :func:`defer_collection` turned it off."""
    global _deferred
    if _deferred:
        _deferred = False
        gc.freeze()
        gc.enable()


def end(status: int) -> NoReturn:
    """Flush stdout and stderr and end the process with ``status``, without tearing it down.

    A reader that went away (``| head``) is not an error of ours; stdout that cannot be written (a full
    disk behind ``> file``) is OUT-005 on stderr and status 2, where the interpreter's own exit would
    print a traceback-like note and exit 120. A command that ended in status 2 has said why already
    (the same OUT-005, when stdout refused it while it ran): its leftover output is dropped unsaid.
    """
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away, or the stream was closed for it
        pass
    except OSError as exc:
        if status != 2:
            from unionforms.core.outputs import stdout_refused

            with contextlib.suppress(OSError):
                print(f"unionforms: {stdout_refused(exc)}", file=sys.stderr)
            status = 2
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(status)
