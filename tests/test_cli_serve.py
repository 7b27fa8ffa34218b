"""`unionforms serve` as a user starts it: the console script prints the address, the desk answers it on
127.0.0.1 only with its key, and Ctrl-C ends it with exit 0."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from unionforms.desk.workspace import OUTPUTS, RETURNS

EXE = Path(sys.executable).with_name("unionforms")


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    return conn.getresponse()


def test_serve_prints_its_address_and_answers_only_with_its_key(tmp_path: Path) -> None:
    folder = tmp_path / "2016年度送温暖"
    proc = subprocess.Popen(
        [str(EXE), "serve", str(folder), "--no-browser", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or lines[-1] != "}\n":
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line)
        started = json.loads("".join(lines))
        url = urlsplit(started["url"])
        assert url.hostname == "127.0.0.1" and url.query.startswith("token=")
        host = {"Host": url.netloc}
        first = _get(url.port or 80, f"/?{url.query}", host)
        assert first.status == 302
        cookie = first.getheader("Set-Cookie", "").split(";")[0]
        page = _get(url.port or 80, "/progress", {**host, "Cookie": cookie})
        assert page.status == 200 and "报送进度" in page.read().decode()
        assert _get(url.port or 80, "/progress", host).status == 403  # no key
        rebound = {"Host": f"attacker.example:{url.port}", "Cookie": cookie}
        assert _get(url.port or 80, "/progress", rebound).status == 403  # DNS rebinding
        assert {p.name for p in folder.iterdir()} == {RETURNS, OUTPUTS}
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    assert code == 0


def test_serve_on_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    done = subprocess.run(
        [str(EXE), "serve", str(tmp_path / "f"), "--no-browser"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "DESK-002" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("option", [["--units", "no-such.xlsx"], ["--form", "no-such-form"]])
def test_serve_with_a_bad_round_option_stops_before_serving(tmp_path: Path, option: list[str]) -> None:
    done = subprocess.run(
        [str(EXE), "serve", str(tmp_path), "--no-browser", *option],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
