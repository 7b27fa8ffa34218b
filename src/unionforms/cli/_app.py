"""Build the parser from the registered commands and run one, never letting a traceback reach the user."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from unionforms.cli import _process
from unionforms.cli._base import COMMANDS, Context, parents
from unionforms.cli._output import Output
from unionforms.core.errors import TRACEBACK_VARIABLE, InputError, UnionformsError, tracing

#: What may name a command module: a command's own name (the command line is untrusted).
_COMMAND_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _load_commands(wanted: str | None = None) -> None:
    """Import the command modules of this package (each registers itself).

    For a ``wanted`` command, the module of its name comes first (``new-form``: ``new_form.py``), and
    only when that holds no such command is every module imported, as for ``--help``.
    """
    if wanted in COMMANDS:
        return
    if wanted is not None and _COMMAND_NAME.fullmatch(wanted):
        module = f"{__package__}.{wanted.replace('-', '_')}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # the module is there, and something it imports is not
                raise
        if wanted in COMMANDS:
            return
    import pkgutil

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # costs start-up: only for --version

    try:
        return version("unionforms")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        sys.stdout.write(f"unionforms {_version()}\n")  # on stdout, as pip, ruff and git print theirs
        sys.stdout.flush()
        parser.exit()


class _Formatter(argparse.HelpFormatter):
    """argparse's help with its own words in Chinese first: ``用法 usage:``."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


#: argparse's own error messages (worded in English only): each pattern, its Chinese, and the English
#: kept after it (None: argparse's message as it is).
_ERRORS: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"the following arguments are required: (.*)"), "缺少必需的参数：{0}", None),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}", None),
    (
        re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"),
        "{0} 的取值 {1} 无效，可选：{2}",
        "argument {0}: invalid choice {1}",
    ),
    (re.compile(r"argument (.*?): expected one argument"), "{0} 后面需要一个值", None),
    (re.compile(r"argument (.*?): expected (.*)"), "{0} 后面的值个数不对", None),
    (re.compile(r"argument (.*?): invalid (\S+) value: (.*)"), "{0} 的值 {2} 无效", None),
    (re.compile(r"argument (.*?): not allowed with argument (.*)"), "{0} 不能与 {1} 同时使用", None),
    (re.compile(r"argument (.*?): ignored explicit argument (.*)"), "{0} 不接受值 {1}", None),
    (re.compile(r"ambiguous option: (.*?) could match (.*)"), "选项 {0} 有歧义，可能是：{1}", None),
)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its errors Chinese first like every other message (exit 2, as argparse)."""

    def error(self, message: str) -> NoReturn:
        text = message
        for pattern, chinese, english in _ERRORS:
            if m := pattern.fullmatch(message):
                text = f"{chinese.format(*m.groups())} / {(english or message).format(*m.groups())}"
                break
        else:  # ours (an ArgumentTypeError) says it Chinese first already: "argument --jobs: …"
            text = re.sub(r"^argument (\S+): (?=\1 )", "", message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误 error: {text}\n")


def _parser(**kwargs: Any) -> argparse.ArgumentParser:
    """A parser whose help reads Chinese first: argparse's own titles and ``-h`` in both languages."""
    p = _Parser(add_help=False, formatter_class=_Formatter, **kwargs)
    p._positionals.title = "参数 arguments"
    p._optionals.title = "选项 options"
    p.add_argument("-h", "--help", action="help", help="显示本帮助并退出 / show this help and exit")
    return p


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named on a command line: its first word that is not a global option."""
    return next((a for a in argv if a not in _GLOBAL), argv[0] if argv else None)


#: The options taken before the command (``--version`` and ``-h`` end the run where they stand).
_GLOBAL = ("--traceback",)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line: every registered command with its own and its shared options.

    With ``only`` (a registered command), the parser knows that command alone: what :func:`main` parses
    a command line starting with it by, since building every command's parser costs start-up.
    """
    _load_commands(only)
    p = _parser(prog="unionforms", description="工会统计表：模板、填报、读取、审核、汇总。")
    p.add_argument("--version", action=_Version, help="显示版本号并退出 / show the version and exit")
    p.add_argument(
        "--traceback",
        action="store_true",
        help="插件出错时显示 Python 调用栈（同 UNIONFORMS_TRACEBACK=1），供插件作者排查 / "
        "show the Python traceback of a plugin's error, for plugin authors",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title="命令 commands")
    for name in [only] if only in COMMANDS else sorted(COMMANDS):
        cmd = COMMANDS[name]
        sp = sub.add_parser(
            name,
            help=cmd.help,
            description=cmd.help,
            parents=parents(cmd),
            add_help=False,
            formatter_class=_Formatter,
        )
        sp._positionals.title, sp._optionals.title = "参数 arguments", "选项 options"
        sp.add_argument("-h", "--help", action="help", help="显示本帮助并退出 / show this help and exit")
        if cmd.arguments is not None:
            cmd.arguments(sp)
    return p


def run() -> NoReturn:
    """The ``unionforms`` console script: :func:`main` as a process of its own, without the collector's
    work during start-up nor the interpreter's teardown at the end, on a console that cannot fail to
    encode (:mod:`._process`)."""
    _process.defer_collection()
    _process.console_safe()
    _process.quiet_unraisable()
    _process.end(main())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(only=_command_of(argv)).parse_args(argv)
    if not args.traceback:
        return _command(args)
    # in the environment, so that the workers of a bulk run see it too; only while the command runs
    before = os.environ.get(TRACEBACK_VARIABLE)
    os.environ[TRACEBACK_VARIABLE] = "1"
    try:
        return _command(args)
    finally:
        if before is None:
            del os.environ[TRACEBACK_VARIABLE]
        else:
            os.environ[TRACEBACK_VARIABLE] = before


def _command(args: argparse.Namespace) -> int:
    """Run the parsed command: its exit status, every error of ours as its message (exit 2)."""
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
    except UnicodeEncodeError as exc:
        if exc.reason != "surrogates not allowed":  # not a name the locale could not decode
            return _internal(output, exc)
        error = InputError("ENV-002", detail=f"{type(exc).__name__}: {exc}")
        if output.json_mode:
            output.result({"error": error.to_dict()})
        output.warn(f"unionforms: {error}")
        return 2
    except Exception as exc:  # last resort: a clear line, not a traceback
        return _internal(output, exc)


def _internal(output: Output, exc: Exception) -> int:
    """An exception nothing named: one clear line (exit 3); the traceback too when asked for."""
    if tracing():
        import traceback

        output.warn("".join(traceback.format_exception(exc)).rstrip())
    output.warn(f"unionforms: internal error: {type(exc).__name__}: {exc}")
    return 3
