"""The `unionforms` command: names, JSON shapes and exit codes are a contract."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from unionforms import default_registry
from unionforms.cli import main
from unionforms.core.errors import tracing


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "list")
    assert code == 0
    assert "songwennuan-2017\t2017\t2017年工会送温暖活动统计表" in out.splitlines()
    assert len(out.splitlines()) >= 4


def test_show_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "show", "songwennuan-2014", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"id", "title", "year", "fields", "rules"} <= set(data)
    fields = {f["code"]: f for f in data["fields"]}
    assert fields["05"] == {
        "code": "05",
        "line": "05",
        "letter": None,
        "label": "2014年元旦、春节期间送温暖活动中筹集慰问款物总额",
        "unit": "万元",
        "kind": "money",
        "decimals": 2,
    }
    assert fields["01A.1"]["decimals"] is None
    assert {"id", "expr", "severity", "message"} <= set(data["rules"][0])


def test_show_text_tags_each_blank(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "show", "bangfu-2013")
    assert code == 0
    assert "（12）" in out and "[12H]" in out and "[12G]" not in out


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema", "bangfu-2016")
    assert code == 0
    assert json.loads(out)["properties"]["form"] == {"const": "bangfu-2016"}


def test_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"form": "songwennuan-2017", "values": {"01A": 10, "01B": 5}}), encoding="utf-8"
    )
    warn = tmp_path / "warn.json"
    warn.write_text(
        json.dumps({"form": "songwennuan-2017", "values": {"05": "1.00", "05E": "1.00", "06": "2.00"}}),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"form": "songwennuan-2017", "values": {"01A": 10, "01B": 50}}), encoding="utf-8"
    )
    junk = tmp_path / "junk.json"
    junk.write_text("{", encoding="utf-8")
    assert _run(capsys, "validate", str(good))[0] == 0
    assert _run(capsys, "validate", str(warn))[0] == 0
    code, out, _ = _run(capsys, "validate", str(good), str(bad), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"inputs": 2, "ok": 1, "warnings": 0, "errors": 1, "unusable": 0, "skipped": 0}
    assert [f["status"] for f in data["files"]] == ["ok", "errors"]
    (finding,) = data["files"][1]["findings"]
    assert (
        finding["file"] == str(bad) and finding["rule"] == "01B-part" and finding["fields"] == ["01B", "01A"]
    )
    assert {"file", "severity", "rule", "fields", "message"} <= set(finding)
    code, out, err = _run(capsys, "validate", str(junk), str(bad))
    assert code == 2
    assert "IN-011" in out and "Traceback" not in out + err


def test_validate_an_empty_report_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"form": "bangfu-2016", "values": {"01": None}}), encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(empty), "--json")
    assert code == 1
    files = json.loads(out)["files"]
    assert [(f["code"], x["file"], x["status"]) for x in files for f in x["findings"]] == [
        ("CHK-003", str(empty), "errors")
    ]


def test_unknown_form_is_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "show", "nope-1999")
    assert code == 2
    assert "IN-003" in err


def test_installed_console_script() -> None:
    exe = Path(sys.executable).with_name("unionforms")
    result = subprocess.run([str(exe), "list"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "bangfu-2013" in result.stdout


def test_input_errors_read_chinese_first_then_english_without_exception_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    missing = tmp_path / "missing.json"
    for path, code, says in ((broken, "IN-024", "工作簿已损坏"), (missing, "IN-001", "文件不存在")):
        status, out, err = _run(capsys, "read", str(path))
        assert status == 2 and out == ""
        zh, en = err.splitlines()
        assert zh.startswith(f"unionforms: [文件 {path}] {code} {says}")
        assert en.startswith("    ") and not _chinese(en)
        for python in ("Errno", "BadZipFile", "zipfile", "Traceback", "Error:"):
            assert python not in err
        status, out, _ = _run(capsys, "read", str(path), "--json")
        error = json.loads(out)["error"]
        assert (error["code"], error["file"]) == (code, str(path))
        assert error["message"].startswith(says) and not _chinese(error["message_en"])
        assert ("BadZipFile" if code == "IN-024" else "Errno 2") in error["detail"]


def test_findings_in_json_carry_english_and_detail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"form": "songwennuan-2017", "values": {"01A": -3}}), encoding="utf-8")
    status, out, _ = _run(capsys, "validate", str(path), "--json")
    assert status == 1
    ((finding,),) = [f["findings"] for f in json.loads(out)["files"]]
    assert finding["code"] == "VAL-001" and finding["message"].startswith("01A 当地职工总数：人数不能为负数")
    assert finding["message_en"].startswith("01A 当地职工总数: a count") and finding["detail"] is None


def test_validate_shows_explained_warnings_as_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"05": "1.00", "05E": "1.00", "06": "2.00", "01A": "x", "01B": 5}
    doc = {"form": "songwennuan-2017", "values": values, "explanations": {"06-05-spent": "含上年结转"}}
    path = tmp_path / "explained.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(path))
    assert code == 1  # the bad 01A; 01B-part is not checked, so 01A is reported once
    assert [line for line in out.splitlines() if ": 错误 [" in line] == [
        line for line in out.splitlines() if "VAL-003" in line
    ]
    assert "警告（已说明） [CHK-006 06-05-spent]" in out and "已说明：“含上年结转”。" in out
    assert "1 个错误，1 个警告（其中 1 个已说明）" in out  # the input's line
    code, out, _ = _run(capsys, "validate", str(path), "--json")
    by_code = {f["code"]: f for x in json.loads(out)["files"] for f in x["findings"]}
    assert by_code["CHK-006"]["explanation"] == "含上年结转"
    form = default_registry().get("songwennuan-2017")
    assert by_code["VAL-003"]["unchecked"] == [r.id for r in form.rules if "01A" in r.codes]
    assert by_code["VAL-003"]["unchecked"]


def test_fill_leaves_out_text_a_workbook_cannot_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.json"
    meta = {"unit": "乐山\x1b[2J市", "filled_by": "张三"}
    report.write_text(json.dumps({"form": "songwennuan-2017", "meta": meta, "values": {"01A": 3}}), "utf-8")
    code, _, err = _run(capsys, "fill", str(report), "-o", str(tmp_path / "f.xlsx"))
    assert code == 1
    assert "META-005" in err and "\x1b" not in err
    code, out, _ = _run(capsys, "read", str(tmp_path / "f.xlsx"), "--json")
    assert code == 0
    assert json.loads(out)["report"] == {
        "form": "songwennuan-2017",
        "meta": {"filled_by": "张三"},
        "values": {"01A": 3},
    }


# ---- --version, --help, --traceback ----------------------------------------------------------------


def test_version_prints_to_stdout_as_pip_ruff_and_git_do(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    out, err = capsys.readouterr()
    assert done.value.code == 0
    assert out == f"unionforms {importlib.metadata.version('unionforms')}\n" and err == ""


def _chinese_first(text: str) -> bool:
    return "\u3000" <= text.lstrip("`-")[:1] <= "\u9fff" or "\uff00" <= text[:1] <= "\uffef"


def _parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    from unionforms.cli import build_parser

    top = build_parser()
    (sub,) = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return [("unionforms", top), *((f"unionforms {n}", p) for n, p in sub.choices.items())]


def test_every_help_text_is_chinese_first() -> None:
    """Every message is Chinese first: the commands' and every option's help, and argparse's own words."""
    wrong = []
    for name, parser in _parsers():
        texts = [parser.description or ""]
        for action in parser._actions:
            if action.help is not None and action.help != argparse.SUPPRESS:
                texts.append(action.help)
            if isinstance(action, argparse._SubParsersAction):
                texts += [choice.help or "" for choice in action._choices_actions]
        wrong += [f"{name}: {text!r}" for text in texts if not _chinese_first(text)]
        shown = parser.format_help()
        assert shown.startswith("用法 usage: ") and "options:" not in shown.replace("选项 options:", ""), name
    assert len(_parsers()) > 10 and wrong == []


@pytest.mark.parametrize("command", ["", "validate", "blank"])
def test_help_prints_chinese_first_and_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*filter(None, [command]), "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith("用法 usage: unionforms")
    assert "显示本帮助并退出" in out and "show this help message" not in out


@pytest.mark.parametrize(
    ("argv", "chinese"),
    [
        ([], "缺少必需的参数：COMMAND"),
        (["nosuch"], "COMMAND 的取值 'nosuch' 无效，可选：'aggregate'"),
        (["show"], "缺少必需的参数：form"),
        (["list", "--bogus"], "无法识别的参数：--bogus"),
        (["validate", "--jobs", "x", "a.json"], "--jobs 应为整数，而不是 'x'"),
        (["validate", "--jobs", "0", "a.json"], "--jobs 应在 1 到 64 之间"),
        (["status", "--due", "1.2", "x"], "--due 应为日期"),
        (["compare", "--jump", "0.5", "a", "b"], "--jump 应为大于 1 的数"),
    ],
)
def test_a_mistyped_command_line_is_told_chinese_first(
    argv: list[str], chinese: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse words its errors in English only; the parser puts the Chinese first, the English after."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    message = err.splitlines()[-1]
    assert done.value.code == 2 and err.startswith("用法 usage: unionforms")
    assert message.split("错误 error: ", 1)[1].startswith(chinese), message
    assert " / " in message and not message.endswith(" / "), message  # the English follows


def test_traceback_goes_before_the_command_and_is_not_left_behind(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It holds while the command runs (tests/test_excel_adjust.py sees the traceback), not after."""
    monkeypatch.delenv("UNIONFORMS_TRACEBACK", raising=False)
    code, out, _ = _run(capsys, "--traceback", "list")
    assert code == 0 and "songwennuan-2017" in out
    assert not tracing()  # a caller of main() keeps its own environment
