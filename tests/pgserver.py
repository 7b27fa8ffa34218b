"""A real, throw-away PostgreSQL server for tests and benchmarks: initdb, pg_ctl start, createdb.

Debian's ``postgresql`` package (installed by ``.ci/run``) puts its programs in
``/usr/lib/postgresql/N/bin``. The cluster lives in a temporary folder and listens only on a unix
socket there (no TCP port). PostgreSQL refuses to run as root, so under root it runs as the
``postgres`` system user (``runuser``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def bin_dir() -> Path | None:
    """The folder of PostgreSQL's server programs, or None when they are not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


@contextlib.contextmanager
def running_postgres(dbname: str = "unionforms") -> Iterator[str]:
    """Start a cluster, create ``dbname``, yield its SQLAlchemy URL (psycopg), stop and remove it."""
    bindir = bin_dir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL's programs (initdb, pg_ctl) are not installed")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="uf-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, socket = folder / "data", folder

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True, timeout=120)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-c listen_addresses='' -k {socket} -c fsync=off -c full_page_writes=off"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start")
        try:
            run(str(bindir / "createdb"), "-h", str(socket), "-U", "postgres", dbname)
            yield f"postgresql+psycopg://postgres@/{dbname}?host={socket}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
