"""The form model: markup parsing, code derivation, labels, and what makes a form invalid."""

from __future__ import annotations

import pickle
import tomllib

import pytest

from unionforms import DefinitionError, Form, Kind
from unionforms.core.model import Line

BASE = """
id = "demo-2020"
family = "demo"
year = 2020
version = "1"
title = "演示表"
"""


def _form(lines: str) -> Form:
    return Form.from_dict(tomllib.loads(BASE + lines))


def test_codes_follow_line_letter_and_printed_order() -> None:
    line = Line.from_markup(
        "07",
        ["总额{万元}，其中：", "[A]甲{人}，乙{人}；[B]丙{户}", "续{户}；[I]为{户}家庭补贴{万元}"],
    )
    codes = [f.code for f in line.fields]
    assert codes == ["07", "07A.1", "07A.2", "07B.1", "07B.2", "07I.1", "07I.2"]
    assert [f.letter for f in line.fields] == [None, "A", "A", "B", "B", "I", "I"]


def test_labels_quote_the_printed_clause() -> None:
    line = Line.from_markup("08", ["[A]为{名}权益受损的职工开展维权工作，其中涉及新生代农民工{人}；"])
    assert [f.label for f in line.fields] == ["为___名权益受损的职工开展维权工作", "其中涉及新生代农民工"]


def test_a_label_may_be_qualified_by_words_printed_in_its_line() -> None:
    line = Line.from_markup(
        "09",
        [
            "[A]帮扶农民工{人次}；",
            "[B]生活救助{人次|帮扶农民工：生活救助}，帮扶款物{万元|帮扶农民工：生活救助：帮扶款物}",
        ],
    )
    assert [f.label for f in line.fields][1:] == ["帮扶农民工：生活救助", "帮扶农民工：生活救助：帮扶款物"]


@pytest.mark.parametrize(
    "label",
    ["帮扶困难职工：生活救助", "：生活救助", "帮扶农民工：帮扶农民工", "生活救助：帮扶款物：医疗"],
)
def test_qualifiers_and_words_must_be_printed(label: str) -> None:
    """Qualifiers quote any row of the line; the words after the last ： quote the blank's own row."""
    with pytest.raises(DefinitionError) as info:
        Line.from_markup("09", ["[A]帮扶农民工{人次}；", f"[B]生活救助{{人次|{label}}}，帮扶款物{{万元}}"])
    assert info.value.code == "DEF-020"
    assert info.value.field == "09B.1"


def test_printed_row_reproduces_the_paper_sentence() -> None:
    line = Line.from_markup("05", ["[B]资金是否纳入财政预算{是/否}。"])
    assert line.rows[0].printed == "（B）资金是否纳入财政预算___（是/否）。"
    assert line.fields[0].kind is Kind.FLAG


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("[a]x{人}", "DEF-003"),
        ("x{人", "DEF-016"),
        ("x{公斤}", "DEF-017"),
        ("x]{人}", "DEF-018"),
        ("[a]x{人}", "DEF-003"),
        ("[A]{人}", "DEF-004"),
        ("[A]甲{人|乙}", "DEF-020"),
    ],
)
def test_bad_markup_is_refused_with_its_code(row: str, code: str) -> None:
    with pytest.raises(DefinitionError) as info:
        _form(f'[[lines]]\nnumber = "01"\nrows = ["{row}"]\n')
    assert info.value.code == code
    assert info.value.form == "demo-2020"
    assert info.value.line == "01"


def test_duplicate_codes_and_lines_are_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        _form('[[lines]]\nnumber = "01"\nrows = ["a{人}"]\n[[lines]]\nnumber = "01"\nrows = ["b{人}"]\n')
    assert info.value.code == "DEF-002"


def test_missing_keys_and_bad_ids_are_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        Form.from_dict({"id": "x-1"})
    assert info.value.code == "DEF-001"
    assert info.value.params == {"key": "'lines'"}
    with pytest.raises(DefinitionError) as info:
        _form('[[lines]]\nnumber = "1"\nrows = ["a{人}"]\n')
    assert info.value.code == "DEF-013"
    with pytest.raises(DefinitionError) as info:
        Form.from_dict(
            {**tomllib.loads(BASE), "id": "Bad Id", "lines": [{"number": "01", "rows": ["a{人}"]}]}
        )
    assert info.value.code == "DEF-012"


def test_unreadable_definition_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "form.toml"
    bad.write_text("id = ", encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        Form.from_toml(bad)
    assert info.value.code == "DEF-021"
    assert info.value.file == str(bad)
    assert info.value.params == {"line_no": "1", "column": "6"}
    with pytest.raises(DefinitionError) as info:
        Form.from_toml(tmp_path / "missing.toml")
    assert info.value.code == "DEF-006" and "Errno" not in info.value.text()
    assert "No such file" in (info.value.detail or "")


def test_form_is_frozen() -> None:
    form = _form('[[lines]]\nnumber = "01"\nrows = ["a{人}"]\n')
    with pytest.raises(AttributeError):
        form.title = "x"  # type: ignore[misc]


def test_form_holds_no_dict_so_it_is_hashable_and_its_checks_cannot_be_bypassed() -> None:
    text = 'decimals = { "01B" = 4 }\n[[lines]]\nnumber = "01"\nrows = ["[A]甲{人}，[B]乙{万元}"]\n'
    form, again = _form(text), _form(text)
    assert hash(form) == hash(again) and form == again and len({form, again}) == 1
    assert form != _form(text.replace("= 4", "= 3"))
    for table in (form.decimals, form.aggregate, form.fields):
        with pytest.raises(TypeError):
            table["01B"] = 9  # type: ignore[index]
    assert form.declared_decimals("01B") == 4
    back = pickle.loads(pickle.dumps(form))  # the registry cache keeps forms pickled
    assert back == form and hash(back) == hash(form) and back.fields["01B"] == form.fields["01B"]


def test_a_letter_cannot_start_twice_in_a_line() -> None:
    with pytest.raises(DefinitionError) as info:
        _form('[[lines]]\nnumber = "01"\nrows = ["[A]甲{人}，[B]乙{人}，[A]丙{人}"]\n')
    assert info.value.code == "DEF-019"


def test_money_is_declared_to_two_places_unless_overridden() -> None:
    lines = """
[[lines]]
number = "01"
rows = ["[A]筹集{万元}，[B]慰问{人}，[C]其中{万元}。"]
"""
    form = _form(lines)
    assert [form.declared_decimals(c) for c in ("01A", "01B", "01C")] == [2, None, 2]
    form = _form('money_decimals = 4\ndecimals = { "01C" = 0 }\n' + lines)
    assert [form.declared_decimals(c) for c in ("01A", "01B", "01C")] == [4, None, 0]
    bad = {'decimals = { "01B" = 2 }': "DEF-025", 'decimals = { "09" = 2 }': "DEF-025"}
    bad |= {"money_decimals = 7": "DEF-024", 'decimals = { "01C" = -1 }': "DEF-024"}
    for text, code in bad.items():
        with pytest.raises(DefinitionError) as info:
            _form(text + "\n" + lines)
        assert info.value.code == code, text


_LINE = '[[lines]]\nnumber = "01"\nrows = ["[A]甲{人}，[B]乙{万元}"]\n'
_RULE = '[[rules]]\nid = "r"\nexpr = "01A >= 0"\nreason = "r"\n'


@pytest.mark.parametrize(
    ("text", "code", "table", "guess"),
    [
        ('columns = ["x"]\n' + _LINE, "DEF-040", "form.toml", "lines"),  # the example
        ("pages = 2\n" + _LINE, "DEF-041", "form.toml", None),
        ('[header]\nunit_lable = "填报单位"\n\n' + _LINE, "DEF-040", "[header]", "unit_label"),
        ('[notes]\nitem = ["1、"]\n\n' + _LINE, "DEF-040", "[notes]", "items"),
        (_LINE + "zzz = true\n", "DEF-041", "[[lines]] 01", None),
        (_LINE + _RULE + 'sevrity = "warning"\n', "DEF-040", "[[rules]] r", "severity"),
    ],
)
def test_unknown_keys_anywhere_are_refused_with_the_closest_known_key(
    text: str, code: str, table: str, guess: str | None
) -> None:
    with pytest.raises(DefinitionError) as info:
        _form(text)
    assert info.value.code == code and info.value.params["table"] == table
    assert info.value.params.get("guess") == guess
    assert (f"是否应为 {guess}？" in info.value.message) == (guess is not None)


def test_every_key_the_spec_lists_is_known() -> None:
    _form(
        'copied_from = "demo-2019"\nline_style = "paren"\nmoney_decimals = 2\ndecimals = { "01B" = 4 }\n'
        '[header]\nunit_label = "a"\nfiller_label = "b"\nphone_label = "c"\n'
        '[notes]\nheading = "注"\nitems = ["1、"]\nposition = "top"\n'
        '[aggregate]\n"01A" = "sum"\n' + _LINE + _RULE + 'severity = "warning"\nmissing = "skip"\n'
        'tolerance = "0"\nmessage = "{left}"\n'
    )


@pytest.mark.parametrize(("family", "year"), [("demo", 2021), ("songwennuan", 2020)])
def test_family_and_year_must_agree_with_the_id(family: str, year: int) -> None:
    text = BASE.replace('family = "demo"', f'family = "{family}"').replace("2020\n", f"{year}\n", 1)
    with pytest.raises(DefinitionError) as info:
        Form.from_dict(tomllib.loads(text + _LINE))
    assert info.value.code == "DEF-042" and info.value.params["want"] == f"{family}-{year}"
