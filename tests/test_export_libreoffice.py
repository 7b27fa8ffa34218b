"""Exports opened in real LibreOffice: Chinese intact, and text that looks like a formula stays text."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from unionforms import Meta, Registry, Report
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.io.tables import Return
from unionforms.io.writers import export

pytestmark = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")

NASTY = ["=1+1", "+1", "-1+2", "@SUM(1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x")', "'=1+1", "某市总工会"]
CSV_IN = "CSV:44,34,76,1"  # comma, double quote, UTF-8, from line 1 — formulas evaluated, as Excel does


def _cells(path: Path) -> list[tuple[object, str]]:
    wb = openpyxl.load_workbook(path)
    return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_text_never_becomes_a_formula_in_libreoffice(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    items = [
        Return(f"{i}.json", form, Report(form.id, Meta(unit=unit, filled_by=unit), {"01A": i}), "ok")
        for i, unit in enumerate(NASTY)
    ]
    outs = []
    for name, wide in [("long.csv", False), ("wide.csv", True), ("long.xlsx", False), ("wide.xlsx", True)]:
        export(items, str(tmp_path / name), wide=wide)
        outs.append(tmp_path / name)
    # A control: the same text written raw is run as a formula, so the check below can fail.
    with open(tmp_path / "raw.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([["unit"], ["=1+1"]])
    converted = {}
    lo = tmp_path / "lo"
    csvs = [p for p in outs if p.suffix == ".csv"] + [tmp_path / "raw.csv"]
    for path, got in zip(csvs, convert(csvs, "xlsx", lo, infilter=CSV_IN), strict=True):
        converted[path.name] = got
    xlsx = [p for p in outs if p.suffix == ".xlsx"]
    for path, got in zip(xlsx, convert(xlsx, "xlsx", lo / "x"), strict=True):
        converted[path.name] = got
    assert ("=1+1", "f") in _cells(converted["raw.csv"])
    for name in ("long.csv", "wide.csv", "long.xlsx", "wide.xlsx"):
        cells = _cells(converted[name])
        assert [c for c in cells if c[1] == "f"] == [], name
        texts = [v.replace("\r", "\n") for v, _ in cells if isinstance(v, str)]  # CSV import: CR -> LF
        assert "unit" in texts and "某市总工会" in texts, name  # UTF-8 (with BOM) read as such
        for unit in NASTY[:-1]:  # shown as the text, with the apostrophe that keeps it text
            assert "'" + unit.replace("\r", "\n") in texts, (name, unit)
