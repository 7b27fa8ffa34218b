"""The desk in a real browser: Debian's Chromium, headless, driven by Playwright, through a whole round.

The 30-unit round of :mod:`tests.round_folder` is uploaded as a folder, then the hostile corpus
(:mod:`tests.hostile.make_corpus`) is uploaded into the same round, then a unit's annotated copy is
downloaded and its fixed return uploaded; the 进度 page must name every file of the corpus with the
code that refused it, the total downloaded must be the sum computed here, and the export must hold the
current returns. A screenshot of each page is written to ``tests/artefacts/desk/`` (git-ignored).

Chromium comes from Debian (``/usr/bin/chromium``, installed by ``.ci/run``); Playwright's own browser
download is never used. Without Chromium the test is skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from unionforms import Kind, Registry
from unionforms.collect.roster import load_roster
from unionforms.desk.guard import upload_path
from unionforms.desk.launch import Desk, open_desk
from unionforms.io.reading import read_report

from .hostile.make_corpus import USABLE
from .hostile.make_corpus import make as make_corpus
from .round_folder import DUE, FORM, Round, expected_total, make_round, unit_name

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parent / "artefacts" / "desk"
#: The launch flags that work on these machines, as root, with no network (docs: other-clients.md).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 120_000  # ms: the check of a round with the hostile corpus, on a loaded 2-core machine

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def round_(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Round:
    return make_round(tmp_path_factory.mktemp("sent"), registry)


@pytest.fixture(scope="module")
def corpus(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The hostile corpus's files a browser can upload (regular files: a pipe, a symlink to /dev/zero or
    a folder is not something a person can pick), and the code each must end with."""
    made = tmp_path_factory.mktemp("corpus")
    entries = make_corpus(made, registry)
    upload = tmp_path_factory.mktemp("upload") / "可疑文件"
    upload.mkdir()
    expect = {}
    for e in entries:
        path = made / e.name
        if stat.S_ISREG(path.lstat().st_mode):
            shutil.copyfile(path, upload / e.name)
            expect[e.name] = e.expect
    assert len(expect) >= 40
    return upload, expect


@pytest.fixture(scope="module")
def desk(round_: Round, registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("desk") / "2016年度送温暖"
    running = open_desk(
        root, registry, roster=load_roster(round_.roster), form=FORM, due=DUE, unit="乐山市总工会"
    )
    running.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def page(desk: Desk) -> Iterator[Any]:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {ARTEFACTS}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 900}, locale="zh-CN"
        )
        pg = context.new_page()
        pg.set_default_timeout(WAIT)
        yield pg
        browser.close()


def _shot(page: Any, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=full)


def _download(page: Any, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    assert download.failure() is None
    target = folder / str(download.suggested_filename)
    download.save_as(target)
    return target


def _upload(page: Any, selector: str, files: Any) -> None:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/collect")
    page.set_input_files(selector, files)
    page.click("#send")
    page.wait_for_url("**/progress")


def _files_table(page: Any) -> dict[str, tuple[str, str]]:
    """The 未计入的文件 table: file (relative to 收回) -> (standing, code)."""
    rows = page.locator("#files tbody tr").all()
    out = {}
    for row in rows:
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        out[cells[1]] = (cells[0], cells[3])
    return out


def _units(page: Any) -> dict[str, str]:
    out = {}
    for row in page.locator("#units tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        out[cells[1]] = cells[2]
    return out


def test_a_round_from_upload_to_the_exported_total(
    desk: Desk,
    page: Any,
    round_: Round,
    corpus: tuple[Path, dict[str, str]],
    registry: Registry,
    tmp_path: Path,
) -> None:
    form = registry.get(FORM)
    # 0. the printed address with its key: the key moves into a cookie, the address bar loses it
    page.goto(desk.url)
    assert "token" not in page.url and page.url.endswith("/progress")
    # 1. 表式: the installed forms, a blank template
    page.click("text=① 表式")
    _shot(page, "1-表式")
    blank = _download(page, f'button[data-form="{FORM}"]', tmp_path)
    assert blank.name == f"{FORM}.xlsx" and zipfile.is_zipfile(blank)
    # 2. 收回: the round's folder as sent, with a progress bar, then the 进度
    _upload(page, "#pick-folder", str(round_.returns))
    units = _units(page)
    assert len(units) == 30
    assert [u for u, s in units.items() if s == "未报"] == list(round_.missing)
    assert units[unit_name(4)] == "有错误" and units[unit_name(5)] == "冲突"
    # 3. the hostile corpus into the same round: every file refused or set aside, each with its code
    _upload(page, "#pick-folder", str(corpus[0]))
    _shot(page, "3-进度")
    _shot(page, "3-进度-全部", full=True)
    table = _files_table(page)
    upload, expect = corpus
    for name, code in expect.items():
        shown = str(upload_path(f"{upload.name}/{name}"))  # nul.json is kept as _nul.json (Windows: NUL)
        if code == "IN-091" and (upload / name).stat().st_size > 32 * 1024 * 1024:
            assert shown not in table  # refused at the door: over the cap, never copied (see 收回)
            continue
        assert shown in table, f"{name} is not named on the 进度 page"
        standing, got = table[shown]
        if code == USABLE:  # a return of 乐山市总工会, which is not on the 名录: not counted
            assert got in ("AGG-006", "AGG-004"), (name, standing, got)
        else:
            assert got == code, (name, standing, got)
    assert _units(page) == units, "the corpus changed no unit's state"
    page.click("text=② 收回")
    _shot(page, "2-收回")
    refused = page.locator("#receipts tr.refused").all_inner_texts()
    over = sorted(
        n for n in expect if (upload / n).is_file() and (upload / n).stat().st_size > 32 * 1024 * 1024
    )
    assert over and len(refused) == len(over)  # every file over the cap, each refused with its reason
    for name in over:
        assert any(name in r and "IN-091" in r for r in refused), name
    # filtering and sorting the 进度
    page.click("text=③ 进度")
    page.select_option("#state-filter", "未报")
    assert page.locator("#units tbody tr:visible").count() == 4
    page.select_option("#state-filter", "逾期")
    assert [r.split("\t")[1] for r in page.locator("#units tbody tr:visible").all_inner_texts()] == [
        unit_name(7)
    ]
    page.select_option("#state-filter", "")
    # 4. a unit's findings, its annotated copy; then its fixed return comes back
    page.click(f"text={unit_name(4)}")
    findings = page.locator("#findings li").all_inner_texts()
    assert findings and all("错误" in f or "警告" in f for f in findings)
    _shot(page, "4-单位")
    annotated = _download(page, "#annotated", tmp_path)
    with zipfile.ZipFile(annotated) as z:
        assert any("审核结果" in n or "sheet1" in n for n in z.namelist())
    import openpyxl

    assert openpyxl.load_workbook(annotated).sheetnames[0] == "审核结果"
    round_.send_fix(registry)
    _upload(page, "#pick-files", str(round_.fix[1]))
    assert _units(page)[unit_name(4)] in ("通过", "有警告")
    # 5. 汇总: completeness, and the total as xlsx and PDF
    page.click("text=④ 汇总")
    facts = page.locator("#completeness").inner_text()
    assert "应报\t30" in facts and "实报\t26" in facts and "缺报\t4" in facts
    _shot(page, "5-汇总")
    total = _download(page, "#total-xlsx", tmp_path)
    read = read_report(total, registry)
    sums = {c: v for c, v in read.report.values.items() if form.fields[c].kind is not Kind.FLAG}
    assert {c: v for c, v in sums.items() if v is not None} == expected_total(round_, form)
    assert read.report.meta.unit == "乐山市总工会"
    pdf = _download(page, "#total-pdf", tmp_path)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    # compared with last year: a 2014 return beside this round's total, across the forms' mapping
    page.set_input_files("#last-year", str(round_.other_form))
    page.click("#compare")
    shown = page.locator("#comparison").inner_text()
    assert "songwennuan-2014" in shown and "songwennuan-2017" in shown and "行可比" in shown
    _shot(page, "5-与上年比较")
    # 6. 导出: CSV, xlsx, SQLite of the current returns
    page.click("text=⑤ 导出")
    _shot(page, "6-导出")
    table_csv = _download(page, "#export-csv", tmp_path)
    rows = list(csv.DictReader(io.StringIO(table_csv.read_text(encoding="utf-8-sig"))))
    current_units = {r["unit"] for r in rows if r["current"] == "是"}
    assert len(current_units) == 25  # 26 reported, one of them in conflict
    assert zipfile.is_zipfile(_download(page, "#export-xlsx", tmp_path))
    db = _download(page, "#export-sqlite", tmp_path)
    with sqlite3.connect(db) as con:
        (n,) = con.execute("select count(*) from uf_returns where current").fetchone()
    assert n == 25
    # everything the desk wrote is in the round folder: 收回 (copies) and 输出 (what it made)
    root = desk.workspace.root
    assert {p.name for p in root.iterdir()} == {"收回", "输出"}
