"""The message catalogue: every code emitted exists, every template renders, docs/errors.md is generated.

The source is scanned with ``ast``: every string literal shaped like a code is a catalogue code, every
error is raised and every finding built from a code alone (no message text at the raise site), and the
catalogue holds no code that nothing emits.
"""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.core.catalogue import CATALOGUE, Message, markdown
from unionforms.core.errors import DefinitionError, InputError, PluginError, UnionformsError
from unionforms.core.findings import Finding, Severity, finding

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src"
_ERRORS = {"UnionformsError", "DefinitionError", "RuleSyntaxError", "PluginError", "InputError"}

#: Pattern of a catalogue code.
CODE_RE = re.compile(r"^[A-Z]{2,5}-\d{3}$")


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "catalogue.py"
    ]


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _emitted() -> dict[str, list[str]]:
    """Every code-shaped string literal in src/ (but the catalogue), with where it stands."""
    found: dict[str, list[str]] = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_RE.match(node.value):
                found.setdefault(node.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    emitted = _emitted()
    assert len(emitted) > 50, "the scan found too few codes to be looking in the right place"
    assert {code: where for code, where in emitted.items() if code not in CATALOGUE} == {}


def test_every_catalogue_code_is_emitted_somewhere() -> None:
    assert sorted(set(CATALOGUE) - set(_emitted())) == []


def test_errors_and_findings_are_built_from_a_code_alone() -> None:
    """No message text at a raise or finding site: one positional argument, a code (or a code variable)."""
    wrong = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if name in _ERRORS or name in ("finding", "DefinitionProblem"):
                if len(node.args) > 2 or any(isinstance(a, ast.JoinedStr) for a in node.args):
                    wrong.append(where)
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    severity = CATALOGUE[first.value].severity
                    raised = name in _ERRORS
                    if raised == (severity is not None):
                        wrong.append(
                            f"{where}: {first.value} is a {'finding' if severity else 'raised'} code"
                        )
                if name in _ERRORS and any(k.arg in ("message", "hint") for k in node.keywords):
                    wrong.append(where)
            if name == "Finding" and path.name != "findings.py":
                wrong.append(f"{where}: build findings with finding()")
    assert wrong == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_template_renders_with_its_placeholders(code: str) -> None:
    message = CATALOGUE[code]
    params = {name: f"<{name}>" for name in message.placeholders}
    rendered = message.render(params)
    for name in message.placeholders:
        assert f"<{name}>" in rendered.zh + rendered.fix_zh
        assert f"<{name}>" in rendered.en + rendered.fix_en
    if message.placeholders:
        with pytest.raises(KeyError):
            message.render({})


def test_every_message_is_chinese_first_and_english_and_says_how_to_fix() -> None:
    for code, message in CATALOGUE.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message.zh + message.fix_zh), code
        if code.split("-")[0] in ("IN", "VAL", "META", "TPL", "CHK", "ENV"):
            assert message.fix_zh and message.fix_en, f"{code} says what is wrong but not how to fix it"


def test_a_message_is_checked_when_built() -> None:
    with pytest.raises(ValueError, match="Chinese"):
        Message("s", "english only", "english")
    with pytest.raises(ValueError, match="placeholders"):
        Message("s", "中文 {a}", "english {b}")
    with pytest.raises(ValueError, match="one language"):
        Message("s", "中文", "english", "改法", "")
    with pytest.raises(ValueError):
        Message("s", "中文 {", "english {")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_a_chinese_template_is_told_as_the_cjk_ranges_tell_it(text: str) -> None:
    from unionforms.core.catalogue import _chinese

    assert _chinese(text) == bool(re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text))
    assert _chinese(text + "。") and _chinese("审核" + text) and _chinese(text + "（")
    assert not _chinese("".join(c for c in text if c < "\u3000" or "\u9fff" < c < "\uff00" or c > "\uffef"))


def test_docs_errors_md_is_the_generated_catalogue() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert text == markdown(), "regenerate it: python -m unionforms.core.catalogue > docs/errors.md"
    for code in CATALOGUE:
        assert f"\n### {code}\n" in text


def test_unknown_codes_are_refused() -> None:
    with pytest.raises(ValueError):
        InputError("IN-999")
    with pytest.raises(ValueError):
        finding("IN-001")  # a raised code is no finding
    with pytest.raises(ValueError):
        Finding("IN-001", Severity.ERROR, "x")


def test_an_error_reads_chinese_first_then_english_and_keeps_its_detail_out_of_sight() -> None:
    err = InputError(
        "IN-010", file="r.json", detail="PermissionError: [Errno 13] Permission denied: 'r.json'"
    )
    zh, en = str(err).split("\n")
    assert zh.startswith("[文件 r.json] IN-010 无法读取")
    assert en.strip().startswith("the file cannot be read") and " — " in en
    assert "Errno" not in str(err)
    assert err.to_dict()["detail"] == "PermissionError: [Errno 13] Permission denied: 'r.json'"
    assert err.to_dict()["file"] == "r.json" and err.to_dict()["code"] == "IN-010"


def test_developer_codes_show_their_detail() -> None:
    err = PluginError(
        "PLUG-001", plugin="x", target="uf_x", detail="ModuleNotFoundError: No module named 'uf_x'"
    )
    assert "No module named 'uf_x'" in str(err)


def test_where_is_in_chinese_most_general_first() -> None:
    err = DefinitionError("DEF-019", letter="A", form="demo-2018", line="01")
    assert err.where() == "表式 demo-2018，行号 01"
    assert err.text().startswith("[表式 demo-2018，行号 01] DEF-019 栏目字母（A）在第 01 行出现了两次。")


def test_errors_survive_pickling_as_raised_and_as_changed() -> None:
    err = InputError("IN-011", file="r.json", line_no=3, column=7, detail="Expecting value")
    err.form = "bangfu-2016"
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.to_dict()) == (InputError, str(err), err.to_dict())
    assert isinstance(back, UnionformsError)


def test_findings_take_their_severity_from_the_catalogue() -> None:
    warning = finding("CHK-002", relation="06 > 05", why="印刷文字", rule="r")
    assert warning.severity is Severity.WARNING and warning.rule == "r" and warning.why == "印刷文字"
    assert warning.message == "06 > 05。如数字无误，请在合理性审核说明中写明理由。"  # the why apart
    assert warning.message_en.startswith("06 > 05 — ")
    assert finding("VAL-001", place="01A", unit="人", value="-3").severity is Severity.ERROR
