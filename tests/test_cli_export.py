"""`unionforms export`, and `read`/`validate` taking the exported tables back, end to end."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from unionforms import Meta, Registry, Report
from unionforms.cli import main
from unionforms.io import jsonio


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def returns(tmp_path: Path, registry: Registry) -> Path:
    """A folder of returns: two good, one with an error, an aggregate, one unusable and a lock file."""
    form = registry.get("songwennuan-2017")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for i, unit in enumerate(["甲县总工会", "乙县总工会"]):
        report = Report(
            form.id,
            Meta(unit=unit),
            {"01A": 100 + i, "01B": 10, "05": Decimal("12.50"), "05A": Decimal("12.50")},
        )
        (folder / f"{i}.json").write_text(jsonio.dumps(report), encoding="utf-8")
    bad = Report(form.id, Meta(unit="丙县总工会"), {"01A": 1, "01B": 2})
    (folder / "sub" / "bad.json").write_text(jsonio.dumps(bad), encoding="utf-8")
    total = jsonio.report_to_dict(Report(form.id, Meta(unit="某市总工会"), {"01A": 201, "01B": 20}))
    total["provenance"] = {"inputs": 2, "included": [], "rejected": [], "flags": {}}
    (folder / "total.json").write_text(json.dumps(total, ensure_ascii=False), encoding="utf-8")
    (folder / "junk.json").write_text("{not json", encoding="utf-8")
    (folder / "~$0.xlsx").write_bytes(b"lock")
    return folder


def test_export_every_format_and_back(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out, wide in [("long.csv", False), ("wide.csv", True), ("long.xlsx", False), ("wide.xlsx", True)]:
        code, text, err = _run(
            capsys, "export", str(returns), "-o", str(tmp_path / out), *(["--wide"] * wide)
        )
        assert code == 2  # junk.json is unusable: listed, the rest exported
        assert "junk.json" in err and "IN-011" in err
        assert "~$0.xlsx" in err and "IN-076" in err  # a skipped file is listed with its reason
        assert "4 份报表" in text
        code, text, err = _run(capsys, "validate", str(tmp_path / out), "--json")
        assert code == 1  # 丙县's error is found again in its row
        files = json.loads(text)["files"]
        assert [f["status"] for f in files] == ["ok", "ok", "ok", "errors"]  # every row accounted for
        assert all(f["file"].startswith(f"{tmp_path / out}#") for f in files)
        assert {f["code"] for file in files for f in file["findings"]} == {"CHK-001"}
        assert [f["unit"] for f in files] == ["甲县总工会", "乙县总工会", "某市总工会", "丙县总工会"]
    code, text, _ = _run(capsys, "export", str(returns), "-o", str(tmp_path / "f.jsonl"), "--json")
    summary = json.loads(text)
    assert summary["statuses"] == {"ok": 3, "errors": 1, "unusable": 1, "skipped": 1}
    lines = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    money = [row for row in lines if row["code"] == "05"]
    assert [row["value"] for row in money] == ["12.50", "12.50"]
    assert {row["provenance"] for row in lines if row["unit"] == "某市总工会"} == {
        f"{returns / 'total.json'}#/provenance"
    }


def test_read_prints_a_table_as_one_report_a_line(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "export", str(returns), "-o", str(tmp_path / "wide.xlsx"), "--wide")
    code, text, _ = _run(capsys, "read", str(tmp_path / "wide.xlsx"))
    reports = [json.loads(line) for line in text.splitlines()]
    assert code == 0  # reading checks values, not rules
    assert [r["meta"]["unit"] for r in reports] == ["甲县总工会", "乙县总工会", "某市总工会", "丙县总工会"]
    assert reports[0]["values"] == {"01A": 100, "01B": 10, "05": "12.50", "05A": "12.50"}


def test_database_export_reports_replacements(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    _, text, _ = _run(capsys, "export", str(returns), "-o", url)
    assert "新增 4，替换 0，未变 0" in text
    # The same returns come back through a wide xlsx (each row its own input): nothing changes.
    _run(capsys, "export", str(returns), "-o", str(tmp_path / "wide.xlsx"), "--wide")
    _, text, _ = _run(capsys, "export", str(tmp_path / "wide.xlsx"), "-o", url)
    assert "新增 0，替换 0，未变 4" in text
    changed = json.loads((returns / "0.json").read_text(encoding="utf-8"))
    changed["values"]["01A"] = 999
    (returns / "0.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    _, text, err = _run(capsys, "export", str(returns), "-o", url)
    assert "新增 0，替换 1，未变 3" in text
    assert "已替换：songwennuan-2017 甲县总工会" in err and "变动栏目：01A" in err


def test_export_refuses_what_it_cannot_write(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "export", str(returns), "-o", str(tmp_path / "x.txt"))
    assert code == 2 and "EXP-001" in err and "Traceback" not in err
    (tmp_path / "mixed").mkdir()
    for name in ("0.json", "total.json"):
        (tmp_path / "mixed" / name).write_text((returns / name).read_text(encoding="utf-8"), encoding="utf-8")
    other = Report("bangfu-2016", Meta(unit="丁"), {})
    (tmp_path / "mixed" / "other.json").write_text(jsonio.dumps(other), encoding="utf-8")
    # A wide CSV holds one form: the form of most returns is written, the other left out and named.
    code, _, err = _run(capsys, "export", str(tmp_path / "mixed"), "-o", str(tmp_path / "w.csv"), "--wide")
    assert code == 0 and "AGG-002" in err and "other.json" in err
    text = (tmp_path / "w.csv").read_text(encoding="utf-8-sig")
    assert "bangfu-2016" not in text and text.count("songwennuan") >= 2
    # or the one named with --form
    code, _, err = _run(
        capsys,
        *("export", str(tmp_path / "mixed"), "-o", str(tmp_path / "b.csv")),
        *("--wide", "--form", "bangfu-2016"),
    )
    assert code == 0 and "0.json" in err
    assert "songwennuan" not in (tmp_path / "b.csv").read_text(encoding="utf-8-sig")
    # An output never replaces an input.
    _run(capsys, "export", str(returns), "-o", str(tmp_path / "again.csv"))
    before = (tmp_path / "again.csv").read_bytes()
    code, _, err = _run(capsys, "export", str(tmp_path / "again.csv"), "-o", str(tmp_path / "again.csv"))
    assert code == 2 and "OUT-001" in err
    assert (tmp_path / "again.csv").read_bytes() == before
    # An existing output is kept unless --force (OUT-002), checked before any work.
    code, _, err = _run(capsys, "export", str(returns), "-o", str(tmp_path / "again.csv"))
    assert code == 2 and "OUT-002" in err
    assert (tmp_path / "again.csv").read_bytes() == before
    code, _, err = _run(capsys, "export", str(returns), "-o", str(tmp_path / "again.csv"), "--force")
    assert code == 2 and "OUT-002" not in err  # junk.json still unusable; the file replaced
    assert (tmp_path / "again.csv").read_bytes() == before  # the same returns give the same bytes


def test_aggregate_adds_up_a_table_as_it_adds_up_the_returns(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out, wide in [("wide.csv", True), ("long.xlsx", False)]:
        _run(capsys, "export", str(returns), "-o", str(tmp_path / out), *(["--wide"] * wide))
        totals = []
        for source, name in [(returns, "from-files.json"), (tmp_path / out, f"from-{out}.json")]:
            code, _, _ = _run(
                capsys, "aggregate", str(source), "--unit", "某省总工会", "-o", str(tmp_path / name)
            )
            assert code in (0, 1)
            totals.append(json.loads((tmp_path / name).read_text(encoding="utf-8")))
        from_files, from_table = totals
        assert from_table["values"] == from_files["values"] and from_files["values"]
        included = [i["file"] for i in from_table["provenance"]["included"]]
        assert included and all(f.startswith(f"{tmp_path / out}#") for f in included)
        (tmp_path / "from-files.json").unlink()


def test_fill_writes_each_row_of_a_table_into_its_own_template(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "export", str(returns / "0.json"), str(returns / "1.json"), "-o", str(tmp_path / "w.csv"))
    code, _, err = _run(capsys, "fill", str(tmp_path / "w.csv"), "-o", str(tmp_path / "out"))
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["w#rows 2-5.xlsx", "w#rows 6-9.xlsx"]  # a long table: a return's run of rows
    code, text, _ = _run(capsys, "read", str(tmp_path / "out" / written[1]))
    assert code == 0 and json.loads(text) == json.loads((returns / "1.json").read_text(encoding="utf-8"))
