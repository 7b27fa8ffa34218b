"""The xlsx reader: exact values from filled templates, located findings, damaged files refused."""

from __future__ import annotations

import datetime
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionforms import Form, InputError, Meta, Registry, Report
from unionforms.excel import read_xlsx, safety
from unionforms.excel.fill import fill
from unionforms.excel.writer import write_template
from unionforms.strategies import reports

from .xlsx_builders import HEADER_CELLS, build, raw_book, rewrite


def test_values_of_every_kind_read_back_exactly(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    path = tmp_path / "filled.xlsx"
    values = {"01": 5, "01A": 2, "01B": 3, "01C": 0, "05": Decimal("1234.56"), "05B": Decimal("0.1")}
    values |= {"06A": Decimal("99999.99"), "06B": True, "07A": 100000}
    meta = {"H_unit": "乐山市总工会", "H_filled_by": "张三", "H_phone": 13800138000}
    cells = build(form, path, values, meta | {"H_date": datetime.date(2017, 1, 15)})
    result = read_xlsx(path, registry)
    assert result.form is form
    assert result.findings == ()
    assert result.report.values == values
    assert {c: type(v) for c, v in result.report.values.items()} == {c: type(v) for c, v in values.items()}
    assert str(result.report.values["05"]) == "1234.56"
    # a cell does not keep the places typed: numbers are read at the declared precision of 万元 (2)
    assert str(result.report.values["05B"]) == "0.10"
    assert str(result.report.values["06A"]) == "99999.99"
    assert "02" not in result.report.values  # blank stays absent, never 0
    assert result.report.meta == Meta("乐山市总工会", "张三", "13800138000", datetime.date(2017, 1, 15))
    assert result.source.file == str(path)
    assert result.source.sheet == form.title
    assert dict(result.source.cells) == cells  # blanks are located too


def test_what_fillers_type_is_coerced(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    path = tmp_path / "typed.xlsx"
    values = {"01": "12", "01A": "１２", "01B": "12个", "02": "12人", "05": "3.5万元", "05B": " 7 "}
    values |= {"06B": "√", "02A": "1,234", "02B": "0"}
    build(form, path, values)
    result = read_xlsx(path, registry)
    assert result.findings == ()
    assert result.report.values == {
        "01": 12,
        "01A": 12,
        "01B": 12,
        "02": 12,
        "05": Decimal("3.5"),
        "05B": Decimal("7"),
        "06B": True,
        "02A": 1234,
        "02B": 0,
    }
    assert str(result.report.values["05"]) == "3.50"  # to its declared places, as in every format
    build(form, path, {"06B": "×"})
    assert read_xlsx(path, registry).report.values == {"06B": False}


def test_bad_values_are_findings_naming_file_sheet_and_cell(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    path = tmp_path / "bad.xlsx"
    cells = build(form, path, {"01": "很多", "01A": -1, "01B": Decimal("1.5"), "05": -3, "06B": "也许"})
    result = read_xlsx(path, registry)
    got = {f.fields[0]: f for f in result.findings}
    assert {c: f.code for c, f in got.items()} == {
        "01": "VAL-003",
        "01A": "VAL-001",
        "01B": "VAL-002",
        "05": "VAL-006",
        "06B": "VAL-004",
    }
    for code, finding in got.items():
        assert finding.file == str(path)
        assert finding.sheet == form.title
        assert finding.cells == (cells[code],)
        assert f"{code}（{cells[code]}）" in finding.message
    assert list(got) == ["01", "01A", "01B", "05", "06B"]  # in the form's order
    assert result.report.values == {}


def test_header_date_forms_and_a_bad_date(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "date.xlsx"
    want = datetime.date(2017, 1, 15)
    for typed in (
        "2017-01-15",
        "2017/1/15",
        "2017年1月15日",
        "2017.1.15",
        "２０１７年１月１５日",
        "20170115",
        42750,
    ):
        build(form, path, meta={"H_date": typed})
        result = read_xlsx(path, registry)
        assert (result.report.meta.date, result.findings) == (want, ()), typed
    build(form, path, meta={"H_date": "下周一", "H_phone": "028-12345678", "H_unit": "  "})
    result = read_xlsx(path, registry)
    assert result.report.meta == Meta(phone="028-12345678")
    (finding,) = result.findings
    assert finding.code == "META-001"
    assert finding.cells == (HEADER_CELLS["H_date"],) and finding.sheet == form.title
    assert "H2" in finding.message and "下周一" in finding.message


def test_formula_with_cached_result_is_used_and_without_is_val007(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "formula.xlsx"
    cells = build(form, path, {"01B": 7, "01A": "=E4*2", "02A": "=1/0", "03A": "=1+1", "04A": '="是"'})
    sheet = "xl/worksheets/sheet1.xml"

    def cache(xml: str) -> str:  # as Excel saves it: the computed result after the formula
        def stored(code: str, formula: str, result: str, type_: str = "") -> None:
            nonlocal xml
            # Writers differ: <v/>, <v /> or <v></v>, and CJK as characters or as character references.
            spelled = {re.escape(formula), re.escape(formula.encode("ascii", "xmlcharrefreplace").decode())}
            empty = re.compile(rf'<c r="{cells[code]}"><f>(?:{"|".join(spelled)})</f>(?:<v ?/>|<v></v>)</c>')
            xml, n = empty.subn(f'<c r="{cells[code]}"{type_}><f>{formula}</f><v>{result}</v></c>', xml)
            assert n == 1, (code, xml[:200])

        stored("01A", "E4*2", "14")
        stored("02A", "1/0", "#DIV/0!", ' t="e"')
        stored("04A", '"是"', "是", ' t="str"')
        return xml

    rewrite(path, sheet, cache)
    result = read_xlsx(path, registry)
    assert result.report.values == {"01A": 14, "01B": 7}
    got = {f.fields[0]: f for f in result.findings}
    assert {c: f.code for c, f in got.items()} == {"02A": "VAL-003", "03A": "VAL-007", "04A": "VAL-003"}
    assert "#DIV/0!" in got["02A"].message
    missing = got["03A"]
    assert missing.cells == (cells["03A"],) and missing.sheet == form.title and missing.file == str(path)
    assert missing.values == ("=1+1",)
    assert "公式" in missing.message and "保存" in missing.message


def test_a_row_inserted_above_still_reads_right(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "moved.xlsx"
    cells = build(form, path, {"01A": 100, "01B": 40, "05": Decimal("12.5")}, {"H_unit": "某单位"})
    wb = openpyxl.load_workbook(path)
    ws = wb[form.title]
    ws.insert_rows(3, amount=2)  # the filler adds two rows of notes above the form
    for name in list(wb.defined_names):
        dn = wb.defined_names[name]
        dn.attr_text = re.sub(
            r"\$([A-Z]+)\$(\d+)$",
            lambda m: f"${m[1]}${int(m[2]) + 2 if int(m[2]) >= 3 else m[2]}",
            dn.attr_text,
        )
    wb.save(path)
    result = read_xlsx(path, registry)
    assert result.findings == ()
    assert result.report.values == {"01A": 100, "01B": 40, "05": Decimal("12.5")}
    assert result.report.meta.unit == "某单位"
    assert result.source.cells["01A"] == re.sub(r"\d+", lambda m: str(int(m[0]) + 2), cells["01A"])


def test_missing_and_deleted_names_are_findings_naming_the_field(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "names.xlsx"
    build(form, path, {"01A": 5, "01B": 3, "02A": 2}, omit=("01B",))
    rewrite(path, "xl/workbook.xml", lambda xml: re.sub(r'(name="F_02A">)[^<]*', r"\1#REF!", xml))
    result = read_xlsx(path, registry)
    assert result.report.values == {"01A": 5}
    assert "01B" not in result.source.cells and "02A" not in result.source.cells
    assert [(f.code, f.fields, f.is_error) for f in result.findings] == [
        ("TPL-001", ("01B",), True),
        ("TPL-001", ("02A",), True),
    ]
    deleted = result.findings[1]
    assert deleted.message.startswith(f"02A {form.fields['02A'].label}") and "F_02A" in deleted.message
    assert deleted.detail == "F_02A = #REF!"


@pytest.mark.parametrize(
    "target", ["'删掉的表'!$D$4", "Sheet1!$D$4:$E$5", "$D$4"], ids=["missing-sheet", "range", "no-sheet"]
)
def test_a_name_that_names_no_cell_is_a_finding(registry: Registry, tmp_path: Path, target: str) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "nosheet.xlsx"
    build(form, path, {"01A": 5, "01B": 3})
    rewrite(
        path, "xl/workbook.xml", lambda xml: re.sub(r'(name="F_01B">)[^<]*', lambda m: m[1] + target, xml)
    )
    result = read_xlsx(path, registry)
    assert [(f.code, f.fields) for f in result.findings] == [("TPL-001", ("01B",))]
    assert result.report.values == {"01A": 5}


def test_a_deleted_header_name_is_a_finding(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "header.xlsx"
    build(form, path, {"01A": 5}, {"H_unit": "某单位"})
    rewrite(path, "xl/workbook.xml", lambda xml: re.sub(r'(name="H_unit">)[^<]*', r"\1#REF!", xml))
    result = read_xlsx(path, registry)
    assert [f.code for f in result.findings] == ["TPL-002"]
    assert result.findings[0].message.startswith(form.header.unit_label)
    assert result.report.meta.unit is None


# --- what Excel, WPS and LibreOffice write --------------------------------------------------------


def test_cell_encodings_of_other_writers(registry: Registry, tmp_path: Path) -> None:
    rows = (
        '<row r="4"><c r="D4" t="s"><v>0</v></c><c r="E4" t="inlineStr"><is><t>1</t><t>2人</t></is></c></row>'
        '<row r="5"><c r="D5" t="str"><f>"3"&amp;"0"</f><v>30</v></c><c r="E5"><v>7</v></c></row>'
        '<row r="6"><c r="D6" t="n"><v>1E1</v></c><c r="E6" t="s"><v>1</v></c></row>'
        '<row r="8"><c r="D8" t="n"><v>100.49999999999999</v></c>'
        '<c r="E8" t="n"><v>2.2999999999999998</v></c>'
        '<c r="F8" t="d"><v>2017-01-15T00:00:00</v></c></row>'
        "<row><c/><c/><c/><c><v>9</v></c></row>"  # row 9, cell D9: positions left implicit
    )
    strings = [
        "<r><rPr><sz val='11'/></rPr><t>2</t></r><r><t xml:space='preserve'>0</t></r>"  # rich text: "20"
        "<rPh sb='0' eb='1'><t>ニ</t></rPh>",
        "<t>ab_x000D_c</t>",
    ]
    names = [
        ("F_01A", "表!$D$4", None),
        ("F_01B", "'表'!E4", None),
        ("F_02A", "表!$D$5:$D$5", None),
        ("f_02b", "表!$E$5", None),  # names are case-insensitive
        ("F_03A", "$D$6", 0),  # only a sheet-local name
        ("F_03B", "表!$E$6", None),
        ("F_05", "表!$D$8", None),
        ("F_05A", "表!$E$8", None),
        ("F_05A", "表!$A$1", 0),  # a sheet-local duplicate loses to the workbook-scope name
        ("F_03C", "表!$D$9", None),
        ("H_date", "表!$F$8", None),
    ]
    path = tmp_path / "other.xlsx"
    raw_book(path, rows, names=names, strings=strings, absolute_targets=True)
    result = read_xlsx(path, registry)
    assert result.report.values == {
        "01A": 20,
        "01B": 12,
        "02A": 30,
        "02B": 7,
        "03A": 10,
        "03C": 9,
        "05": Decimal("100.5"),
        "05A": Decimal("2.3"),
    }
    # A hand-made book names only some fields: the others are TPL findings, as for a damaged template.
    (finding,) = [f for f in result.findings if not f.code.startswith("TPL")]  # "ab\rc" is no number
    assert (finding.code, finding.fields, finding.cells, finding.sheet) == (
        "VAL-003",
        ("03B",),
        ("E6",),
        "表",
    )
    assert finding.values == ("ab\rc",)
    assert result.report.meta.date == datetime.date(2017, 1, 15)


def test_date1904_and_strict_namespace(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "mac.xlsx"
    rows = '<row r="2"><c r="H2" s="1"><v>41288</v></c></row><row r="4"><c r="D4"><v>3</v></c></row>'
    names = [("H_date", "表!$H$2", None), ("F_01A", "表!$D$4", None)]
    raw_book(path, rows, names=names, date1904=True, ns="http://purl.oclc.org/ooxml/spreadsheetml/main")
    result = read_xlsx(path, registry)
    assert result.report.meta.date == datetime.date(2017, 1, 15)
    assert result.report.values == {"01A": 3}


def test_identification_stored_as_numbers(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "numbers.xlsx"
    raw_book(path, '<row r="4"><c r="D4"><v>3</v></c></row>', names=[("F_01A", "表!$D$4", None)])
    assert read_xlsx(path, registry).report.values == {"01A": 3}  # B1 and B3 are the numbers 1 and 1


def test_a_shared_string_index_out_of_range_is_in029(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "sst.xlsx"
    raw_book(path, '<row r="4"><c r="D4" t="s"><v>99</v></c></row>', names=[("F_01A", "表!$D$4", None)])
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-029" and info.value.params == {"ref": "D4", "index": "99"}


def test_sheet_names_needing_quotes(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "quotes.xlsx"
    sheet = "Bob's 表 (1)"
    rows = '<row r="4"><c r="D4"><v>4</v></c><c r="E4"><v>2</v></c></row>'
    names = [("F_01A", "'Bob''s 表 (1)'!$D$4", None), ("F_01B", "'bob''S 表 (1)'!E4", None)]
    raw_book(path, rows, names=names, sheet=sheet)
    result = read_xlsx(path, registry)
    assert result.report.values == {"01A": 4, "01B": 2}
    assert result.source.sheet == sheet and dict(result.source.cells) == {"01A": "D4", "01B": "E4"}


def test_header_entries_of_the_wrong_type(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "header.xlsx"
    build(form, path, meta={"H_unit": 12345, "H_filled_by": True, "H_phone": 2.5e10, "H_date": 60})
    result = read_xlsx(path, registry)
    assert result.report.meta == Meta(unit="12345", phone="25000000000")
    assert [(f.code, f.cells) for f in result.findings] == [("META-002", ("D2",)), ("META-001", ("H2",))]


def test_an_oversized_workbook_part_is_in051(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "names.xlsx"
    build(registry.get("songwennuan-2017"), path, {"01A": 5})
    monkeypatch.setattr(safety, "MAX_TREE_SIZE", 1024)  # workbook.xml is read whole: it must be small
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-051" and "workbook.xml" in info.value.message


# --- the wrong file --------------------------------------------------------------------------------


def test_another_form_than_expected_is_in004(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "2014.xlsx"
    build(registry.get("songwennuan-2014"), path, {"01A.1": 3})
    expected = registry.get("songwennuan-2017")
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry, expect=expected)
    err = info.value
    assert err.code == "IN-004" and err.file == str(path)
    assert "songwennuan-2014" in err.message and "songwennuan-2017" in err.message
    assert read_xlsx(path, registry, expect=registry.get("songwennuan-2014")).report.values == {"01A.1": 3}


def test_another_definition_version_is_in034_and_unknown_form_in003(
    registry: Registry, tmp_path: Path
) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "v2.xlsx"
    other = str(int(form.version) + 1)
    raw_book(path, "", names=[], ident=("1", form.id, other))
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-034"
    assert info.value.params == {"version": other, "installed": form.version}
    raw_book(path, "", names=[], ident=("1", "nosuch-2020", "1"))
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert (info.value.code, info.value.file) == ("IN-003", str(path))
    raw_book(path, "", names=[], ident=("2", form.id, "1"))
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-033" and info.value.params == {"contract": "2", "supported": "1"}


def test_a_plain_workbook_is_in030(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.save(path)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-030" and "unionforms blank" in str(info.value)


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (b"01A,5000\n01B,300\n", "IN-023", "zip"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "IN-022", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "IN-020", ".xlsx"),
        (b"", "IN-021", "空"),
        (b"PK\x03\x04 truncated", "IN-024", "zip"),
    ],
    ids=["text", "pdf", "xls", "empty", "broken-zip"],
)
def test_files_that_are_no_xlsx_are_named_as_what_they_are(
    registry: Registry, tmp_path: Path, content: bytes, code: str, says: str
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == code and info.value.file == str(path)
    assert says in info.value.text()


def test_old_xls_says_save_as_xlsx(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert "请另存为 .xlsx" in str(info.value)


def test_other_zips_are_in002(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-026" and "xl/workbook.xml" in info.value.message
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-027" and ".ods" in info.value.message


def test_unreadable_files_are_in001_and_in010(registry: Registry, tmp_path: Path) -> None:
    for path, code in ((tmp_path / "nofile.xlsx", "IN-001"), (tmp_path, "IN-010")):
        with pytest.raises(InputError) as info:
            read_xlsx(path, registry)
        assert (info.value.code, info.value.file) == (code, str(path))
        assert "Errno" not in info.value.text() and "Errno" in (info.value.detail or "")


def test_malformed_xml_is_in028(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "broken.xlsx"
    build(form, path, {"01A": 5})
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</row>", "</rowx>", 1))
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-028" and "sheet1.xml" in info.value.message
    assert "mismatched tag" in (info.value.detail or "") and "mismatched" not in str(info.value)


def test_damaged_files_raise_only_input_errors(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    good = tmp_path / "good.xlsx"
    build(form, good, {"01A": 5, "05": Decimal("1.5")}, {"H_unit": "某单位"})
    original = good.read_bytes()
    rng = random.Random(20170115)
    path = tmp_path / "damaged.xlsx"
    outcomes = set()
    for i in range(150):
        data = bytearray(original)
        if i % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            read_xlsx(path, registry)
            outcomes.add("read")
        except InputError as exc:
            assert exc.file == str(path)
            outcomes.add(exc.code)
    assert outcomes & {"IN-024", "IN-028"}


# --- round trips -----------------------------------------------------------------------------------


# Text a cell can hold: XML 1.0 has no control characters and no noncharacters such as U+FFFE.
_CELL_TEXT = st.none() | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=20
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_written_values_read_back_identically(
    registry: Registry, form: Form, tmp_path: Path, data: st.DataObject
) -> None:
    report = data.draw(reports(form))
    meta = report.meta
    meta = Meta(data.draw(_CELL_TEXT), data.draw(_CELL_TEXT), meta.phone, meta.date)
    header = {"H_unit": meta.unit, "H_filled_by": meta.filled_by, "H_phone": meta.phone, "H_date": meta.date}
    path = tmp_path / f"{form.id}.xlsx"
    build(form, path, report.values, header)
    result = read_xlsx(path, registry, expect=form)
    assert result.findings == ()
    assert result.report.values == report.values
    assert {c: type(v) for c, v in result.report.values.items()} == {
        c: type(v) for c, v in report.values.items()
    }

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    assert result.report.meta == Meta(text(meta.unit), text(meta.filled_by), meta.phone, meta.date)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_libreoffice_round_trip_reads_the_same(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2016")
    path = tmp_path / "in" / "filled.xlsx"
    path.parent.mkdir()
    values = {"01": 5, "01A": "3", "05": Decimal("1234.56"), "05B": Decimal("0.1"), "06B": True, "02": "12人"}
    build(
        form,
        path,
        values,
        {"H_unit": "乐山市总工会", "H_phone": 13800138000, "H_date": datetime.date(2017, 1, 15)},
    )
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    before, after = read_xlsx(path, registry), read_xlsx(out / "filled.xlsx", registry)
    assert after.findings == before.findings == ()
    assert after.report == before.report
    assert after.report.values["02"] == 12 and after.report.values["06B"] is True
    assert after.source.cells == before.source.cells and after.source.sheet == form.title
    with zipfile.ZipFile(out / "filled.xlsx") as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()  # LibreOffice stores text as shared strings


@pytest.mark.parametrize("text", ["    年    月    日", "年月日", "\u3000年\u3000月\u3000日 "])
def test_the_printed_date_label_with_nothing_typed_in_is_no_date(
    registry: Registry, tmp_path: Path, text: str
) -> None:
    form = registry.get("bangfu-2013")
    path = tmp_path / "blank.xlsx"
    layout = write_template(form, path)
    assert read_xlsx(path, registry).report.meta.date is None  # the template's own 年 月 日
    wb = openpyxl.load_workbook(path)
    wb[layout.sheet][layout.meta["date"]].value = text
    wb.save(path)
    result = read_xlsx(path, registry)
    assert result.findings == () and result.report.meta.date is None
    wb[layout.sheet][layout.meta["date"]].value = "2014年  月  日"  # half typed: a date it is not
    wb.save(path)
    assert [f.code for f in read_xlsx(path, registry).findings] == ["META-001"]


# --- tampering and damage: findings or named errors, never silence ---------------------------------


def _template(registry: Registry, path: Path, values: dict[str, object]) -> Form:
    form = registry.get("songwennuan-2017")
    fill(form, Report(form.id, Meta(unit="某单位"), values), path)
    return form


def _edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def test_a_written_template_carries_its_layout_fingerprint(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    form = _template(registry, path, {"01A": 5})
    ident = openpyxl.load_workbook(path)["_unionforms"]
    keys = {ident.cell(r, 1).value: ident.cell(r, 2).value for r in range(1, 21)}
    assert keys["layout"] is not None and len(str(keys["layout"])) == 32
    result = read_xlsx(path, registry)
    assert (result.form, result.findings, result.report.values) == (form, (), {"01A": 5})


@pytest.mark.parametrize(("row", "value"), [(2, "songwennuan-2014"), (3, "99")], ids=["form", "version"])
def test_an_identity_sheet_edited_to_another_form_or_version_is_in035(
    registry: Registry, tmp_path: Path, row: int, value: str
) -> None:
    path = tmp_path / "edited.xlsx"
    _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:
        wb["_unionforms"].cell(row, 2).value = value

    _edit(path, change)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-035" and info.value.file == str(path)
    assert "模板已被改动" in info.value.text()


def test_another_form_with_broken_names_is_still_in035(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "edited.xlsx"
    _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:
        wb["_unionforms"]["B2"].value = "bangfu-2016"
        wb.defined_names["F_01A"].attr_text = "#REF!"  # the fingerprint cannot be checked ...

    _edit(path, change)
    with pytest.raises(InputError) as info:  # ... but 2017's names are not bangfu-2016's fields
        read_xlsx(path, registry)
    assert info.value.code == "IN-035"


def test_a_template_without_fingerprint_reads_as_before(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:
        ident = wb["_unionforms"]
        for r in range(1, 21):
            if ident.cell(r, 1).value == "layout":
                ident.cell(r, 1).value = ident.cell(r, 2).value = None

    _edit(path, change)
    assert read_xlsx(path, registry).report.values == {"01A": 5}


def test_a_deleted_field_name_is_a_finding_not_in035(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "deleted.xlsx"
    _template(registry, path, {"01A": 5, "01B": 3})

    def change(wb: openpyxl.Workbook) -> None:
        del wb.defined_names["F_01B"]

    _edit(path, change)
    result = read_xlsx(path, registry)
    assert [(f.code, f.fields) for f in result.findings] == [("TPL-001", ("01B",))]
    assert result.report.values == {"01A": 5}  # 01B is unknown, not blank: the finding says so


def test_a_renamed_form_sheet_is_a_warning_and_reads(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsx"
    form = _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:  # as Excel renames: the names follow the sheet
        old = wb.worksheets[0].title
        wb.worksheets[0].title = "改过名的表"
        for name in wb.defined_names.values():
            name.attr_text = name.attr_text.replace(f"'{old}'", "'改过名的表'")

    _edit(path, change)
    result = read_xlsx(path, registry)
    assert [(f.code, f.is_error) for f in result.findings] == [("TPL-003", False)]
    assert "改过名的表" in result.findings[0].message and form.title in result.findings[0].message
    assert result.report.values == {"01A": 5}


def test_a_deleted_form_sheet_is_in036(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "nosheet.xlsx"
    form = _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("空白表")
        del wb[wb.worksheets[0].title]

    _edit(path, change)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-036" and info.value.sheet == form.title


@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_a_missing_identity_sheet_is_in031(registry: Registry, tmp_path: Path, how: str) -> None:
    path = tmp_path / "noid.xlsx"
    _template(registry, path, {"01A": 5})

    def change(wb: openpyxl.Workbook) -> None:
        if how == "deleted":
            del wb["_unionforms"]
        else:
            wb["_unionforms"].title = "Sheet9"

    _edit(path, change)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-031" and "_unionforms" in info.value.message


def test_a_cell_given_twice_is_refused_never_the_last_one_read(tmp_path: Path, registry: Registry) -> None:
    """A sheet holding <c r="D6"> twice (no program saves one so): which value holds cannot be told."""
    from unionforms.excel.layout import plan

    form = registry.get("songwennuan-2017")
    path = tmp_path / "r.xlsx"
    fill(form, Report(form.id, Meta(unit="甲"), {"01A": 100, "01B": 7}), path)
    cell = plan(form).fields["01A"]
    with zipfile.ZipFile(path) as zf:
        sheet = next(
            n
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and cell.encode() and b"<v>100</v>" in zf.read(n)
        )

    def twice(xml: str) -> str:
        found = re.search(rf'<c r="{cell}"[^>]*>.*?</c>', xml)
        assert found is not None
        return xml[: found.end()] + found.group().replace("<v>100</v>", "<v>5</v>") + xml[found.end() :]

    rewrite(path, sheet, twice)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-066" and info.value.cell == cell
