"""Build the parser from the registered commands and run one, never letting a traceback reach the user."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import UnionformsError
from ._base import COMMANDS, Context, parents
from ._output import Output


def _load_commands() -> None:
    """Import every command module of this package (each registers itself)."""
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")


def _version() -> str:
    try:
        return version("unionforms")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every registered command with its own and its shared options."""
    _load_commands()
    p = argparse.ArgumentParser(prog="unionforms", description="工会统计表：模板、填报、读取、审核、汇总。")
    p.add_argument("--version", action="version", version=f"unionforms {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in sorted(COMMANDS):
        cmd = COMMANDS[name]
        sp = sub.add_parser(name, help=cmd.help, description=cmd.help, parents=parents(cmd))
        if cmd.arguments is not None:
            cmd.arguments(sp)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    output = Output(json_mode=args.json, quiet=getattr(args, "quiet", False))
    try:
        return int(COMMANDS[args.command].handler(args, Context(output)))
    except UnionformsError as exc:
        if output.json_mode:
            output.result({"error": exc.to_dict()})
        output.warn(f"unionforms: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
    except Exception as exc:  # last resort: a clear line, not a traceback
        output.warn(f"unionforms: internal error: {type(exc).__name__}: {exc}")
        return 3
