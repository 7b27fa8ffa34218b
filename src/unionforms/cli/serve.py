"""`serve`: the statistician's desk, a local web page for the whole round (needs unionforms[desk])."""

from __future__ import annotations

import argparse

from ._base import Context, command, due_date, round_options


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "folder",
        nargs="?",
        default=".",
        metavar="ROUND_FOLDER",
        help="the round folder: returns go into its 收回/, what the desk writes into 输出/ (default: here)",
    )
    p.add_argument("--due", type=due_date, metavar="YYYY-MM-DD", help="the deadline (报送截止日期)")
    p.add_argument("--unit", default="", metavar="NAME", help="填报单位 of the total, e.g. 乐山市总工会")
    p.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: any free one)")
    p.add_argument("--no-browser", action="store_true", help="print the address, do not open a browser")


@command(
    "serve",
    "the desk: a local web page for the round (表式, 收回, 进度, 汇总, 导出), on 127.0.0.1 only",
    arguments=_arguments,
    bulk=True,
    collecting=True,
)
def serve_command(args: argparse.Namespace, ctx: Context) -> int:
    from ..errors import InputError

    try:
        import flask  # noqa: F401
    except ImportError:
        raise InputError("DESK-001", package="flask") from None
    from ..desk.launch import open_desk

    form, roster = round_options(args, ctx)
    desk = open_desk(
        args.folder,
        ctx.registry,
        roster=roster,
        port=args.port,
        form=form,
        due=args.due,
        unit=args.unit,
        jobs=args.jobs,
    )
    out = ctx.output
    out.result(
        {"url": desk.url, "folder": str(desk.workspace.root)},
        f"桌面版已启动：{desk.url}\n轮次文件夹：{desk.workspace.root}\n按 Ctrl-C 停止。",
    )
    out.stdout.flush()
    if not args.no_browser:
        import webbrowser

        webbrowser.open(desk.url)
    try:
        desk.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        desk.server.server_close()
    return 0
