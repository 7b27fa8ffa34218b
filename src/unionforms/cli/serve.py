"""`serve`: the statistician's desk, a local web page for the whole round (needs unionforms[desk])."""

from __future__ import annotations

import argparse

from unionforms.cli._base import Context, command, due_date, round_options


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "folder",
        nargs="?",
        default=".",
        metavar="ROUND_FOLDER",
        help="本轮文件夹：报表放入其中的 收回/，桌面版写出的文件在 输出/（默认：当前文件夹） / the round "
        "folder (default: here)",
    )
    p.add_argument("--due", type=due_date, metavar="YYYY-MM-DD", help="报送截止日期 / the deadline")
    p.add_argument(
        "--unit", default="", metavar="NAME", help="汇总表的填报单位，如 乐山市总工会 / 填报单位 of the total"
    )
    p.add_argument(
        "--port",
        type=int,
        default=0,
        help="端口（在 127.0.0.1 上；默认：任一空闲端口） / the port on 127.0.0.1 (default: any free one)",
    )
    p.add_argument(
        "--no-browser",
        action="store_true",
        help="只显示网址，不打开浏览器 / print the address, do not open a browser",
    )


@command(
    "serve",
    "桌面版：本轮工作的本地网页（表式、收回、进度、汇总、导出），只在 127.0.0.1 上 / "
    "the desk: a local web page for the round, on 127.0.0.1 only",
    arguments=_arguments,
    bulk=True,
    collecting=True,
)
def serve_command(args: argparse.Namespace, ctx: Context) -> int:
    from unionforms.core.errors import InputError

    try:
        import flask  # noqa: F401
    except ImportError:
        raise InputError("DESK-001", package="flask") from None
    from unionforms.desk.launch import open_desk

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
