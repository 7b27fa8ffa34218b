"""`check`: a definition checked from its file, every problem at once, located by TOML line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionforms import DefinitionError, Registry, Severity
from unionforms.authoring.definition_check import check_definition, load_definition
from unionforms.core.model import FORM_KEYS

PLUGINS = Path(__file__).resolve().parent.parent / "src" / "unionforms_plugins"
SOURCE = (PLUGINS / "songwennuan_2017" / "form.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "form.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _at(text: str, needle: str) -> tuple[int, int]:
    """The 1-based line and column of ``needle`` in ``text``."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


@pytest.mark.parametrize("plugin", ["songwennuan_2014", "songwennuan_2017", "bangfu_2013", "bangfu_2016"])
def test_the_shipped_definitions_have_no_error(registry: Registry, plugin: str) -> None:
    result = check_definition(PLUGINS / plugin, registry)  # the folder: its form.toml and mapping.toml
    assert result.errors == 0, [p.text() for p in result.problems]
    assert result.form is not None and result.form == registry.forms[result.form.id]


def test_every_error_at_once_at_its_line_and_column(tmp_path: Path) -> None:
    text = (
        SOURCE.replace("[C]慰问一线职工{人}；", "[C]慰问一线职工{元}；")
        .replace('expr = "04B <= 04A"', 'expr = "04B <= 04A +"')
        .replace('expr = "06A <= #06"', 'expr = "06A <= 06Z"')
        .replace('expr = "07J > 0 -> 07I > 0"', 'expr = "07J > 0 -> 07I > 0.5"')
        .replace('id = "02B-01B"', 'id = "02B-part"')
    )
    result = check_definition(_write(tmp_path, text))
    found = {(p.code, p.rule): p for p in result.problems}
    assert result.errors == len(result.problems) == 5, [p.text() for p in result.problems]
    unit = found[("DEF-017", None)]
    row_line, row_col = _at(text, '"[C]慰问一线职工{元}')
    assert (unit.line, unit.column) == (row_line, row_col + 1 + len("[C]慰问一线职工"))
    end = found[("RULE-011", "04B-part")]
    line, quote = _at(text, '"04B <= 04A +"')
    assert (end.line, end.column, end.position) == (line, quote + 1 + 12, 12)  # the end of the rule
    unknown = found[("RULE-002", "06A-part")]
    assert (unknown.line, unknown.column, unknown.position) == (*_at(text, "06Z"), 7)
    fraction = found[("RULE-013", "07J-households")]
    assert (fraction.line, fraction.column) == _at(text, '0.5"')
    twice = found[("DEF-005", "02B-part")]
    assert twice.line == text[: text.rindex('id = "02B-part"')].count("\n") + 1
    assert unknown.text().startswith(
        f"{tmp_path / 'form.toml'}:{unknown.line}:{unknown.column}: 错误 [RULE-002"
    )


def test_rules_on_a_line_that_did_not_load_are_not_judged(tmp_path: Path) -> None:
    text = SOURCE.replace("[D]慰问困难家庭总数{户}", "[D]慰问困难家庭总数{元}")
    codes = [p.code for p in check_definition(_write(tmp_path, text)).problems]
    assert codes == ["DEF-017"]  # not also RULE-002 for 04D, 04E … named by rules


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("money_decimals = 7", "DEF-024"),
        ('decimals = { "01A" = 2 }', "DEF-025"),
        ('decimals = { "05" = -1 }', "DEF-024"),
    ],
)
def test_declared_decimals_are_checked_at_their_key(tmp_path: Path, line: str, code: str) -> None:
    text = SOURCE.replace('title = "', line + '\ntitle = "', 1)
    (problem,) = check_definition(_write(tmp_path, text)).problems
    assert (problem.code, problem.line) == (code, _at(text, line)[0])


def test_toml_syntax_errors_are_located(tmp_path: Path) -> None:
    result = check_definition(_write(tmp_path, 'id = "x"\ntitle = "unclosed\n'))
    (problem,) = result.problems
    assert (problem.code, problem.line) == ("DEF-021", 2)


def test_a_letter_shift_that_changes_units_is_refused_at_the_rule(registry: Registry, tmp_path: Path) -> None:
    """After a letter shift, last year's 04E <= 04D compares 户 with 人: RULE-005, located at the rule."""
    text = SOURCE.replace(
        'id = "songwennuan-2017"', 'id = "songwennuan-2018"\ncopied_from = "songwennuan-2017"'
    )
    text = text.replace("year = 2017", "year = 2018").replace(
        '"[D]慰问困难家庭总数{户}，[E]其中困难职工{户}，",\n  "[F]困难农民工{户}，[G]慰问困难劳模{户}。",',
        '"[D]慰问节日坚守岗位职工{人}；",\n  "[E]慰问困难家庭总数{户}，[F]其中困难职工{户}，",\n'
        '  "[G]困难农民工{户}，[H]慰问困难劳模{户}。",',
    )
    result = check_definition(_write(tmp_path, text), registry)
    refused = {p.rule: p for p in result.problems if p.code == "RULE-005"}
    assert {"04E-part", "04G-plausible"} <= set(refused)
    assert refused["04E-part"].severity is Severity.ERROR
    assert refused["04E-part"].line == _at(text, '"04E <= 04D"')[0]


def test_a_copied_row_not_yet_edited_is_warned_about(tmp_path: Path) -> None:
    text = SOURCE.replace(
        '"[K]与困难职工结对帮扶{对}。",', '"[K]与困难职工结对帮扶{对}。",\n  "[L]与困难职工结对帮扶{对}。",'
    )
    (problem,) = check_definition(_write(tmp_path, text)).problems
    assert problem.code == "LINT-003" and problem.message.startswith(
        "07L 与 07K 的名称相同（“与困难职工结对帮扶”）"
    )
    assert problem.line == _at(text, '"[L]与困难职工')[0]


def test_the_mapping_beside_the_definition_is_checked(registry: Registry, tmp_path: Path) -> None:
    _write(tmp_path, (PLUGINS / "songwennuan_2017" / "form.toml").read_text(encoding="utf-8"))
    mapping = (PLUGINS / "songwennuan_2017" / "mapping.toml").read_text(encoding="utf-8")
    _write(
        tmp_path, mapping.replace('from = "04C.2"\nto = "04E"', 'from = "04C.2"\nto = "04F"'), "mapping.toml"
    )
    result = check_definition(tmp_path, registry)
    codes = {p.code: p.message for p in result.problems}
    assert "04F" in codes["MAP-010"] and "04E" in codes["MAP-011"]  # in two entries, in none
    (moved,) = [p for p in result.problems if "条目 04C.2 → 04F" in p.message]
    assert (moved.line, moved.column) == (_at(mapping, 'from = "04C.2"')[0] - 2, 1)  # its [[map]]
    form, beside = load_definition(tmp_path / "form.toml", registry)
    assert form.id == "songwennuan-2017" and beside is None  # a mapping that does not fit is not used


def test_load_definition_names_the_first_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"does not load: .*RULE-002"):
        load_definition(_write(tmp_path, SOURCE.replace('expr = "06A <= #06"', 'expr = "06A <= 06Z"')))


def test_a_malformed_mapping_entry_is_located(tmp_path: Path) -> None:
    _write(tmp_path, SOURCE)
    mapping = (PLUGINS / "songwennuan_2017" / "mapping.toml").read_text(encoding="utf-8")
    _write(tmp_path, mapping.replace('kind = "split"', 'kind = "halved"'), "mapping.toml")
    (problem,) = check_definition(tmp_path).problems
    assert problem.code == "MAP-005" and "'halved'" in problem.message
    assert problem.file.endswith("mapping.toml") and problem.line == _at(mapping, 'kind = "split"')[0] - 1


def test_a_folder_needs_exactly_one_definition(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="found 0"):
        check_definition(tmp_path)


def test_a_definition_that_is_not_a_regular_file_is_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO named form.toml (reading would wait forever) or mapping.toml: DEF-006 / MAP-008 at once."""
    import os

    from unionforms.authoring.mapping import FormMapping, MappingError
    from unionforms.core.model import Form

    fifo = tmp_path / "form.toml"
    os.mkfifo(fifo)
    with pytest.raises(DefinitionError) as info:
        check_definition(fifo)
    assert info.value.code == "DEF-006" and "IN-090" in (info.value.detail or "")
    with pytest.raises(DefinitionError):
        Form.from_toml(fifo)
    with pytest.raises(MappingError) as mapped:
        FormMapping.from_toml(fifo)
    assert mapped.value.code == "MAP-008"


def test_every_unknown_key_is_an_error_at_its_key_with_the_closest_known_one(tmp_path: Path) -> None:
    text = (
        SOURCE.replace('title = "', 'columns = ["a"]\ntitle = "', 1)
        .replace('expr = "04B <= 04A"', 'expr = "04B <= 04A"\nsevrity = "warning"', 1)
        .replace('number = "02"', 'number = "02"\nrepeat = true', 1)
    )
    result = check_definition(_write(tmp_path, text))
    found = {p.message.split(" 中")[0]: p for p in result.problems}
    assert result.errors == len(result.problems) == 3, [p.text() for p in result.problems]
    top, rule, line = found["form.toml"], found["[[rules]] 04B-part"], found["[[lines]] 02"]
    assert (top.code, top.line, top.column) == ("DEF-040", *_at(text, '["a"]'))  # at its value
    assert "是否应为 lines？" in top.message and "请改正或删去" in top.message  # what, then the fix
    assert (rule.code, rule.line) == ("DEF-040", _at(text, "sevrity")[0]) and "severity" in rule.message
    assert (line.code, line.line) == ("DEF-041", _at(text, "repeat")[0])


@pytest.mark.parametrize(
    ("old", "new", "key"), [("year = 2017", "year = 2018", "year"), ('family = "', 'family = "x', "family")]
)
def test_family_and_year_must_agree_with_the_id(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = SOURCE.replace(old, new, 1)
    (problem,) = check_definition(_write(tmp_path, text)).problems
    assert (problem.code, problem.line) == ("DEF-042", _at(text, new)[0])
    assert "songwennuan-2017" in problem.message and problem.message.endswith("（见 specs/versioning.md）。")


def test_errors_of_the_form_as_a_whole_are_reported_beside_errors_in_its_lines(tmp_path: Path) -> None:
    text = SOURCE.replace('title = "', 'money_decimals = 7\ntitle = "', 1).replace(
        "[C]慰问一线职工{人}；", "[C]慰问一线职工{元}；"
    )
    codes = sorted(p.code for p in check_definition(_write(tmp_path, text)).problems)
    assert codes == ["DEF-017", "DEF-024"]


def test_the_mapping_is_checked_even_when_the_definition_does_not_load(
    registry: Registry, tmp_path: Path
) -> None:
    _write(tmp_path, SOURCE.replace("[C]慰问一线职工{人}；", "[C]慰问一线职工{元}；"))
    mapping = (PLUGINS / "songwennuan_2017" / "mapping.toml").read_text(encoding="utf-8")
    text = mapping.replace('kind = "split"', 'kind = "halved"').replace('from = "04C.2"', 'from = "04C.9"', 1)
    text = text.replace('to = "songwennuan-2017"', 'to = "songwennuan-2017"\nmaps = []', 1)
    _write(tmp_path, text, "mapping.toml")
    result = check_definition(tmp_path, registry)
    found = {p.code: p for p in result.problems}
    assert sorted(found) == ["DEF-017", "MAP-005", "MAP-020"], [p.text() for p in result.problems]
    assert found["MAP-020"].line == _at(text, "maps")[0] and "是否应为 map？" in found["MAP-020"].message
    assert found["MAP-005"].line == _at(text, 'kind = "halved"')[0] - 1  # its [[map]]
    assert "第 " in found["MAP-005"].message and "第 1 个" not in found["MAP-005"].message  # its own index
    assert result.form is None


def test_a_rule_whose_codes_now_name_other_blanks_is_said_to_have_changed_meaning(
    registry: Registry, tmp_path: Path
) -> None:
    """A letter shift that keeps units: 04E <= 04D still loads, but compares other blanks (LINT-002)."""
    text = SOURCE.replace(
        'id = "songwennuan-2017"', 'id = "songwennuan-2018"\ncopied_from = "songwennuan-2017"'
    )
    text = text.replace("year = 2017", "year = 2018").replace(
        '"[D]慰问困难家庭总数{户}，[E]其中困难职工{户}，",\n  "[F]困难农民工{户}，[G]慰问困难劳模{户}。",',
        '"[D]慰问节日坚守岗位职工家庭{户}；",\n  "[E]慰问困难家庭总数{户}，[F]其中困难职工{户}，",\n'
        '  "[G]困难农民工{户}，[H]慰问困难劳模{户}。",',
    )
    result = check_definition(_write(tmp_path, text), registry)
    changed = {p.rule: p for p in result.problems if p.code == "LINT-002"}
    assert result.errors == 0 and "04E-part" in changed, [p.text() for p in result.problems]
    problem = changed["04E-part"]
    assert problem.severity is Severity.WARNING and problem.line == _at(text, '"04E <= 04D"')[0]
    assert "含义已经变了" in problem.message and "原样复制" not in problem.message
    assert (
        "04D 在 songwennuan-2017 中是“慰问困难家庭总数”，在本表是“慰问节日坚守岗位职工家庭”"
        in problem.message
    )
    assert "（“慰问困难家庭总数”现为 04E）" in problem.message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True), min_size=1, max_size=4, unique=True))
def test_any_unknown_keys_are_each_reported_once_on_their_own_line(tmp_path: Path, keys: list[str]) -> None:
    """Property: any keys added at the top: check names exactly the unknown ones, each on its line."""
    unknown = [k for k in keys if k not in FORM_KEYS]
    added = "".join(f"{k} = 1\n" for k in keys if k not in FORM_KEYS)
    text = SOURCE.replace('title = "', added + 'title = "', 1)
    problems = check_definition(_write(tmp_path, text)).problems
    assert [p.message.split("'")[1] for p in problems] == unknown
    assert [p.line for p in problems] == [_at(text, f"\n{k} = 1\n")[0] + 1 for k in unknown]
    assert {p.code for p in problems} <= {"DEF-040", "DEF-041"}
