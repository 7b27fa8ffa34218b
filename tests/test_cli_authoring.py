"""The commands for next year's form: `new-form`, `check`, `diff` and `compare` — output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unionforms.cli import main

PLUGINS = Path(__file__).resolve().parent.parent / "src" / "unionforms_plugins"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_form_then_check_and_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "unionforms-songwennuan-2018"
    code, out, _ = _run(
        capsys, "new-form", "--from", "songwennuan-2017", "--id", "songwennuan-2018", "--dir", str(target)
    )
    assert code == 0 and "复制自 songwennuan-2017" in out and "tests/test_conformance.py" in out
    code, out, err = _run(capsys, "check", str(target))
    assert (code, out) == (0, "") and "0 个错误，0 个警告" in err
    form = target / "src" / "unionforms_songwennuan_2018" / "form.toml"
    form.write_text(form.read_text(encoding="utf-8").replace("04B <= 04A", "04B <= 04Z"), encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(form))
    assert code == 1 and "[RULE-002 rule 04B-part position 7]" in out
    code, out, _ = _run(capsys, "check", str(form), "--json")
    assert code == 1 and json.loads(out)[0]["column"] > 0
    code, _, err = _run(capsys, "diff", "songwennuan-2017", str(target))
    assert code == 2 and "DEF-023" in err
    code, _, err = _run(
        capsys, "new-form", "--from", "songwennuan-2017", "--id", "songwennuan-2018", "--dir", str(target)
    )
    assert code == 2 and "IN-061" in err
    code, _, err = _run(
        capsys, "new-form", "--from", "songwennuan-2016", "--id", "songwennuan-2018", "--dir", "x"
    )
    assert code == 2 and "IN-003" in err


def test_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "check", str(PLUGINS / "bangfu_2016"))[0] == 0
    assert _run(capsys, "check", str(tmp_path / "missing.toml"))[0] == 2
    bad = tmp_path / "form.toml"
    bad.write_text('id = "a"\ntitle = \nyear = 1\n', encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(bad))
    assert code == 1 and f"{bad}:2:" in out


def test_diff_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "diff", "songwennuan-2014", "songwennuan-2017")
    assert code == 0
    assert "（按声明的对应关系对应栏目）" in out and "栏目 移位 04C.2 → 04E" in out
    assert "栏目 拆分 05A → 05A+05B" in out
    code, out, _ = _run(capsys, "diff", "bangfu-2013", "bangfu-2016", "--json")
    data = json.loads(out)
    assert code == 0 and data["paired_by"] == "mapping"
    assert {"kind": "moved", "old": ["12H"], "new": ["14G"]}.items() <= next(
        c for c in data["fields"] if c["old"] == ["12H"] and c["kind"] == "moved"
    ).items()


def _report(tmp_path: Path, name: str, form: str, values: dict[str, object]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"form": form, "values": values}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = _report(tmp_path, "2014.json", "songwennuan-2014", {"04C.2": 700, "05A": "120.00"})
    this = _report(tmp_path, "2017.json", "songwennuan-2017", {"04E": 2800, "05A": "80.00", "05B": "40.00"})
    code, out, err = _run(capsys, "compare", last, this)
    assert code == 0
    assert "04C.2 → 04E 其中困难职工：700 → 2800 户 +2100（+300.0%）  ⚠ 变化异常" in out
    assert "05A → 05A+05B 中央财政、地方财政：120.00 → 120.00 万元 0" in out
    assert "警告 [CMP-001]" in err
    code, out, _ = _run(capsys, "compare", last, this, "--jump", "5", "--json")
    assert code == 0 and not any(line["jump"] for line in json.loads(out)["lines"])
    code, _, err = _run(capsys, "compare", this, last)
    assert code == 2 and "IN-006" in err
    with pytest.raises(SystemExit):
        main(["compare", last, this, "--jump", "1"])
    bad = _report(tmp_path, "bad.json", "songwennuan-2017", {"04E": -1})
    assert _run(capsys, "compare", last, bad)[0] == 1
