"""What does the desk cost over the command line? The same round checked by both, in one run.

    python benchmarks/bench_desk.py [--rounds 5]

The 30-unit round of ``tests/round_folder.py`` with the hostile corpus beside it (regular files under
32 MiB only, copied to one folder: what a browser can upload) is checked ``--rounds`` times each way,
alternating:

- baseline: ``unionforms status FOLDER --units 名录.xlsx --json`` (a fresh process each time, as run);
- the desk: an upload of the same files through HTTP to a running desk (``unionforms serve``'s server,
  on 127.0.0.1) until its background check has ended, and the 进度 page fetched.

It prints the median seconds of each and the ratio desk / status. Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.make_corpus import make as make_corpus  # noqa: E402
from tests.round_folder import make_round  # noqa: E402

from unionforms import default_registry  # noqa: E402
from unionforms.collect.roster import load_roster  # noqa: E402
from unionforms.desk.launch import open_desk  # noqa: E402

EXE = Path(sys.executable).with_name("unionforms")


def _files(folder: Path) -> list[tuple[str, bytes]]:
    return [
        (str(p.relative_to(folder.parent)), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if stat.S_ISREG(p.lstat().st_mode) and p.stat().st_size < 32 * 1024 * 1024
    ]


def _multipart(files: list[tuple[str, bytes]], csrf: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'.encode()]
    for name, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'
        out += [head.encode(), data, b"\r\n"]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    registry = default_registry()
    with tempfile.TemporaryDirectory(prefix="bench-desk-") as tmp:
        sent = Path(tmp) / "sent"
        rnd = make_round(sent, registry)
        make_corpus(rnd.returns / "可疑文件", registry)
        plain = Path(tmp) / "收回"
        for p in rnd.returns.rglob("*"):
            if stat.S_ISREG(p.lstat().st_mode) and p.stat().st_size < 32 * 1024 * 1024:
                (plain / p.relative_to(rnd.returns)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, plain / p.relative_to(rnd.returns))
        files = _files(plain)
        print(f"{len(files)} files, {sum(len(d) for _, d in files) / 1e6:.1f} MB")
        cli, desk = [], []
        for n in range(args.rounds):
            started = time.perf_counter()
            done = subprocess.run(
                [str(EXE), "status", str(plain), "--units", str(rnd.roster), "--json"],
                capture_output=True,
                check=False,
            )
            cli.append(time.perf_counter() - started)
            assert done.returncode in (0, 1), done.stderr
            running = open_desk(Path(tmp) / f"desk{n}", registry, roster=load_roster(rnd.roster))
            running.start()
            while running.workspace.state()["running"]:
                time.sleep(0.01)
            url = urlsplit(running.url)
            body, kind = _multipart(files, running.guard.form_check)
            headers = {"Host": url.netloc, "Cookie": f"unionforms_desk={running.guard.key}"}
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=600)
            conn.request("POST", "/collect", body, {**headers, "Content-Type": kind})
            assert conn.getresponse().status == 302
            time.sleep(0.01)
            while running.workspace.state()["running"]:
                time.sleep(0.01)
            conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=600)
            conn.request("GET", "/progress", headers=headers)
            assert conn.getresponse().status == 200
            desk.append(time.perf_counter() - started)
            running.server.shutdown()
            running.server.server_close()
            shutil.rmtree(Path(tmp) / f"desk{n}")
        c, d = statistics.median(cli), statistics.median(desk)
        print(
            json.dumps(
                {"status_s": round(c, 2), "desk_s": round(d, 2), "ratio_desk_over_status": round(d / c, 2)}
            )
        )


if __name__ == "__main__":
    main()
