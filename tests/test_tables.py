"""Tables out and back in: export → import is the identity; bad rows are findings naming their row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Form, Meta, ReadResult, Registry, Report
from unionforms.core.errors import InputError
from unionforms.io.reading import read_many
from unionforms.io.tables import LONG_COLUMNS, Return, escape_text, unescape_text, wide_columns
from unionforms.io.writers import export
from unionforms.strategies import reports


def _return(form: Form, report: Report, name: str) -> Return:
    return Return(name, form, report, "ok")


def _read_back(path: Path, registry: Registry) -> list[ReadResult]:
    entries = list(read_many(path, registry))
    bad = [e for e in entries if not isinstance(e, ReadResult)]
    assert bad == []
    return [e for e in entries if isinstance(e, ReadResult)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("wide", [False, True], ids=["long", "wide"])
@settings(max_examples=8)
@given(data=st.data())
def test_export_then_import_is_the_identity(
    form: Form,
    registry: Registry,
    tmp_path_factory: pytest.TempPathFactory,
    suffix: str,
    wide: bool,
    data: st.DataObject,
) -> None:
    originals = data.draw(st.lists(reports(form), min_size=1, max_size=3))
    path = tmp_path_factory.mktemp("rt") / f"figures{suffix}"
    items = [_return(form, r, f"in/{i}.json") for i, r in enumerate(originals)]
    summary = export(items, str(path), wide=wide)
    assert summary.returns == len(originals)
    back = _read_back(path, registry)
    assert [r.report for r in back] == originals
    assert [f for r in back for f in r.findings] == []


def test_money_is_exact_decimal_text_and_flags_are_shi_fou(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    money = next(f for f in form.iter_fields() if f.unit == "万元")
    flag = next(f for f in form.iter_fields() if f.unit == "是/否")
    count = next(f for f in form.iter_fields() if f.kind.value == "count")
    values = {money.code: Decimal("123456789012.35"), flag.code: False, count.code: 7}
    report = Report(form.id, Meta(unit="某市总工会"), values)
    out = tmp_path / "long.csv"
    export([_return(form, report, "a.json")], str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel on Chinese Windows
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(LONG_COLUMNS)
    by_code = {r["code"]: r for r in rows}
    assert by_code[money.code]["value"] == "123456789012.35"
    assert by_code[flag.code]["value"] == "否"
    assert by_code[count.code]["value"] == "7"
    assert by_code[money.code]["measure_unit"] == "万元" and by_code[money.code]["label"] == money.label


def test_wide_csv_has_a_labels_row_and_may_lose_it(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    report = Report(form.id, Meta(unit="甲"), {next(iter(form.fields)): 3})
    out = tmp_path / "wide.csv"
    export([_return(form, report, "a.json")], str(out), wide=True)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == wide_columns(form)
    assert lines[1].startswith("填报单位,表式,")
    # Another system may write the codes row only: that reads the same.
    (tmp_path / "nolabels.csv").write_text("\n".join([lines[0], lines[2]]), encoding="utf-8")
    assert [r.report for r in _read_back(tmp_path / "nolabels.csv", registry)] == [report]


def test_a_bad_row_is_its_own_problem_and_the_others_are_read(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    good = [Report(form.id, Meta(unit=f"单位{i}"), {"01A": 10 + i}) for i in range(3)]
    out = tmp_path / "wide.csv"
    export([_return(form, r, f"{i}.json") for i, r in enumerate(good)], str(out), wide=True)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    bad_form = lines[3].replace("songwennuan-2017", "songwennuan-2099")
    too_long = lines[4] + ",x,y"
    bad_value = lines[2].replace(",10,", ",十个,")
    (tmp_path / "bad.csv").write_text(
        "\n".join([*lines[:2], bad_value, bad_form, too_long]), encoding="utf-8"
    )
    entries = list(read_many(tmp_path / "bad.csv", registry))
    assert len(entries) == 3
    value_row, form_row, long_row = entries
    assert isinstance(value_row, ReadResult)
    [finding] = value_row.findings
    col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("01A")]
    assert finding.code == "VAL-003" and finding.file == f"{tmp_path / 'bad.csv'}#row 3"
    assert finding.cells == (f"{col}3",) and finding.fields == ("01A",)
    assert (
        isinstance(form_row, InputError)
        and form_row.code == "IN-003"
        and "songwennuan-2099" in form_row.message
        and str(form_row.file).endswith("#row 4")
    )
    assert (
        isinstance(long_row, InputError)
        and long_row.code == "IN-081"
        and long_row.params == {"cells": len(header) + 2, "columns": len(header)}
        and str(long_row.file).endswith("#row 5")
    )


def test_long_table_repeated_code_and_value_without_code(registry: Registry, tmp_path: Path) -> None:
    head = ",".join(LONG_COLUMNS)
    row = "甲,songwennuan-2017,2017,{code},,,,,{value},a.json,ok,,,,"
    text = "\n".join(
        [head, row.format(code="01A", value=5), row.format(code="01A", value=6), row.format(code="", value=7)]
    )
    (tmp_path / "long.csv").write_text(text, encoding="utf-8")
    [entry] = list(read_many(tmp_path / "long.csv", registry))
    assert isinstance(entry, ReadResult)
    assert entry.report.values == {"01A": 5}
    assert [(f.code, f.cells) for f in entry.findings] == [("VAL-010", ("I3",)), ("VAL-011", ("I4",))]
    assert entry.source.file == f"{tmp_path / 'long.csv'}#rows 2-4"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8"])
def test_a_csv_saved_by_chinese_excel_or_libreoffice_reads(
    registry: Registry, tmp_path: Path, encoding: str
) -> None:
    """GBK/GB18030 (Excel on Chinese Windows), UTF-16 with or without its BOM (LibreOffice's "Unicode"),
    UTF-8 without a BOM: found as a report's encoding is (``io.text.text_encoding``), never IN-083."""
    form = registry.get("songwennuan-2017")
    report = Report(form.id, Meta(unit="广东省总工会"), {"01A": 12})
    out = tmp_path / "wide.csv"
    export([_return(form, report, "a.json")], str(out), wide=True)
    saved = tmp_path / f"{encoding}.csv"
    saved.write_bytes(out.read_text(encoding="utf-8-sig").encode(encoding))
    assert [r.report for r in _read_back(saved, registry)] == [report]


@pytest.mark.parametrize("text", ["a,b\n1,2\n", ""], ids=["no-form-column", "empty"])
def test_a_file_that_is_no_table_is_one_unusable_entry(registry: Registry, tmp_path: Path, text: str) -> None:
    (tmp_path / "x.csv").write_text(text, encoding="utf-8")
    [entry] = list(read_many(tmp_path / "x.csv", registry))
    assert isinstance(entry, InputError) and entry.code == "IN-082" and entry.file == str(tmp_path / "x.csv")


def test_a_row_without_a_form_is_in_080_and_the_next_row_is_read(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    reports = [Report(form.id, Meta(unit=unit), {"01A": 1}) for unit in ("甲", "乙")]
    out = tmp_path / "wide.csv"
    export([_return(form, r, f"{i}.json") for i, r in enumerate(reports)], str(out), wide=True)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("songwennuan-2017", "")
    (tmp_path / "blank.csv").write_text("\n".join(lines), encoding="utf-8")
    first, second = read_many(tmp_path / "blank.csv", registry)
    assert isinstance(first, InputError) and first.code == "IN-080" and str(first.file).endswith("#row 3")
    assert isinstance(second, ReadResult) and second.report == reports[1]


def test_a_csv_the_csv_module_cannot_parse_is_in_083(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "huge.csv").write_text("form,unit\n" + "x" * (csv.field_size_limit() + 1), encoding="utf-8")
    entries = list(read_many(tmp_path / "huge.csv", registry))
    assert [(type(e), getattr(e, "code", None)) for e in entries] == [(InputError, "IN-083")]


@given(st.text())
def test_escape_is_undone_and_never_leaves_a_formula_start(text: str) -> None:
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_aggregate_keeps_a_reference_to_its_provenance(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    total = Report(form.id, Meta(unit="某省总工会"), {"01A": 30})
    ret = attrs.evolve(_return(form, total, "total.json"), provenance={"inputs": 2, "included": []})
    out = tmp_path / "wide.csv"
    export([ret], str(out), wide=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[1]["provenance"] == "total.json#/provenance"
    [back] = _read_back(out, registry)
    assert back.provenance == {"ref": "total.json#/provenance"}
    again = tmp_path / "again.csv"
    export([Return(back.source.file or "", form, back.report, "ok", (), back.provenance)], str(again))
    assert "total.json#/provenance" in again.read_text(encoding="utf-8-sig")


def test_the_same_figures_hash_the_same_however_written(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")

    def ret(values: dict[str, object]) -> Return:
        return _return(form, Report(form.id, Meta(unit="甲"), values), "a.json")

    assert ret({"05": Decimal("12.5")}).figures_hash == ret({"05": Decimal("12.50")}).figures_hash
    assert ret({"05": Decimal("12.5")}).figures_hash != ret({"05": Decimal("12.51")}).figures_hash
    assert ret({"01A": 0}).figures_hash != ret({}).figures_hash  # a blank is not a zero


def test_a_formula_without_a_result_in_a_wide_xlsx_is_val_007(registry: Registry, tmp_path: Path) -> None:
    import openpyxl

    form = registry.get("songwennuan-2017")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(wide_columns(form))
    ws.append(["甲", form.id])
    ws.cell(2, wide_columns(form).index("01A") + 1, "=1+1")  # openpyxl stores no cached result
    wb.save(tmp_path / "w.xlsx")
    [entry] = list(read_many(tmp_path / "w.xlsx", registry))
    assert isinstance(entry, ReadResult) and entry.report.values == {}
    [finding] = entry.findings
    assert (
        finding.code == "VAL-007" and finding.fields == ("01A",) and finding.file and "row 2" in finding.file
    )


def test_a_column_given_twice_makes_the_table_unusable_naming_it(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("unit,form,01A,01B,01A\n甲,songwennuan-2017,100,2,5\n", encoding="utf-8")
    [entry] = list(read_many(path, registry))
    assert isinstance(entry, InputError) and entry.code == "IN-089" and "01A" in str(entry)


def test_a_table_of_too_many_returns_is_one_unusable_input_never_read_in_part(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unionforms.collect import batch
    from unionforms.io import tables

    path = tmp_path / "wide.csv"
    rows = "".join(f"第{i}县,songwennuan-2017,{i}\n" for i in range(6))
    path.write_text("unit,form,01A\n" + rows, encoding="utf-8")
    monkeypatch.setattr(tables, "MAX_TABLE_RETURNS", 5)
    [item] = batch.expand([str(path)], registry)  # found while the rows are read (a long table's way)
    assert isinstance(item.row, InputError) and item.row.code == "IN-065"
    monkeypatch.setattr(tables, "_COUNT_ABOVE", 0)  # and counted before any is read (a wide table's)
    [entry] = list(read_many(path, registry))
    assert isinstance(entry, InputError) and entry.code == "IN-065"
    monkeypatch.setattr(tables, "MAX_TABLE_RETURNS", 6)
    assert len(batch.expand([str(path)], registry)) == 6


def test_a_long_table_counts_its_returns_by_their_runs_of_rows(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unionforms.io import tables

    path = tmp_path / "long.csv"
    rows = "".join(f"第{i}县,songwennuan-2017,{code},{i}\n" for i in range(6) for code in ("01A", "01B"))
    path.write_text("unit,form,code,value\n" + rows, encoding="utf-8")
    assert tables._count_returns(path) == 6
    monkeypatch.setattr(tables, "_COUNT_ABOVE", 0)
    monkeypatch.setattr(tables, "MAX_TABLE_RETURNS", 5)
    [entry] = list(read_many(path, registry))
    assert isinstance(entry, InputError) and entry.code == "IN-065"


def test_a_quote_never_closed_makes_its_row_unusable_not_the_rest(tmp_path: Path, registry: Registry) -> None:
    """The csv module would take every following line into that field: one unusable input for all."""
    path = tmp_path / "wide.csv"
    path.write_text(
        'unit,form,01A\n甲,songwennuan-2017,1\n乙,songwennuan-2017,"2\n丙,songwennuan-2017,3\n丁,songwennuan-2017,4\n',
        encoding="utf-8",
    )
    entries = list(read_many(path, registry))
    units = [e.report.meta.unit if not isinstance(e, InputError) else e.code for e in entries]
    assert units == ["甲", "IN-083", "丙", "丁"]
    assert isinstance(entries[1], InputError) and entries[1].file == f"{path}#row 3"
    # a quoted field that holds a line break, closed, is one field as ever
    path.write_text(
        'unit,form,01A,explanations\n甲,songwennuan-2017,1,"{""01-x"":\n""一""}"\n', encoding="utf-8"
    )
    [entry] = list(read_many(path, registry))
    assert not isinstance(entry, InputError) and entry.report.explanations == {"01-x": "一"}
