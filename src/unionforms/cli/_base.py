"""What every command shares: the registry of commands, the shared options and the context it runs in.

A command module declares itself with :func:`command`; its handler gets the parsed arguments and a
:class:`Context` (the form registry, loaded on first use, and the :class:`~._output.Output`) and returns
the exit status. Handlers parse arguments, call the library and hand results to the output: the domain
logic lives in the library, never here.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from unionforms.cli import _process
from unionforms.cli._output import Output

if TYPE_CHECKING:
    from unionforms.collect.roster import Roster
    from unionforms.plugins.registry import Registry

Handler = Callable[[argparse.Namespace, "Context"], int]
Arguments = Callable[[argparse.ArgumentParser], None]


@attrs.define
class Context:
    """What a command runs with: the output, and the registry of installed forms (loaded when first asked)."""

    output: Output
    _registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from unionforms.plugins.registry import default_registry

            self._registry = default_registry()
            _process.collect_from_now()  # the long-lived objects of start-up are made
            for problem in self._registry.problems:
                self.output.warn(f"警告：{problem}")
        return self._registry


@attrs.frozen
class Command:
    """A registered command: its name, one-line help, its own arguments and which shared options it takes.

    ``output`` is ``"required"`` or ``"optional"`` for a command that writes a file (``-o``), else None;
    ``bulk`` adds ``--jobs`` and ``--quiet``.
    """

    name: str
    help: str
    handler: Handler
    arguments: Arguments | None = None
    output: str | None = attrs.field(
        default=None, validator=attrs.validators.in_((None, "required", "optional"))
    )
    output_metavar: str = "FILE"
    bulk: bool = False
    collecting: bool = False


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    help: str,
    *,
    arguments: Arguments | None = None,
    output: str | None = None,
    output_metavar: str = "FILE",
    bulk: bool = False,
    collecting: bool = False,
) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the command ``name``; ``collecting`` adds the round's options
    (``--form``, ``--units``)."""

    def register(handler: Handler) -> Handler:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} is registered twice")
        COMMANDS[name] = Command(name, help, handler, arguments, output, output_metavar, bulk, collecting)
        return handler

    return register


def _json_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--json", action="store_true", help="以 JSON 输出结果（机器可读） / print the result as JSON"
    )
    return p


def _bulk_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="同时处理 N 个文件（默认 1） / check N files at once (default 1)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="不显示进度条和汇总信息 / no progress bar and no summary on stderr",
    )
    return p


def _output_parent(required: bool, metavar: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "-o",
        "--output",
        required=required,
        metavar=metavar,
        help="结果写到哪个文件 / where to write the result",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="覆盖已有的输出文件（绝不覆盖输入） / replace the output if it exists (never an input)",
    )
    return p


def _round_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--form",
        metavar="FORM",
        help="本轮的表式：其他表式或年份的报表不计入（默认：多数报表的表式） / "
        "the round's form: a return of another form or year is not counted (default: the form of most "
        "returns)",
    )
    p.add_argument(
        "--units",
        metavar="名录.xlsx",
        help="应报单位名录（.xlsx 或 .csv，含“单位名称”列；见 specs/roster.md）：据此列出未报单位，"
        "名录外单位的报表不计入 / "
        "the list of units collected from: who is missing; returns of units not on it are not counted",
    )
    return p


def due_date(text: str) -> datetime.date:
    """``--due``: an ISO date (报送截止日期), or argparse's clear refusal."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--due 应为日期，如 2017-01-20，而不是 {text!r} / "
            f"--due takes a date such as 2017-01-20, not {text!r}"
        ) from None


def round_options(args: argparse.Namespace, ctx: Context) -> tuple[str | None, Roster | None]:
    """The round's form (checked installed: IN-003) and 名录 (ROS-…) from ``--form`` and ``--units``."""
    form = args.form
    if form is not None:
        ctx.registry.get(form)
    roster = None
    if args.units is not None:
        from unionforms.collect.roster import load_roster

        roster = load_roster(args.units)
    return form, roster


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--jobs 应为整数，而不是 {text!r} / --jobs takes a whole number, not {text!r}"
        ) from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError("--jobs 应在 1 到 64 之间 / --jobs takes a number from 1 to 64")
    return n


def parents(cmd: Command) -> list[argparse.ArgumentParser]:
    """The shared option parsers a command takes: --json always, -o when it writes, --jobs/--quiet in bulk."""
    out = [_json_parent()]
    if cmd.output is not None:
        out.append(_output_parent(cmd.output == "required", cmd.output_metavar))
    if cmd.bulk:
        out.append(_bulk_parent())
    if cmd.collecting:
        out.append(_round_parent())
    return out
