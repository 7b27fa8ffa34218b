"""The desk's pages through Flask's test client: refused without the key, the host or the form check;
uploads bounded and named safely; a hostile file never stops the round; only files it wrote are sent."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from unionforms import Registry
from unionforms.desk.guard import COOKIE
from unionforms.desk.launch import Desk, open_desk
from unionforms.desk.workspace import MAX_FILES

from .hostile.make_corpus import good_report, good_template


@pytest.fixture
def desk(tmp_path: Path, registry: Registry) -> Iterator[Desk]:
    running = open_desk(tmp_path / "轮次", registry)
    yield running
    running.server.server_close()


@pytest.fixture
def client(desk: Desk) -> Any:
    app = desk.app
    app.config["SERVER_NAME"] = f"127.0.0.1:{desk.guard.port}"  # the test client's Host header
    c = app.test_client()
    r = c.get(f"/?token={desk.guard.key}")
    assert r.status_code == 302 and "token" not in r.headers["Location"]
    cookie = r.headers["Set-Cookie"]
    assert f"{COOKIE}={desk.guard.key}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return c


def _post(client: Any, desk: Desk, url: str, **kw: Any) -> Any:
    data = {"csrf": desk.guard.form_check, **kw.pop("data", {})}
    return client.post(url, data=data, **kw)


def _upload(client: Any, desk: Desk, files: list[tuple[bytes, str]]) -> list[dict[str, Any]]:
    r = client.post(
        "/collect",
        data={"files": [(io.BytesIO(data), name) for data, name in files]},
        headers={"X-CSRF": desk.guard.form_check, "X-Requested-With": "unionforms-desk"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    receipts: list[dict[str, Any]] = r.get_json()
    return receipts


def _checked(desk: Desk) -> None:
    for _ in range(600):
        if not desk.workspace.state()["running"]:
            return
        time.sleep(0.05)
    raise AssertionError("the check did not end")


def test_without_the_key_nothing_is_answered(desk: Desk) -> None:
    c = desk.app.test_client()
    host = {"Host": f"127.0.0.1:{desk.guard.port}"}
    for url in ("/", "/progress", "/forms", "/static/desk.js", "/api/state"):
        r = c.get(url, headers=host)
        assert r.status_code == 403 and "DESK-005" in r.get_data(as_text=True)
    assert c.get("/?token=wrong", headers=host).status_code == 403


def test_a_foreign_host_name_is_refused_even_with_the_key(desk: Desk) -> None:
    c = desk.app.test_client()
    r = c.get(f"/?token={desk.guard.key}", headers={"Host": f"rebound.example:{desk.guard.port}"})
    assert r.status_code == 403 and "rebound.example" in r.get_data(as_text=True)


def test_a_post_without_the_form_check_is_refused(client: Any, desk: Desk) -> None:
    r = client.post("/forms/songwennuan-2017/blank")
    assert r.status_code == 403 and "csrf" in r.get_data(as_text=True)
    assert not list((desk.workspace.outputs).rglob("*.xlsx"))
    r = _post(client, desk, "/forms/songwennuan-2017/blank", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_pages_say_where_what_came_from_and_load_nothing_from_elsewhere(client: Any) -> None:
    for url in ("/forms", "/collect", "/progress", "/total", "/export"):
        r = client.get(url)
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert "http://" not in html and "https://" not in html and "//cdn" not in html
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_blank_template_is_written_in_the_round_folder_and_sent(client: Any, desk: Desk) -> None:
    r = _post(client, desk, "/forms/songwennuan-2017/blank")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert (desk.workspace.outputs / "表式" / "songwennuan-2017.xlsx").read_bytes() == r.data
    again = _post(client, desk, "/forms/songwennuan-2017/blank")  # a new file, never over the first
    assert (
        again.status_code == 200 and (desk.workspace.outputs / "表式" / "songwennuan-2017 (2).xlsx").exists()
    )
    r = _post(client, desk, "/forms/no-such-form/blank")
    assert r.status_code == 400 and "IN-003" in r.get_data(as_text=True)


def test_uploads_stay_in_the_round_and_a_hostile_file_stops_nothing(
    client: Any, desk: Desk, registry: Registry, tmp_path: Path
) -> None:
    good = tmp_path / "good.xlsx"
    good_template(registry, good)
    text = json.dumps(good_report(registry), ensure_ascii=False).encode()
    receipts = _upload(
        client,
        desk,
        [
            (good.read_bytes(), "一批/good.xlsx"),
            (text, "一批/good.json"),
            (good.read_bytes()[:3000], "一批/truncated.xlsx"),
            (b"\x00" * 10, "一批/nul.json"),
            (b"x", "../../逃出.xlsx"),
            (b"x", "C:\\Windows\\逃出.xlsx"),
        ],
    )
    problems = {r["name"]: r["problem"] for r in receipts if r["problem"]}
    assert len(problems) == 2 and "../../逃出.xlsx" in problems  # the form encoding drops the backslashes
    assert all("DESK-003" in p for p in problems.values())
    root = desk.workspace.root
    assert not list(root.parent.glob("**/逃出.xlsx"))
    saved = sorted(str(p.relative_to(desk.workspace.returns)) for p in desk.workspace.returns.rglob("*.*"))
    assert saved == ["一批/_nul.json", "一批/good.json", "一批/good.xlsx", "一批/truncated.xlsx"]
    _checked(desk)
    p = desk.workspace.checking.progress
    assert p is not None and len(p.round.verdicts) == 4
    codes = {Path(v.file).name: v.entry.code for v in p.round.verdicts}
    assert codes["truncated.xlsx"] == "IN-024" and codes["_nul.json"] == "IN-011"
    page = client.get("/progress").get_data(as_text=True)
    assert "IN-024" in page and "IN-011" in page and "乐山市总工会" in page
    # the same bytes again are not copied twice; other bytes under a taken name are kept beside it
    again = _upload(client, desk, [(good.read_bytes(), "一批/good.xlsx"), (b"{}", "一批/good.json")])
    assert again[0]["same"] and again[1]["saved"] == "一批/good (2).json"
    _checked(desk)


def test_more_files_than_the_limit_are_refused_whole(client: Any, desk: Desk) -> None:
    r = client.post(
        "/collect",
        data={"files": [(io.BytesIO(b"{}"), f"{i}.json") for i in range(MAX_FILES + 1)]},
        headers={"X-CSRF": desk.guard.form_check, "X-Requested-With": "unionforms-desk"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400 and "DESK-004" in r.get_json()["problem"]
    assert not list(desk.workspace.returns.iterdir())


def test_an_upload_over_the_size_limit_is_refused(client: Any, desk: Desk) -> None:
    desk.app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post(
        "/collect",
        data={"files": [(io.BytesIO(b"x" * 2000), "big.json")]},
        headers={"X-CSRF": desk.guard.form_check, "X-Requested-With": "unionforms-desk"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 413 and "DESK-006" in r.get_json()["problem"]
    assert not list(desk.workspace.returns.iterdir())


def test_only_what_the_desk_wrote_is_ever_sent(client: Any, desk: Desk) -> None:
    (desk.workspace.root / "secret.txt").write_text("x")
    for url in ("/static/../../secret.txt", "/static/%2e%2e/secret.txt", "/unit/0", "/unit/-1"):
        assert client.get(url).status_code == 404
    assert _post(client, desk, "/unit/0/annotated").status_code == 404
    assert _post(client, desk, "/export/json").status_code == 404
