"""One place where commands print: text or JSON on stdout, notes and progress on stderr.

Text from files (a unit's name, a cell's content) may hold control characters or terminal escapes; every
line is made safe before it is printed, so a file can never drive the terminal. Progress is drawn only
when stderr is a terminal and ``--quiet`` is not given.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Protocol, TextIO

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def safe(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), never sent raw to a terminal, and
    bytes of a file name that are not UTF-8 as ``\\x80`` (:mod:`unionforms.core.textsafe`)."""
    from unionforms.core.textsafe import unicode_text

    shown = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else "\\u2028", text)
    return unicode_text(shown)


class Writable(Protocol):
    """What the result is written to: a text stream."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class _Stdout:
    """The command's stdout: a write the system refuses (a full disk behind ``> file``) is OUT-005, and
    nothing more is written to it; a reader that went away stays BrokenPipeError, which ``main`` ends
    quietly on."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.refused = False

    def write(self, text: str) -> object:
        return self._do(self.stream.write, text)

    def flush(self) -> object:
        return self._do(self.stream.flush)

    def _do(self, action: Callable[..., object], *args: object) -> object:
        if self.refused:
            return None
        try:
            return action(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            from unionforms.core.outputs import stdout_refused

            self.refused = True
            raise stdout_refused(exc) from None


class Output:
    """Prints a command's result as text or as JSON, its notes to stderr, and an optional progress bar."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        quiet: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self.stdout: Writable = _Stdout(stdout or sys.stdout)
        self.stderr = stderr or sys.stderr

    def result(self, data: object, text: str | Callable[[], str] | None = None) -> None:
        """The command's result: ``data`` as JSON with ``--json``, else ``text`` (or nothing)."""
        if self.json_mode:
            import json  # only for --json: text output need not load it (nor its patterns)

            from unionforms.core.textsafe import json_text

            print(json_text(json.dumps(data, ensure_ascii=False, indent=2)), file=self.stdout)
            return
        shown = text() if callable(text) else text
        if shown:
            print(safe(shown), file=self.stdout)

    def stream(self, data: object) -> None:
        """The command's JSON result (``--json`` only), written piece by piece (:mod:`..io.jsonstream`)."""
        from unionforms.core.textsafe import json_text
        from unionforms.io.jsonstream import chunks

        for chunk in chunks(data):
            self.stdout.write(json_text(chunk))
        self.stdout.write("\n")
        self.stdout.flush()

    def line(self, text: str) -> None:
        """A line of text output (not in JSON mode, where the result carries everything)."""
        if not self.json_mode:
            print(safe(text), file=self.stdout)

    def warn(self, text: str) -> None:
        """A note for the person at the terminal, on stderr (shown in JSON mode too)."""
        print(safe(text), file=self.stderr)

    def note(self, text: str) -> None:
        """A summary or confirmation on stderr; left out with ``--quiet``."""
        if not self.quiet:
            print(safe(text), file=self.stderr)

    def json_list(self, key: str) -> JsonList:
        """Start the JSON result ``{key: [...], ...}`` to be printed item by item (``--json`` only)."""
        return JsonList(self.stdout, key)

    def progress(self, total: int, label: str = "") -> ProgressBar:
        """A progress bar on stderr for ``total`` steps; silent unless stderr is a terminal."""
        live = not self.quiet and total > 1 and hasattr(self.stderr, "isatty") and self.stderr.isatty()
        return ProgressBar(self.stderr if live else None, total, label)


class ProgressBar:
    """A one-line progress bar, redrawn in place; a no-op when not drawn to a terminal."""

    def __init__(self, stream: TextIO | None, total: int, label: str) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self._shown = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.stream is None:
            return
        percent = self.done * 100 // self.total
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r{self.label} [{bar:<25}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self._shown >= 0:
            self.stream.write("\r" + " " * (len(self.label) + 40) + "\r")
            self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JsonList:
    """One JSON object whose ``key`` list is printed item by item, one item a line, so that a bulk run
    keeps nothing (and a line-oriented tool can take one item at a time).

    ``close(rest)`` ends the list and adds the other keys (e.g. a summary known only at the end).
    """

    def __init__(self, stream: Writable, key: str) -> None:
        import json  # here and below: only for --json, text output need not load it

        self.stream = stream
        self.count = 0
        stream.write("{" + json.dumps(key) + ": [")

    def add(self, item: object) -> None:
        from unionforms.core.textsafe import json_text
        from unionforms.io.jsonstream import compact  # only for --json

        text = json_text(compact(item))  # no indent: the C encoder, several times faster
        self.stream.write(("," if self.count else "") + "\n    " + text)
        self.count += 1

    def close(self, rest: dict[str, object]) -> None:
        import json

        parts = [(json.dumps(k), json.dumps(v, ensure_ascii=False, indent=2)) for k, v in rest.items()]
        tail = "".join(f",\n  {k}: {v.replace(chr(10), chr(10) + '  ')}" for k, v in parts)
        from unionforms.core.textsafe import json_text

        self.stream.write(json_text(("\n  ]" if self.count else "]") + tail + "\n}\n"))
        self.stream.flush()
