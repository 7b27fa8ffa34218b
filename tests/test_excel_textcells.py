"""Hostile text from files (names, 填报单位, bytes that are not UTF-8, control characters) through every
workbook written for people, opened in real LibreOffice: text stays text, nothing breaks a command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest

from unionforms.cli import main
from unionforms.excel.libreoffice import convert, find_soffice

NASTY_UNITS = ["=1+1", '=HYPERLINK("http://x","点我")', "+1", "@SUM(1)", "乙\x0b垂直制表", "丙\u200b"]
NASTY_NAMES = [b"=2+2.json", b"\xff\xfe\xe4.json", b"line\nforged.json", b"\x1b[31mred.json", b"\x01.json"]


def _folder(root: Path) -> Path:
    folder = root / "收回"
    folder.mkdir()
    names = [n.encode() + b".json" for n in ("甲", "乙", "丙", "丁", "戊", "己")] + NASTY_NAMES
    units = NASTY_UNITS + [f"单位{i}" for i in range(len(NASTY_NAMES))]
    for name, unit in zip(names, units, strict=True):
        report = {
            "form": "songwennuan-2017",
            "meta": {"unit": unit, "date": "2017-01-10"},
            "values": {"01A": 1},
        }
        with open(os.path.join(os.fsencode(folder), name), "w", encoding="utf-8") as fh:
            fh.write(json.dumps(report, ensure_ascii=False))
    return folder


def _cells(path: Path) -> list[tuple[object, str]]:
    wb = openpyxl.load_workbook(path)
    return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_every_workbook_for_people_keeps_hostile_text_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    books = {
        "report": tmp_path / "审核结果.xlsx",
        "total": tmp_path / "汇总.xlsx",
        "status": tmp_path / "报送进度.xlsx",
    }
    runs = [
        ["validate", str(folder), "--report", str(books["report"])],
        ["aggregate", str(folder), "--unit", "=3+3", "-o", str(books["total"])],
        ["status", str(folder), "-o", str(books["status"])],
        ["validate", str(folder), "--json"],
        ["aggregate", str(folder), "--unit", "x", "-o", str(tmp_path / "汇总.json")],
    ]
    for argv in runs:
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1), (argv, err)
        assert "internal error" not in err and "Traceback" not in err
        assert "\nforged" not in out  # a newline in a file name never forges a line
        out.encode("utf-8")  # valid Unicode: the undecodable bytes are shown as \xff
    total = json.loads((tmp_path / "汇总.json").read_text("utf-8"))
    files = [i["file"] for key in ("included", "rejected") for i in total["provenance"][key]]
    assert any(f.endswith("\\xff\\xfe\\xe4.json") for f in files)  # the bytes shown, the JSON valid
    for name, path in books.items():  # what we wrote ourselves: every text a text cell
        cells = _cells(path)
        texts = [v for v, _ in cells if isinstance(v, str)]
        assert any("=HYPERLINK" in t for t in texts), name
        if name != "total":  # the total's own sheet is the form; its 汇总来源 sheet has the names
            assert any("\\xff" in t for t in texts), name
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed: opened with openpyxl only")
    # A control: the same text written as a plain value is run as a formula, so the check can fail.
    raw = openpyxl.Workbook()
    raw.active.append(["=1+1"])
    raw.save(tmp_path / "raw.xlsx")
    paths = [*books.values(), tmp_path / "raw.xlsx"]
    converted = dict(zip(paths, convert(paths, "xlsx", tmp_path / "lo"), strict=True))
    assert ("=1+1", "f") in _cells(converted[tmp_path / "raw.xlsx"])
    for name, path in books.items():
        cells = _cells(converted[path])
        formulas = [
            v for v, t in cells if t == "f" and isinstance(v, str) and ("1+1" in v or "HYPERLINK" in v)
        ]
        assert formulas == [], name
        texts = [v for v, _ in cells if isinstance(v, str)]
        assert any(t.startswith('=HYPERLINK("http://x"') for t in texts), name
