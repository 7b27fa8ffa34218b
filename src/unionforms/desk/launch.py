"""Starting the desk: bind to 127.0.0.1, print the address with its key, open the browser, serve.

``unionforms serve`` calls :func:`serve`; the gui script ``unionforms-desk`` (a double-click start,
without a console window on Windows) calls :func:`desk`, which takes the round folder from its first
argument or uses 文档/统计报表 in the home folder.
"""

from __future__ import annotations

import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unionforms.desk.guard import Guard
from unionforms.desk.workspace import ROSTER, Workspace

if TYPE_CHECKING:
    from unionforms.collect.roster import Roster
    from unionforms.plugins.registry import Registry


class Desk:
    """A running desk: its server (already bound), its address with the key, and its workspace."""

    def __init__(self, workspace: Workspace, *, port: int = 0) -> None:
        import logging

        from werkzeug.serving import make_server

        from unionforms.desk.app import create_app

        self.workspace = workspace
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the console
        self.server = make_server("127.0.0.1", port, _unready, threaded=True)
        self.guard = Guard(port=self.server.server_port)
        self.app = create_app(workspace, self.guard)
        self.server.app = self.app
        self.url = f"http://127.0.0.1:{self.server.server_port}/?token={self.guard.key}"

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, the gui script); ``server.shutdown()`` ends it."""
        thread = threading.Thread(target=self.server.serve_forever, name="unionforms-desk", daemon=True)
        thread.start()
        return thread


def _unready(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def open_desk(
    root: str | Path, registry: Registry, *, roster: Roster | None = None, port: int = 0, **options: Any
) -> Desk:
    """The desk of the round folder ``root``, its check started (its 名录: ``roster``, else 名录.xlsx in
    the folder when there is one)."""
    from unionforms.collect.roster import load_roster

    workspace = Workspace.open(root, registry, **options)
    if roster is None and (workspace.root / ROSTER).is_file():
        roster = load_roster(workspace.root / ROSTER)
    workspace.roster = roster
    desk = Desk(workspace, port=port)
    workspace.check()
    return desk


def desk(argv: list[str] | None = None) -> None:  # pragma: no cover - a double-click start
    """The gui script: the desk of the round folder given (or 统计报表 in the home folder), in the browser."""
    from unionforms.plugins.registry import default_registry

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.home() / "统计报表"
    running = open_desk(root, default_registry())
    webbrowser.open(running.url)
    running.server.serve_forever()
