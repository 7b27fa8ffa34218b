"""The `unionforms` command: a package with one module per command (or small group of commands).

Each command module registers itself with :func:`unionforms.cli._base.command`; :func:`main` imports the
module named after the command given, or else every module of this package that does not start with ``_``,
so adding a command is adding a module (named after it, for the fastest start). Exit status:
0 fine, 1 an error-level finding, 2 unusable input or arguments.
"""

from __future__ import annotations

from unionforms.cli._app import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
